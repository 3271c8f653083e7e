import { CHAT_LIMITS } from '@manga-assist/contracts';
import { parseClientFrame, serializeFrames } from './frames';

const text = (s: string) => Buffer.from(s, 'utf8');

describe('parseClientFrame', () => {
  it('accepts a sendMessage frame', () => {
    expect(parseClientFrame(text('{"action":"sendMessage","requestId":"r1","text":"新刊"}'), false)).toEqual({
      ok: true,
      frame: { action: 'sendMessage', requestId: 'r1', text: '新刊' },
    });
  });

  it.each([
    ['binary', Buffer.from([1, 2, 3]), true, 'binary_not_supported'],
    ['invalid JSON', text('{"action":'), false, 'invalid_json'],
    ['a JSON array', text('[1,2]'), false, 'invalid_frame'],
    ['no action', text('{"requestId":"r1","text":"hi"}'), false, 'invalid_frame'],
    ['an unknown action', text('{"action":"deleteEverything","requestId":"r1"}'), false, 'unknown_action'],
    ['missing text', text('{"action":"sendMessage","requestId":"r1"}'), false, 'invalid_frame'],
    ['blank text', text('{"action":"sendMessage","requestId":"r1","text":"   "}'), false, 'invalid_frame'],
    ['a bad requestId', text('{"action":"sendMessage","requestId":"a b","text":"hi"}'), false, 'invalid_frame'],
    ['text over 4 KB', text(JSON.stringify({ action: 'sendMessage', requestId: 'r1', text: 'あ'.repeat(1400) })), false, 'text_too_large'],
    ['a frame over 32 KB', text(JSON.stringify({ action: 'sendMessage', requestId: 'r1', text: 'a'.repeat(40_000) })), false, 'frame_too_large'],
  ])('rejects %s with a typed error', (_name, data, isBinary, code) => {
    const result = parseClientFrame(data, isBinary);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.code).toBe(code);
  });

  it('keeps the requestId of a rejected frame so the client can match the error', () => {
    const result = parseClientFrame(text('{"action":"nope","requestId":"r9"}'), false);
    expect(result.ok === false && result.requestId).toBe('r9');
  });
});

describe('serializeFrames', () => {
  it('sends a small frame as it is', () => {
    expect(serializeFrames({ type: 'token', requestId: 'r', text: 'hi' })).toEqual(['{"type":"token","requestId":"r","text":"hi"}']);
  });

  it('splits a token frame over 128 KB into frames under the limit that join back to the text', () => {
    const long = 'マンガ'.repeat(60_000) + '😀'.repeat(10_000);
    const frames = serializeFrames({ type: 'token', requestId: 'r', text: long });
    expect(frames.length).toBeGreaterThan(1);
    for (const f of frames) expect(Buffer.byteLength(f)).toBeLessThanOrEqual(CHAT_LIMITS.maxOutboundFrameBytes);
    expect(frames.map((f) => (JSON.parse(f) as { text: string }).text).join('')).toBe(long);
  });
});
