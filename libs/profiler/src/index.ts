export { DEFAULT_BUDGETS_MS, MODEL_SEGMENTS, NON_DURATION_TIMINGS, PIPELINE_ORDER, TOTAL_SEGMENT, baseSegment, segmentKey } from './budgets';
export type { PipelineSegment } from './budgets';
export { createRequestProfiler } from './request-profiler';
export type {
  ProfiledRequest,
  ProfileReport,
  ProfilerLog,
  RequestProfiler,
  RequestProfilerOptions,
  SegmentProfile,
  SegmentRef,
  SegmentSpan,
  SegmentState,
} from './request-profiler';
export { fromXRayTraceId, newTraceId, normalizeTraceId, toXRayTraceId } from './trace-ids';
export { startTracing, tracesUrl } from './tracing';
export type { Tracing, TracingOptions } from './tracing';
