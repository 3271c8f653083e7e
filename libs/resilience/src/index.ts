export { createDownstreamPolicies } from './downstream-policies';
export type {
  DisposeHandle,
  DownstreamPolicies,
  DownstreamPoliciesOptions,
  DownstreamPolicy,
  DownstreamState,
  ExecuteOptions,
  ResilienceLogger,
} from './downstream-policies';
export type { BreakerState } from './downstream-breaker';
export {
  DEFAULT_DOWNSTREAM_SETTINGS,
  DOWNSTREAM_NAMES,
  isDownstreamName,
  resolveDownstreamSettings,
} from './downstream-settings';
export type {
  DeepPartial,
  DownstreamName,
  DownstreamSettings,
  DownstreamSettingsOverrides,
} from './downstream-settings';
export { DownstreamUnavailableError, isDownstreamUnavailable } from './downstream-unavailable-error';
export type { UnavailableReason } from './downstream-unavailable-error';
export {
  DOWNSTREAM_ENV_PREFIX,
  DOWNSTREAM_ENV_VARIABLES,
  downstreamEnvSchema,
  downstreamEnvShape,
  downstreamSettingsFromConfig,
  downstreamSettingsFromEnv,
} from './downstream-env';
export type { DownstreamEnvConfig, DownstreamEnvVariable } from './downstream-env';
export { BREAKER_STATE_VALUE, RESILIENCE_METRIC_NAMES } from './resilience-metrics';
export type { CallOutcome } from './resilience-metrics';
export { withDeadline } from './deadline';
export type { DeadlineOptions } from './deadline';
