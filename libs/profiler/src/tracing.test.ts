import { startTestServer } from '@manga-assist/testing';
import type { TestServer } from '@manga-assist/testing';
import { createRequestProfiler } from './request-profiler';
import { newTraceId } from './trace-ids';
import { startTracing, tracesUrl } from './tracing';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

describe('startTracing', () => {
  let server: TestServer;
  afterEach(() => server?.close());

  it('exports spans as OTLP/HTTP JSON to the endpoint, with the service name and X-Ray trace ids', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const tracing = startTracing({ serviceName: 'chat-gateway', otlpEndpoint: server.url, batch: { scheduledDelayMillis: 60_000 } });
    const profiler = createRequestProfiler({ tracer: tracing.tracer });
    const traceId = newTraceId();
    const startedAt = Date.now() - 100;
    profiler.record({
      traceId,
      startedAt,
      timings: { intent: 1, 'vector-search': 20 },
      spans: [
        { segment: 'intent', startMs: 0, durationMs: 1 },
        { segment: 'vector-search', startMs: 1, durationMs: 20 },
      ],
    });
    profiler.record({ startedAt, timings: { intent: 2 } });
    await tracing.shutdown(); // flushes the batch

    expect(server.requests.length).toBeGreaterThanOrEqual(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/traces' });
    expect(request!.headers['content-type']).toBe('application/json');
    const spans: OtlpSpan[] = [];
    for (const r of server.requests) {
      const body = JSON.parse(r.body) as OtlpExport;
      for (const rs of body.resourceSpans) {
        expect(rs.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'chat-gateway' } });
        for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
    }
    expect(spans).toHaveLength(5);
    const inTrace = spans.filter((s) => s.traceId === traceId);
    expect(inTrace.map((s) => s.name).sort()).toEqual(['chat.request', 'intent', 'vector-search']);
    const root = inTrace.find((s) => s.name === 'chat.request')!;
    const search = inTrace.find((s) => s.name === 'vector-search')!;
    expect(search.parentSpanId).toBe(root.spanId);
    expect(Number(BigInt(search.startTimeUnixNano) / 1000n) / 1000).toBeCloseTo(startedAt + 1, 2);
    expect(Number(BigInt(search.endTimeUnixNano) / 1000n) / 1000).toBeCloseTo(startedAt + 21, 2);

    // The request without a trace id got a new one from the X-Ray id generator: epoch seconds first.
    const other = spans.find((s) => s.traceId !== traceId)!;
    expect(other.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(Math.abs(parseInt(other.traceId.slice(0, 8), 16) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('returns a tracer that records nothing without an endpoint, with X-Ray-style trace ids', async () => {
    const tracing = startTracing({ serviceName: 'chat-gateway' });
    const span = tracing.tracer.startSpan('request');
    expect(span.isRecording()).toBe(false);
    const { traceId } = span.spanContext();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(Math.abs(parseInt(traceId.slice(0, 8), 16) - Date.now() / 1000)).toBeLessThan(60);
    span.end();
    await tracing.shutdown();
  });

  it('appends the traces path to a base endpoint and rejects what is not a URL', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('https://otel.example/v1/traces')).toBe('https://otel.example/v1/traces');
    expect(() => startTracing({ serviceName: 'x', otlpEndpoint: 'collector:4318' })).toThrow(
      'tracing: otlpEndpoint must be an http(s) URL, got "collector:4318"',
    );
  });
});
