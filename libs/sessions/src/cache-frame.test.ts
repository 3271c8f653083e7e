import { cacheFrameEncoding, frameCacheValue, unframeCacheValue } from './cache-frame';

describe('cache frame', () => {
  it('round-trips both forms and says which one it holds', () => {
    const small = { text: '進撃の巨人' };
    const large = { text: '進撃の巨人'.repeat(1000) };
    const a = frameCacheValue(3, small, 4096);
    const b = frameCacheValue(12, large, 4096);
    expect(cacheFrameEncoding(a)).toBe('json');
    expect(cacheFrameEncoding(b)).toBe('gzip');
    expect(b.length).toBeLessThan(Buffer.byteLength(JSON.stringify(large)));
    expect(unframeCacheValue(a)).toEqual({ version: 3, value: small });
    expect(unframeCacheValue(b)).toEqual({ version: 12, value: large });
  });

  it('refuses something that is not a frame', () => {
    expect(() => unframeCacheValue(Buffer.from('{"a":1}'))).toThrow('not a session cache value');
  });
});
