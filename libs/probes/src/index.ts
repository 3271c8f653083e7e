export { fetchAvailabilityZone } from './az-label';
export { awsEndpoints, localEndpoints } from './default-endpoints';
export type { LocalEndpointsOptions } from './default-endpoints';
export { createHostResolver } from './dns-phase';
export type { DnsAnswer, HostResolver, HostResolverOptions } from './dns-phase';
export { DEFAULT_EXPECTED, EndpointInputSchema, applyEndpointInput, mergeEndpoints } from './endpoint-spec';
export type { EndpointInput, EndpointSpec, ExpectedMaxima, HttpSpec, TlsSpec } from './endpoint-spec';
export { evaluateProbe, worstStatus } from './evaluate-probe';
export type { EvaluateOptions, Measured } from './evaluate-probe';
export { formatReport } from './format-report';
export { probeEndpoint } from './probe-endpoint';
export type { DnsCacheView, ProbeContext } from './probe-endpoint';
export { createProbeHistory } from './probe-history';
export type { ProbeHistory } from './probe-history';
export { createProbeMetrics } from './probe-metrics';
export type { ProbeMetrics } from './probe-metrics';
export { createProbeRunner } from './probe-runner';
export type { ProbeLogger, ProbeRunner, ProbeRunnerOptions } from './probe-runner';
export {
  checkEndpointSettings,
  endpointsFromSettings,
  probeSettingsSchema,
  probeSettingsShape,
  resolverFromSettings,
} from './probe-settings';
export type { ProbeSettings } from './probe-settings';
export { PhaseError } from './phase-error';
