import { gunzipSync, gzipSync } from 'node:zlib';

export type PayloadEncoding = 'gzip' | 'json';

export interface EncodedPayload {
  bytes: Buffer;
  encoding: PayloadEncoding;
  /** Size of the JSON before compression, for metrics and logs. */
  jsonBytes: number;
}

/**
 * JSON as UTF-8, gzip'd when it is larger than `compressOverBytes`: a session's recent turns in
 * Japanese run to several KB, and both DynamoDB (billed per KB) and Redis (memory) charge by size.
 * Small payloads stay plain because gzip's header and CPU would buy nothing.
 */
export function encodePayload(value: unknown, compressOverBytes: number): EncodedPayload {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  if (json.length <= compressOverBytes) return { bytes: json, encoding: 'json', jsonBytes: json.length };
  return { bytes: gzipSync(json), encoding: 'gzip', jsonBytes: json.length };
}

export function decodePayload(bytes: Uint8Array, encoding: PayloadEncoding): unknown {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const json = encoding === 'gzip' ? gunzipSync(buffer) : buffer;
  return JSON.parse(json.toString('utf8')) as unknown;
}
