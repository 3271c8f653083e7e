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

describe('serializeFrames keeps every frame within 128 KB', () => {
  const product = (i: number, titleChars: number) => ({
    id: `C${1000 + i}`,
    title: `長いタイトル${i}`.padEnd(titleChars, 'あ'),
    creator: null,
    priceJpy: 500,
    inStock: true,
    demographic: null,
    nextVolumeDate: null,
  });
  const done = (products: ReturnType<typeof product>[]) =>
    ({ type: 'done', requestId: 'r', cached: false, model: 'haiku', intent: 'recommendation', timings: { total: 12 }, products }) as const;

  it('trims the products of a done frame over the limit from the end and says how many it left off', () => {
    const products = Array.from({ length: 5 }, (_, i) => product(i, 12_000)); // ~36 KB each as UTF-8
    const [json, ...rest] = serializeFrames(done(products));
    expect(rest).toEqual([]);
    expect(Buffer.byteLength(json!)).toBeLessThanOrEqual(CHAT_LIMITS.maxOutboundFrameBytes);
    const sent = JSON.parse(json!) as { products: { id: string }[]; productsTrimmed: number };
    expect(sent.products.map((p) => p.id)).toEqual(['C1000', 'C1001', 'C1002']);
    expect(sent.productsTrimmed).toBe(2);
  });

  it('leaves a done frame within the limit as it is, without a trimmed count', () => {
    const frame = done([product(0, 20), product(1, 20)]);
    expect(serializeFrames(frame)).toEqual([JSON.stringify(frame)]);
  });

  it('sends a done frame with no products and the count when even one product is too large', () => {
    const [json] = serializeFrames(done([product(0, 50_000)]));
    expect(JSON.parse(json!)).toMatchObject({ type: 'done', products: [], productsTrimmed: 1 });
  });

  it('answers a frame that can be neither split nor trimmed with a typed error for its request', () => {
    const [json, ...rest] = serializeFrames({ type: 'revision', requestId: 'r7', text: 'x'.repeat(200_000) });
    expect(rest).toEqual([]);
    expect(JSON.parse(json!)).toEqual({ type: 'error', requestId: 'r7', code: 'response_too_large', message: expect.stringContaining('131072-byte frame limit') });
  });
});
