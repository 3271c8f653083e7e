import type { ModelProfile } from '@manga-assist/contracts';
import { createSleeper, throwIfAborted } from './abort';
import type { FaultPlans, InjectedFault } from './fault-plan';
import { createFaultInjector } from './fault-plan';
import { detectLanguage } from './language';
import { composeLocalAnswer } from './local-answer';
import type { ModelEvent, ModelGrounding, ModelProvider, ModelProfiles, ModelRequest } from './model-provider';
import { ModelStreamError } from './model-stream-error';
import { estimateTokens, splitIntoStreamTokens } from './stream-tokens';

export interface LocalTimingProfile {
  /** Delay before the first token (the model's time to first token). */
  firstTokenMs: number;
  /** Delay between tokens after the first. */
  perTokenMs: number;
}

/** Close to Claude 3 Haiku and Sonnet on Bedrock for a short answer. */
export const DEFAULT_LOCAL_PROFILES: ModelProfiles<LocalTimingProfile> = {
  haiku: { firstTokenMs: 180, perTokenMs: 8 },
  sonnet: { firstTokenMs: 450, perTokenMs: 15 },
};

export interface LocalModelProviderOptions {
  profiles?: Partial<ModelProfiles<LocalTimingProfile>>;
  failures?: FaultPlans;
  /** Source of randomness for `failRate`; inject a seeded one for reproducible fault runs. */
  random?: () => number;
  /**
   * How long a request with `purpose: 'analysis'` takes from start to its last token (its tokens
   * spread evenly over it), so a long analysis can be tried locally; default 3 s.
   */
  analysisMs?: number;
}

export interface LocalModelProvider extends ModelProvider {
  readonly name: 'local';
  /** Replaces the fault plan (undefined clears it) and restarts its call counts. */
  setFailures(plans: FaultPlans | undefined): void;
}

/**
 * A stand-in for the foundation model that needs no network and no weights: a deterministic,
 * template answer built from the request's grounding (the retrieved catalog rows), streamed with
 * Haiku- or Sonnet-like timing.
 */
export function createLocalModelProvider(options: LocalModelProviderOptions = {}): LocalModelProvider {
  const profiles: ModelProfiles<LocalTimingProfile> = {
    haiku: options.profiles?.haiku ?? DEFAULT_LOCAL_PROFILES.haiku,
    sonnet: options.profiles?.sonnet ?? DEFAULT_LOCAL_PROFILES.sonnet,
  };
  const faults = createFaultInjector(options.failures, options.random);
  const analysisMs = options.analysisMs ?? 3000;
  return {
    name: 'local',
    stream: (req) => streamLocal(req, req.purpose === 'analysis' ? { analysisMs } : profiles[req.profile], faults.next(req.profile)),
    setFailures: (plans) => faults.set(plans),
  };
}

async function* streamLocal(
  req: ModelRequest,
  pace: LocalTimingProfile | { analysisMs: number },
  fault: InjectedFault | undefined,
): AsyncGenerator<ModelEvent> {
  const { signal, profile } = req;
  throwIfAborted(signal);
  if (fault !== undefined && fault.afterTokens === 0) throw injected(fault, profile, 0);

  const grounding = req.grounding ?? ungrounded(req);
  const language = detectLanguage(grounding.userText);
  const all = splitIntoStreamTokens(composeLocalAnswer(grounding), language);
  const tokens = req.maxTokens !== undefined && req.maxTokens < all.length ? all.slice(0, req.maxTokens) : all;
  // An analysis spreads its tokens over the whole time, the last one arriving at `analysisMs`.
  const timing: LocalTimingProfile =
    'analysisMs' in pace ? { firstTokenMs: pace.analysisMs / Math.max(1, tokens.length), perTokenMs: pace.analysisMs / Math.max(1, tokens.length) } : pace;

  // Deadlines from one start time, so timer overshoot does not add up over a long answer.
  const start = performance.now();
  const sleeper = createSleeper(signal);
  try {
    for (let i = 0; i < tokens.length; i++) {
      if (fault !== undefined && i === fault.afterTokens) throw injected(fault, profile, i);
      await sleeper.until(start + timing.firstTokenMs + i * timing.perTokenMs);
      yield { type: 'token', text: tokens[i] as string };
    }
  } finally {
    sleeper.release();
  }
  // A planned break past the end of a short answer still breaks: it must never look complete.
  if (fault !== undefined) throw injected(fault, profile, tokens.length);
  yield {
    type: 'end',
    stopReason: tokens.length < all.length ? 'max_tokens' : 'end_turn',
    usage: { inputTokens: inputTokens(req), outputTokens: tokens.length },
  };
}

/** A request assembled without grounding (e.g. a warm-up call): answer as small talk, with no facts. */
function ungrounded(req: ModelRequest): ModelGrounding {
  const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
  return { userText: lastUser?.text ?? '', intent: 'chit_chat', products: [], historyTurns: 0 };
}

function inputTokens(req: ModelRequest): number {
  let total = estimateTokens(req.system);
  for (const m of req.messages) total += estimateTokens(m.text);
  return total;
}

function injected(fault: InjectedFault, profile: ModelProfile, tokensSent: number): ModelStreamError {
  return new ModelStreamError({
    code: fault.code,
    message: tokensSent === 0 ? 'injected failure' : `injected break after ${tokensSent} tokens`,
    provider: 'local',
    profile,
    tokensSent,
  });
}
