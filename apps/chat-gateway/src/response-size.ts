import type { AppServer } from '@manga-assist/server';
import { Histogram } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export const RESPONSE_BYTES_METRIC = 'manga_assist_response_bytes';

/** From 256 B to API Gateway's limits: 128 KB (a WebSocket frame) and 10 MB (a REST or HTTP API response). */
const BUCKETS = [256, 1024, 4096, 16_384, 65_536, 131_072, 262_144, 1_048_576, 4_194_304, 10_485_760];

/**
 * The size of everything the gateway sends, by door (`http`, `websocket`) and route (the HTTP
 * route's pattern, `unmatched` for none, or the frame type). One histogram per registry: the HTTP
 * hook and the socket server share it.
 */
export function responseBytesHistogram(registry: Registry): Histogram<'door' | 'route'> {
  const existing = registry.getSingleMetric(RESPONSE_BYTES_METRIC);
  if (existing) return existing as Histogram<'door' | 'route'>;
  return new Histogram({
    name: RESPONSE_BYTES_METRIC,
    help: 'Bytes of each HTTP response (status line, headers and body as written to the socket) and each WebSocket frame (its JSON text).',
    labelNames: ['door', 'route'],
    buckets: BUCKETS,
    registers: [registry],
  });
}

/**
 * Records the size of every HTTP response, streamed ones (Server-Sent Events) included: the bytes
 * the connection wrote between the request's arrival and the response's end (or the client
 * leaving). HTTP/1.1 answers one request at a time per connection, so the difference is this
 * response's.
 */
export function recordHttpResponseSizes(server: AppServer, registry: Registry): void {
  const histogram = responseBytesHistogram(registry);
  server.addHook('onRequest', (request, reply, done) => {
    const socket = request.raw.socket;
    const before = socket.bytesWritten;
    const route = request.routeOptions.url ?? 'unmatched';
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      histogram.observe({ door: 'http', route }, Math.max(0, socket.bytesWritten - before));
    };
    reply.raw.once('finish', record);
    reply.raw.once('close', record);
    done();
  });
}
