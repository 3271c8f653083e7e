import { randomFillSync } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import type { Context, Tracer } from '@opentelemetry/api';
import { TOTAL_SEGMENT } from './budgets';
import type { ProfiledRequest } from './request-profiler';
import { normalizeTraceId } from './trace-ids';

export interface SpanEmitter {
  /** Emits the request's spans after the fact; `totalMs` ends the root (default: its last segment's end). */
  emit(request: ProfiledRequest, totalMs: number | undefined): void;
}

/**
 * The request as a root span (kind SERVER: an X-Ray segment) with one child per segment (X-Ray
 * subsegments), created after the fact with explicit start and end times. With a traceId the root
 * joins that trace under a remote parent. Children are skipped when the root is not recorded.
 */
export function createSpanEmitter({ tracer, rootSpanName, ignored }: { tracer: Tracer; rootSpanName: string; ignored: ReadonlySet<string> }): SpanEmitter {
  // Span ids for remote parents come from a pooled random buffer: a randomBytes() call per request
  // costs about 5 µs, a slice of the pool about 0.1 µs.
  const idPool = Buffer.allocUnsafe(4096);
  let idOffset = idPool.length;
  function randomSpanId(): string {
    if (idOffset + 8 > idPool.length) {
      randomFillSync(idPool);
      idOffset = 0;
    }
    const id = idPool.toString('hex', idOffset, idOffset + 8);
    idOffset += 8;
    return id === '0000000000000000' ? randomSpanId() : id;
  }

  function remoteParent(request: ProfiledRequest): Context {
    const traceId = request.traceId === undefined ? null : normalizeTraceId(request.traceId);
    if (!traceId) return ROOT_CONTEXT;
    const spanId = request.parentSpanId && /^[0-9a-f]{16}$/.test(request.parentSpanId) ? request.parentSpanId : randomSpanId();
    return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  }

  return {
    emit(request, totalMs) {
      const { startedAt, timings } = request;
      const root = tracer.startSpan(rootSpanName, { kind: SpanKind.SERVER, startTime: startedAt }, remoteParent(request));
      if (!root.isRecording()) {
        root.end(startedAt + (totalMs ?? 0));
        return;
      }
      if (request.attributes) root.setAttributes(request.attributes);
      if (request.model !== undefined) root.setAttribute('manga_assist.model', request.model);
      const parent = trace.setSpan(ROOT_CONTEXT, root);
      const child = (segment: string, startMs: number, durationMs: number) => {
        const span = tracer.startSpan(segment, { startTime: startedAt + startMs, attributes: { 'manga_assist.segment': segment } }, parent);
        span.end(startedAt + startMs + durationMs);
      };
      let end = 0;
      if (request.spans) {
        for (const s of request.spans) {
          child(s.segment, s.startMs, s.durationMs);
          end = Math.max(end, s.startMs + s.durationMs);
        }
      } else {
        for (const name in timings) {
          const ms = timings[name];
          if (ignored.has(name) || name === TOTAL_SEGMENT || !(ms >= 0)) continue;
          child(name, end, ms);
          end += ms;
        }
      }
      root.end(startedAt + (totalMs ?? end));
    },
  };
}
