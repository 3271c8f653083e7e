import {
  CHAT_LIMITS,
  CLIENT_ACTIONS,
  ClientFrameSchema,
} from '@manga-assist/contracts';
import type { AnalysisServerFrame, ClientFrame, ErrorCode, ServerFrame } from '@manga-assist/contracts';

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
 * Serializes a server frame, splitting a token frame whose text would make it larger than the
 * outbound limit into several token frames.
 */
export function serializeFrames(frame: ServerFrame | AnalysisServerFrame): string[] {
  const json = JSON.stringify(frame);
  if (Buffer.byteLength(json) <= CHAT_LIMITS.maxOutboundFrameBytes || frame.type !== 'token') return [json];
  // At most 4 bytes per UTF-16 unit once JSON-escaped characters are counted generously.
  const chunkChars = Math.floor((CHAT_LIMITS.maxOutboundFrameBytes - 512) / 6);
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
