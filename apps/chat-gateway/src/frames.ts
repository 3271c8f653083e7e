import {
  CHAT_LIMITS,
  CLIENT_ACTIONS,
  ClientFrameSchema,
} from '@manga-assist/contracts';
import type { AnalysisServerFrame, ClientFrame, DoneFrame, ErrorCode, ServerFrame } from '@manga-assist/contracts';

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; code: ErrorCode; message: string; requestId?: string };

/**
 * Turns one inbound WebSocket message into a client frame or a typed error, API-Gateway style:
 * the `action` field selects the route.
 */
export function parseClientFrame(data: Buffer, isBinary: boolean): ParsedFrame {
  if (isBinary) return { ok: false, code: 'binary_not_supported', message: 'send text frames with JSON' };
  if (data.length > CHAT_LIMITS.maxInboundFrameBytes) {
    return { ok: false, code: 'frame_too_large', message: `frames are limited to ${CHAT_LIMITS.maxInboundFrameBytes} bytes (got ${data.length})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch {
    return { ok: false, code: 'invalid_json', message: 'the frame is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: 'invalid_frame', message: 'a frame is a JSON object with an "action"' };
  }
  const obj = raw as Record<string, unknown>;
  const requestId = typeof obj['requestId'] === 'string' ? obj['requestId'] : undefined;
  if (typeof obj['action'] !== 'string') return { ok: false, code: 'invalid_frame', message: 'missing "action"', requestId };
  if (!(CLIENT_ACTIONS as readonly string[]).includes(obj['action'])) {
    return { ok: false, code: 'unknown_action', message: `unknown action "${obj['action'].slice(0, 64)}"; known: ${CLIENT_ACTIONS.join(', ')}`, requestId };
  }
  const parsed = ClientFrameSchema.safeParse(raw);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const issue = parsed.error.issues[0]!;
  const tooLarge = issue.message.startsWith('text exceeds');
  return {
    ok: false,
    code: tooLarge ? 'text_too_large' : 'invalid_frame',
    message: `${issue.path.join('.') || 'frame'}: ${issue.message}`,
    requestId,
  };
}

/**
 * Serializes a server frame so that nothing sent is over the outbound limit (API Gateway's 128 KB
 * per WebSocket frame): a token frame is split into several token frames whose texts join back to
 * the whole; a done frame keeps its first products and says how many it left off
 * (`productsTrimmed`); any other frame over the limit is replaced by a `response_too_large` error
 * for its request, never dropped without a word.
 */
export function serializeFrames(frame: ServerFrame | AnalysisServerFrame, limit: number = CHAT_LIMITS.maxOutboundFrameBytes): string[] {
  const json = JSON.stringify(frame);
  if (Buffer.byteLength(json) <= limit) return [json];
  if (frame.type === 'token') return splitTokenFrame(frame, limit);
  if (frame.type === 'done' && !('operationId' in frame) && frame.products && frame.products.length > 0) {
    const trimmed = trimDoneFrame(frame, limit);
    if (trimmed) return [trimmed];
  }
  const requestId = 'requestId' in frame && typeof frame.requestId === 'string' ? frame.requestId : undefined;
  const error: ServerFrame = {
    type: 'error',
    ...(requestId === undefined ? {} : { requestId }),
    code: 'response_too_large',
    message: `a ${frame.type} frame of ${Buffer.byteLength(json)} bytes is over the ${limit}-byte frame limit and was not sent`,
  };
  return [JSON.stringify(error)];
}

function splitTokenFrame(frame: Extract<ServerFrame, { type: 'token' }>, limit: number): string[] {
  // A UTF-16 unit takes at most 6 bytes once JSON-escaped (\uXXXX): chunks of this many always fit.
  const chunkChars = Math.floor((limit - 512) / 6);
  const out: string[] = [];
  let start = 0;
  while (start < frame.text.length) {
    let end = Math.min(start + chunkChars, frame.text.length);
    // never split a surrogate pair
    if (end < frame.text.length && /[\ud800-\udbff]/.test(frame.text[end - 1]!)) end--;
    out.push(JSON.stringify({ ...frame, text: frame.text.slice(start, end) }));
    start = end;
  }
  return out;
}

/** The done frame with as many of its first products as fit, and the count left off; undefined if even none fit. */
function trimDoneFrame(frame: DoneFrame, limit: number): string | undefined {
  const products = frame.products ?? [];
  // Binary search for the most products that fit (sizes grow with the count).
  let low = 0;
  let high = products.length - 1;
  let best: string | undefined;
  while (low <= high) {
    const kept = (low + high) >> 1;
    const json = JSON.stringify({ ...frame, products: products.slice(0, kept), productsTrimmed: products.length - kept });
    if (Buffer.byteLength(json) <= limit) {
      best = json;
      low = kept + 1;
    } else {
      high = kept - 1;
    }
  }
  return best;
}
