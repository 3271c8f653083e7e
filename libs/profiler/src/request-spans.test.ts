import { SpanKind } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createRequestProfiler } from './request-profiler';
import { newTraceId, toXRayTraceId } from './trace-ids';
import { startTracing } from './tracing';

const ms = ([s, ns]: HrTime) => s * 1000 + ns / 1e6;

describe('request spans', () => {
  let exporter: InMemorySpanExporter;
  let provider: BasicTracerProvider;
  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    provider = new BasicTracerProvider({ idGenerator: new AWSXRayIdGenerator(), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  });
  afterEach(() => provider.shutdown());

  const profiler = () => createRequestProfiler({ tracer: provider.getTracer('test') });
  const byName = (spans: ReadableSpan[]) => new Map(spans.map((s) => [s.name, s]));

  it('creates a root span per request and a child per segment, with the given times, in the given trace', () => {
    const traceId = newTraceId();
    const startedAt = Date.UTC(2025, 5, 1, 5, 0, 0);
    profiler().record({
      traceId,
      startedAt,
      model: 'haiku',
      attributes: { intent: 'recommendation', cached: false },
      timings: { validate: 0.5, intent: 0.2, 'vector-search': 40, 'session-load': 6, 'fm-total': 300 },
      spans: [
        { segment: 'validate', startMs: 0, durationMs: 0.5 },
        { segment: 'intent', startMs: 0.5, durationMs: 0.2 },
        { segment: 'vector-search', startMs: 0.7, durationMs: 40 },
        { segment: 'session-load', startMs: 0.7, durationMs: 6 },
        { segment: 'fm-total', startMs: 41, durationMs: 300 },
      ],
    });

    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(6);
    const named = byName(spans);
    const root = named.get('chat.request')!;
    expect(root.kind).toBe(SpanKind.SERVER);
    expect(root.spanContext().traceId).toBe(traceId);
    expect(root.parentSpanContext).toMatchObject({ traceId, isRemote: true });
    expect(root.attributes).toEqual({ intent: 'recommendation', cached: false, 'manga_assist.model': 'haiku' });
    expect(ms(root.startTime)).toBeCloseTo(startedAt, 3);
    expect(ms(root.endTime)).toBeCloseTo(startedAt + 341, 3);

    for (const [segment, start, duration] of [
      ['validate', 0, 0.5],
      ['intent', 0.5, 0.2],
      ['vector-search', 0.7, 40],
      ['session-load', 0.7, 6],
      ['fm-total', 41, 300],
    ] as const) {
      const span = named.get(segment)!;
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(span.kind).toBe(SpanKind.INTERNAL);
      expect(span.attributes).toEqual({ 'manga_assist.segment': segment });
      expect(ms(span.startTime)).toBeCloseTo(startedAt + start, 3);
      expect(ms(span.endTime)).toBeCloseTo(startedAt + start + duration, 3);
    }
  });

  it('takes the trace id in X-Ray form too, and the upstream parent span when given', () => {
    const traceId = newTraceId();
    profiler().record({ traceId: toXRayTraceId(traceId), parentSpanId: '53995c3f42cd8ad8', startedAt: Date.now(), timings: { intent: 1 } });
    const root = byName(exporter.getFinishedSpans()).get('chat.request')!;
    expect(root.spanContext().traceId).toBe(traceId);
    expect(root.parentSpanContext?.spanId).toBe('53995c3f42cd8ad8');
  });

  it('starts a new X-Ray-style trace without a trace id, and lays segments end to end without spans', () => {
    const startedAt = Date.now();
    profiler().record({ startedAt, timings: { validate: 1, intent: 2, 'prompt-bytes': 4096, enqueue: 3, total: 10 } });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['chat.request', 'enqueue', 'intent', 'validate']);
    const named = byName(spans);
    const root = named.get('chat.request')!;
    expect(root.parentSpanContext).toBeUndefined();
    const traceId = root.spanContext().traceId;
    expect(Math.abs(parseInt(traceId.slice(0, 8), 16) - startedAt / 1000)).toBeLessThan(5);
    expect(ms(named.get('intent')!.startTime)).toBeCloseTo(startedAt + 1, 3);
    expect(ms(named.get('enqueue')!.endTime)).toBeCloseTo(startedAt + 6, 3);
    expect(ms(root.endTime)).toBeCloseTo(startedAt + 10, 3);
  });

  it('records the span extent as the total when the timings have none', () => {
    const p = profiler();
    p.record({ startedAt: Date.now(), timings: { intent: 1 }, spans: [{ segment: 'intent', startMs: 4, durationMs: 1 }] });
    expect(p.snapshot().segments['total']).toMatchObject({ count: 1, p50: expect.closeTo(5, 1) });
  });

  it('creates no spans but keeps profiling with a tracer that records nothing', async () => {
    const tracing = startTracing({ serviceName: 'test' });
    const p = createRequestProfiler({ tracer: tracing.tracer });
    p.record({ traceId: newTraceId(), startedAt: Date.now(), timings: { intent: 1 } });
    expect(p.snapshot().segments['intent']!.count).toBe(1);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await tracing.shutdown();
  });

  it('works with the global API tracer and no SDK registered', () => {
    const p = createRequestProfiler();
    expect(() => p.record({ traceId: newTraceId(), startedAt: Date.now(), timings: { intent: 1 } })).not.toThrow();
    expect(p.snapshot().requests).toBe(1);
  });
});
