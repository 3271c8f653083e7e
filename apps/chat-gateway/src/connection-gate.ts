import type { IncomingMessage } from 'node:http';
import type { ErrorCode } from '@manga-assist/contracts';
import type { FairLimits, LimitDecision } from './fair-limits';
import type { LimitsSettings } from './limits-config';

/** Why an upgrade is answered with an HTTP error instead of a socket. */
export interface UpgradeRefusal {
  status: 403 | 429;
  code: Extract<ErrorCode, 'origin_not_allowed' | 'rate_limited' | 'too_many_connections'>;
  message: string;
  retryAfterMs?: number;
}

export type Admission = { allowed: true; release(): Promise<void> } | { allowed: false; refusal: UpgradeRefusal };

/** What the chat socket asks before and after authenticating an upgrade, and before each message. */
export interface ConnectionGate {
  /** The Origin and the IP's rate of new connections: checked before the token is (cheap first). */
  beforeAuth(request: IncomingMessage): Promise<UpgradeRefusal | undefined>;
  /** A slot for the connection, per user and per IP; released when it closes. */
  admit(request: IncomingMessage, connectionId: string, userId: string): Promise<Admission>;
  /** One chat message of `userId` against their per-minute limit. */
  message(userId: string): Promise<LimitDecision>;
  /** One long analysis of `userId` against their per-hour limit. */
  analysis(userId: string): Promise<LimitDecision>;
}

/**
 * The client's address: the socket's own, or with TRUST_PROXY_HOPS proxies in front (an ALB
 * appends the address it saw), the entry of X-Forwarded-For that the nearest trusted proxy wrote.
 * Entries further left are the client's to write and are not believed.
 */
export function clientIp(request: IncomingMessage, trustedHops: number): string {
  const socketIp = request.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return socketIp;
  const header = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => h.trim()).filter(Boolean);
  return hops[hops.length - trustedHops] ?? hops[0] ?? socketIp;
}

/**
 * The Origin rule: no Origin (a server-side or command-line client: it could send any Origin it
 * liked anyway) and the gateway's own pages (Origin equals the Host asked for) are allowed; any
 * other browser page only when listed in ALLOWED_ORIGINS (or `*`). What it stops is another site's
 * page opening a chat socket with a token its visitor left in that browser.
 */
export function originAllowed(request: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    const { host, protocol } = new URL(origin);
    return (protocol === 'http:' || protocol === 'https:') && host === request.headers.host;
  } catch {
    return false;
  }
}

export function createConnectionGate(limits: FairLimits, config: Pick<LimitsSettings, 'ALLOWED_ORIGINS' | 'TRUST_PROXY_HOPS'>): ConnectionGate {
  return {
    async beforeAuth(request) {
      if (!originAllowed(request, config.ALLOWED_ORIGINS)) {
        return { status: 403, code: 'origin_not_allowed', message: `pages from ${String(request.headers.origin).slice(0, 200)} may not open the chat socket` };
      }
      const decision = await limits.consume('new_connections_per_ip', clientIp(request, config.TRUST_PROXY_HOPS));
      if (!decision.allowed) {
        return { status: 429, code: 'rate_limited', message: 'too many new connections from this address; try again shortly', retryAfterMs: decision.retryAfterMs };
      }
      return undefined;
    },
    async admit(request, connectionId, userId) {
      const lease = await limits.openConnection(connectionId, userId, clientIp(request, config.TRUST_PROXY_HOPS));
      if (lease.allowed) return lease;
      const message = lease.limit === 'connections_per_user' ? 'too many open connections for this user: close one first' : 'too many open connections from this address: close one first';
      return { allowed: false, refusal: { status: 429, code: 'too_many_connections', message, retryAfterMs: lease.retryAfterMs } };
    },
    message: (userId) => limits.consume('messages', userId),
    analysis: (userId) => limits.consume('analyses', userId),
  };
}
