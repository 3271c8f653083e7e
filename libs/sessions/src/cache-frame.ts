import { decodePayload, encodePayload } from './payload-codec';
import type { PayloadEncoding } from './payload-codec';

// One marker byte tells the two forms apart, so a reader decodes either whatever the writer's
// threshold was. The version follows in decimal so the guarded SET script can compare versions
// without decompressing anything.
const MARKERS: Record<PayloadEncoding, number> = { json: 0x6a /* j */, gzip: 0x7a /* z */ };

export interface CacheFrame {
  version: number;
  value: unknown;
}

/** `<marker><version>:<payload>` where the payload is JSON or gzip'd JSON. */
export function frameCacheValue(version: number, value: unknown, compressOverBytes: number): Buffer {
  const { bytes, encoding } = encodePayload(value, compressOverBytes);
  return Buffer.concat([Buffer.from([MARKERS[encoding]]), Buffer.from(`${version}:`, 'ascii'), bytes]);
}

export function unframeCacheValue(frame: Buffer): CacheFrame {
  const marker = frame[0];
  const encoding: PayloadEncoding | undefined =
    marker === MARKERS.json ? 'json' : marker === MARKERS.gzip ? 'gzip' : undefined;
  const colon = frame.indexOf(0x3a /* : */, 1);
  const version = Number(frame.subarray(1, colon).toString('ascii'));
  if (encoding === undefined || colon === -1 || !Number.isSafeInteger(version)) {
    throw new Error('not a session cache value');
  }
  return { version, value: decodePayload(frame.subarray(colon + 1), encoding) };
}

/** Encoding of a framed value, for tests and size reports. */
export function cacheFrameEncoding(frame: Buffer): PayloadEncoding | undefined {
  return frame[0] === MARKERS.gzip ? 'gzip' : frame[0] === MARKERS.json ? 'json' : undefined;
}
