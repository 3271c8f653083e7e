import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { BufferConfig } from '@opentelemetry/sdk-trace-base';
import type { ProfilerLog } from './request-profiler';

export interface TracingOptions {
  serviceName: string;
  /**
   * OTLP/HTTP endpoint, e.g. an ADOT collector that forwards to X-Ray. A base URL
   * (`http://collector:4318`, as in OTEL_EXPORTER_OTLP_ENDPOINT) gets `/v1/traces` appended; a URL
   * already ending in `/v1/traces` is used as it is. Without one nothing is exported.
   */
  otlpEndpoint?: string;
  log?: ProfilerLog;
  /** Batching of the exporter (queue size, delay between exports, ...). */
  batch?: BufferConfig;
}

export interface Tracing {
  tracer: Tracer;
  /** Exports what is still queued, then stops. */
  shutdown(): Promise<void>;
}

/** The URL spans are posted to for an OTLP endpoint as given in the options. */
export function tracesUrl(otlpEndpoint: string): string {
  let url: URL;
  try {
    url = new URL(otlpEndpoint);
  } catch {
    throw new Error(`tracing: otlpEndpoint must be an http(s) URL, got "${otlpEndpoint}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`tracing: otlpEndpoint must be an http(s) URL, got "${otlpEndpoint}"`);
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/v1/traces')) url.pathname = `${path}/v1/traces`;
  return url.toString();
}

/**
 * A tracer whose trace ids are X-Ray compatible (AWS X-Ray id generator). With `otlpEndpoint` its
 * spans are batched and exported over OTLP/HTTP (JSON); without one every span is a non-recording
 * span (AlwaysOff sampler): nothing is kept or sent, but root spans still get X-Ray-style trace ids.
 * The provider is not registered globally: pass the tracer to whatever creates spans.
 */
export function startTracing(opts: TracingOptions): Tracing {
  const resource = resourceFromAttributes({ 'service.name': opts.serviceName });
  const idGenerator = new AWSXRayIdGenerator();
  if (!opts.otlpEndpoint) {
    const provider = new BasicTracerProvider({ resource, idGenerator, sampler: new AlwaysOffSampler() });
    return { tracer: provider.getTracer(opts.serviceName), shutdown: () => provider.shutdown() };
  }
  const url = tracesUrl(opts.otlpEndpoint);
  const provider = new BasicTracerProvider({
    resource,
    idGenerator,
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), opts.batch)],
  });
  opts.log?.info({ url, serviceName: opts.serviceName }, 'tracing: exporting spans over OTLP/HTTP');
  return { tracer: provider.getTracer(opts.serviceName), shutdown: () => provider.shutdown() };
}
