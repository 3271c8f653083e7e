import { z } from 'zod';

/** A whole number from `min` to `max`: a negative, fractional or absurd limit stops the gateway at start. */
function limit(defaultValue: number, min: number, max: number) {
  return z
    .string()
    .default(String(defaultValue))
    .transform((value, ctx) => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });
}

/** `https://shop.example.jp,https://m.shop.example.jp`: each an origin (scheme, host, optional port), or `*`. */
const originList = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const list = value.split(',').map((o) => o.trim()).filter(Boolean);
    const bad = list.filter((o) => o !== '*' && !isOrigin(o));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of origins such as https://shop.example.jp (not an origin: ${bad.join(', ')})` });
      return z.NEVER;
    }
    return list.map((o) => (o === '*' ? o : new URL(o).origin));
  });

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/**
 * Fair limits, shared by every gateway instance through Redis (see the gateway README, "Fair
 * limits", for why each default). Flash sales (seed 002: 500 → 2,200 requests/s) bring more
 * people, not faster people: the per-user limits sit well above what someone typing can send, and
 * the per-IP ones leave room for the many customers behind one carrier-grade NAT.
 */
export const limitsShape = {
  /** Chat messages one user may send per LIMIT_MESSAGES_WINDOW_S, over every door and instance (WebSocket, /v1/chat, /v1/chat/completions). */
  LIMIT_MESSAGES: limit(30, 1, 100_000),
  /** The window the message limit counts over, in seconds. */
  LIMIT_MESSAGES_WINDOW_S: limit(60, 1, 86_400),
  /** Analyses one user may start per hour (POST /v1/analyze). */
  LIMIT_ANALYSES_PER_HOUR: limit(20, 1, 100_000),
  /** WebSocket connections one user may hold open at once (tabs and devices). */
  LIMIT_CONNECTIONS_PER_USER: limit(10, 1, 100_000),
  /** WebSocket connections one client IP may hold open at once (a carrier NAT hides many customers). */
  LIMIT_CONNECTIONS_PER_IP: limit(300, 1, 1_000_000),
  /** New WebSocket connections one client IP may open per second (a reconnect storm after a deploy). */
  LIMIT_NEW_CONNECTIONS_PER_IP_PER_SECOND: limit(30, 1, 100_000),
  /** Webhook deliveries taken from one source per second (beyond: 429 + Retry-After; senders retry). */
  LIMIT_WEBHOOKS_PER_SOURCE_PER_SECOND: limit(200, 1, 100_000),
  /** Seconds an open connection's slot outlives its last heartbeat: what a crashed instance leaks, at most. */
  LIMIT_CONNECTION_LEASE_S: limit(30, 3, 3600),
  /** Origins allowed to open the WebSocket besides the gateway's own pages; `*` allows any. No Origin (non-browser clients) is always allowed. */
  ALLOWED_ORIGINS: originList,
  /** Proxies in front of the gateway that append to X-Forwarded-For (1 behind an ALB); 0 uses the socket's address. */
  TRUST_PROXY_HOPS: limit(0, 0, 10),
};

export type LimitsSettings = z.output<z.ZodObject<typeof limitsShape>>;
