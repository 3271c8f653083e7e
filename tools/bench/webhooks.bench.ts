// Webhook receipt at the load, in one run:
//   1. a bare Fastify server that only answers 200 (tools/bench/webhook-floor.cjs), at 300
//      payment deliveries per second (open loop: each delivery is sent on schedule whatever the
//      answers do, so a slow answer cannot hide itself by holding back the next);
//   2. the gateway's POST /v1/webhooks/payments at the same pace, alone;
//   3. the same again while a 5,000-item catalog delivery (5 deliveries of 1,000 items, 500 jobs)
//      arrives in the first second; then how long the post-processor took to drain each source.
// Deliveries are signed before the clock starts (signing is the sender's cost).
// Run: npm run bench:webhooks   (BENCH_SECONDS, BENCH_RATE to change the load)
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { makeCatalogItem } from '@manga-assist/catalog';
import type { CatalogItem } from '@manga-assist/catalog';
import { createQueueSet } from '@manga-assist/queue';
import { spawnProcess, standardWebhookHeaders, stripeEventBody, stripeWebhookHeaders, testRedisUrl, waitFor, webhookSecrets } from '@manga-assist/testing';
import type { Histogram } from 'hdr-histogram-js';
import { histogram, startBenchSystem, table } from './bench-support';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const RATE = Number(process.env['BENCH_RATE'] ?? 300);
const CATALOG_ITEMS = 5000;
const ITEMS_PER_DELIVERY = 1000;

interface Delivery {
  url: string;
  body: string;
  headers: Record<string, string>;
}

function catalogItem(n: number): CatalogItem {
  return makeCatalogItem({ id: `C98${String(n).padStart(6, '0')}`, title: `ベンチ書店の新刊${n}`, synthetic: { priceJpy: 600, stock: 5, weeklySales: 10, volumes: 1 } });
}

// Plain node:http over keep-alive sockets: the cheapest client Node has, so the sender is not what is measured.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function send({ url, body, headers }: Delivery): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Sends `deliveries` on a fixed schedule (open loop) and records each acknowledgement time in µs. */
async function paced(deliveries: Delivery[], rate: number): Promise<{ latency: Histogram; statuses: Map<number, number> }> {
  const latency = histogram();
  const statuses = new Map<number, number>();
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < deliveries.length; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const sent = performance.now();
    inFlight.push(
      send(deliveries[i]!).then((status) => {
        // From the scheduled send time: a sender held back by a busy loop counts as waiting.
        latency.recordValue(Math.max(1, Math.round((performance.now() - Math.min(sent, due)) * 1000)));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
    );
  }
  await Promise.all(inFlight);
  return { latency, statuses };
}

async function main() {
  const secrets = webhookSecrets();
  const floor = spawnProcess(process.execPath, [path.join(__dirname, 'webhook-floor.cjs')]);
  const [, floorPort] = await floor.waitForOutput(/listening (\d+)/, 10_000);
  const system = await startBenchSystem({ WEBHOOK_SECRET_CATALOG: secrets.standard, WEBHOOK_SECRET_PAYMENTS: secrets.stripe });
  const queues = createQueueSet({ redisUrl: testRedisUrl(), prefix: system.env['QUEUE_PREFIX']! });
  const redis = new Redis(testRedisUrl());
  try {
    const count = SECONDS * RATE;
    const payments = (round: string, url: string): Delivery[] =>
      Array.from({ length: count }, (_, i) => {
        const body = stripeEventBody(`evt_${round}_${i}`);
        return { url, body, headers: stripeWebhookHeaders(secrets.stripe, body) };
      });
    const gatewayUrl = `${system.gatewayUrl}/v1/webhooks/payments`;
    const floorUrl = `http://127.0.0.1:${floorPort}/v1/webhooks/payments`;

    // Warm both servers (connections, JIT) before measuring.
    await paced(payments('warm', gatewayUrl).slice(0, RATE), RATE);
    await paced(payments('warm', floorUrl).slice(0, RATE), RATE);

    const bare = await paced(payments('bare', floorUrl), RATE);
    const alone = await paced(payments('alone', gatewayUrl), RATE);

    const catalogDeliveries: Delivery[] = Array.from({ length: CATALOG_ITEMS / ITEMS_PER_DELIVERY }, (_, d) => {
      const body = JSON.stringify({ items: Array.from({ length: ITEMS_PER_DELIVERY }, (_, i) => catalogItem(d * ITEMS_PER_DELIVERY + i)) });
      return { url: `${system.gatewayUrl}/v1/webhooks/catalog`, body, headers: standardWebhookHeaders(secrets.standard, `msg_bench_${d}`, body) };
    });
    const floodStarted = Date.now();
    const [flood, catalogAcks] = await Promise.all([paced(payments('flood', gatewayUrl), RATE), paced(catalogDeliveries, catalogDeliveries.length)]);
    const paymentsQueue = queues.get('webhook-payments');
    const catalogQueue = queues.get('webhook-catalog');
    const expectedPayments = RATE + count * 2; // warm-up, alone, flood
    await waitFor(async () => (await paymentsQueue.getCompletedCount()) >= expectedPayments, { timeoutMs: 120_000, intervalMs: 100 });
    const paymentsDrainedMs = Date.now() - floodStarted;
    await waitFor(async () => (await catalogQueue.getCompletedCount()) >= CATALOG_ITEMS / 10, { timeoutMs: 300_000, intervalMs: 200 });
    const catalogDrainedMs = Date.now() - floodStarted;

    const statusLine = (s: Map<number, number>) => [...s].map(([code, n]) => `${code}×${n}`).join(' ');
    console.log(`webhook receipt: ${RATE} deliveries/s for ${SECONDS} s per row (open loop), latency from the scheduled send`);
    console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (1, 5, 15 min) at the end of the run`);
    console.log(
      table([
        ['bare Fastify, answers 200 only', bare.latency],
        ['gateway /v1/webhooks/payments, alone', alone.latency],
        ['gateway /v1/webhooks/payments, catalog flood', flood.latency],
        ['gateway /v1/webhooks/catalog, 1,000 items each', catalogAcks.latency],
      ]),
    );
    console.log(`statuses: bare ${statusLine(bare.statuses)} | alone ${statusLine(alone.statuses)} | flood ${statusLine(flood.statuses)} | catalog ${statusLine(catalogAcks.statuses)}`);
    console.log(`during the flood: payments drained ${paymentsDrainedMs} ms after it began; the catalog's ${CATALOG_ITEMS / 10} jobs (${CATALOG_ITEMS} items) drained after ${catalogDrainedMs} ms`);
  } finally {
    await queues.close();
    redis.disconnect();
    await system.stop();
    await floor.stop('SIGTERM', { killAfterMs: 5000 });
    agent.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
