import type { ModelProfile } from '@manga-assist/contracts';
import type { ModelStreamErrorCode } from './model-stream-error';

/**
 * Faults the local provider injects into one profile's calls, so resilience (breaker, fallback to
 * Haiku, partial-answer handling) can be exercised without a real outage. With neither `failEvery`
 * nor `failRate`, every call of the profile fails.
 */
export interface FaultPlan {
  /** Fail the Nth, 2Nth, … call of the profile (counted from when the plan was set). */
  failEvery?: number;
  /** Fail this fraction (0–1) of the profile's calls. */
  failRate?: number;
  /** Send this many tokens, then break; without it a failing call fails before its first token. */
  breakAfterTokens?: number;
  /** Defaults: 'unavailable' before the first token, 'interrupted' when breaking mid-stream. */
  code?: ModelStreamErrorCode;
}

export type FaultPlans = Partial<Record<ModelProfile, FaultPlan>>;

export interface InjectedFault {
  code: ModelStreamErrorCode;
  /** Tokens to send before failing; 0 fails before the first one. */
  afterTokens: number;
}

export interface FaultInjector {
  /** Decides, for one new call, whether and how it fails. */
  next(profile: ModelProfile): InjectedFault | undefined;
  set(plans: FaultPlans | undefined): void;
}

export function createFaultInjector(initial: FaultPlans | undefined, random: () => number = Math.random): FaultInjector {
  let plans: FaultPlans = initial ?? {};
  const calls: Record<ModelProfile, number> = { haiku: 0, sonnet: 0 };
  return {
    next(profile) {
      const plan = plans[profile];
      if (plan === undefined) return undefined;
      const call = ++calls[profile];
      const byCount = plan.failEvery !== undefined && plan.failEvery > 0 && call % plan.failEvery === 0;
      const byRate = plan.failRate !== undefined && random() < plan.failRate;
      const always = plan.failEvery === undefined && plan.failRate === undefined;
      if (!(byCount || byRate || always)) return undefined;
      const afterTokens = Math.max(0, plan.breakAfterTokens ?? 0);
      return { code: plan.code ?? (afterTokens > 0 ? 'interrupted' : 'unavailable'), afterTokens };
    },
    set(next) {
      plans = next ?? {};
      calls.haiku = 0;
      calls.sonnet = 0;
    },
  };
}
