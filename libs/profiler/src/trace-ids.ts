import { randomFillSync } from 'node:crypto';

const TRACE_ID = /^[0-9a-f]{32}$/;
const ALL_ZEROS = /^0+$/;
const XRAY_TRACE_ID = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;

/**
 * A W3C/OpenTelemetry trace id (32 lowercase hex digits) that is also a valid X-Ray trace id: the
 * first 8 digits are the epoch seconds, the other 24 random. X-Ray rejects ids whose time part is
 * more than 30 days old, so random ids from elsewhere do not convert reliably; these do.
 */
export function newTraceId(nowMs: number = Date.now()): string {
  return Math.floor(nowMs / 1000).toString(16).padStart(8, '0') + randomHex12();
}

// Random bytes for trace ids are drawn 4 KB at a time (as crypto.randomUUID pools its own): one call
// into the CSPRNG per 341 requests instead of one per request (~2.5 µs each here, ~0.2 µs pooled).
const POOL = Buffer.alloc(4092);
let poolOffset = POOL.length;
function randomHex12(): string {
  if (poolOffset === POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const hex = POOL.toString('hex', poolOffset, poolOffset + 12);
  poolOffset += 12;
  return hex;
}

/** `0123456789abcdef…` → `1-01234567-89abcdef…`, the form X-Ray shows and searches for. */
export function toXRayTraceId(traceId: string): string {
  if (!TRACE_ID.test(traceId)) throw new Error(`trace id must be 32 lowercase hex digits, got "${traceId}"`);
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/** `1-01234567-89abcdef…` → `0123456789abcdef…`. */
export function fromXRayTraceId(xrayTraceId: string): string {
  const match = XRAY_TRACE_ID.exec(xrayTraceId);
  if (!match) throw new Error(`X-Ray trace id must look like 1-<8 hex>-<24 hex>, got "${xrayTraceId}"`);
  return match[1] + match[2];
}

/** The 32-hex form of a trace id given in either form; null when it is neither, or all zeros. */
export function normalizeTraceId(traceId: string): string | null {
  const match = XRAY_TRACE_ID.exec(traceId);
  const id = match ? match[1] + match[2] : traceId;
  return TRACE_ID.test(id) && !ALL_ZEROS.test(id) ? id : null;
}
