import type { IncomingHttpHeaders } from 'node:http';

/** The subprotocol a browser offers beside its token: `new WebSocket(url, ['bearer', token])`. */
export const BEARER_SUBPROTOCOL = 'bearer';

/** `Authorization: Bearer <token>`; undefined when absent or another scheme. */
export function bearerFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

/**
 * A WebSocket upgrade's token: the Authorization header (server-side clients), else the
 * `Sec-WebSocket-Protocol: bearer, <token>` pair (browsers cannot set headers on a WebSocket; the
 * subprotocol keeps the token out of URLs and access logs), else `?access_token=` (tools that can
 * do neither).
 */
export function tokenFromUpgrade(headers: IncomingHttpHeaders, url: URL): string | undefined {
  const header = bearerFromHeaders(headers);
  if (header) return header;
  const offered = (headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const at = offered.indexOf(BEARER_SUBPROTOCOL);
  if (at >= 0 && offered[at + 1]) return offered[at + 1];
  return url.searchParams.get('access_token') ?? undefined;
}
