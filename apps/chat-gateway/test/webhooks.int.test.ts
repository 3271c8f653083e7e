// Webhook intake end to end: the built gateway and post-processor as child processes against the
// real Redis and dynalite. Deliveries are signed the way senders sign them (the standardwebhooks
// and stripe packages); a catalog flood and a stream of payments arrive together.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { loadCatalog } from '@manga-assist/catalog';
import type { CatalogItem } from '@manga-assist/catalog';
import { createDynamoClient, tableDefinitions } from '@manga-assist/aws';
import type { WebhookAck, WebhookError } from '@manga-assist/contracts';
import { startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { createQueueSet } from '@manga-assist/queue';
import type { QueueSet } from '@manga-assist/queue';
import { standardWebhookHeaders, stripeEventBody, stripeWebhookHeaders, testRedisUrl, waitFor, webhookSecrets } from '@manga-assist/testing';

jest.setTimeout(240_000);

// Sizes kept small enough for CI (npm run bench:webhooks sends the 5,000 items and 300/s).
const CATALOG_DELIVERIES = 2; // the code below sends exactly two
const ITEMS_PER_DELIVERY = 1000; // ~450 KB each, under the 1 MB limit
const PAYMENTS = 200;
const PAYMENTS_PER_SECOND = 200;

const secrets = webhookSecrets();

function newTitle(n: number): CatalogItem {
  return {
    id: `C99${String(n).padStart(6, '0')}`,
    madbIds: [`C99${String(n).padStart(6, '0')}`],
    title: `夜明けの配達人${n}号`,
    titleKana: null,
    titleReading: null,
    creator: '試験 花子',
    creatorKana: null,
    originalWorkCreator: null,
    originalWorkCreatorKana: null,
    firstPublished: '2026-11-01',
    demographic: 'seinen',
    genre: null,
    category: 'manga',
    language: 'ja',
    madbUri: `https://example.com/id/C99${n}`,
    synthetic: { priceJpy: 700, stock: 20, weeklySales: 50, volumes: 1, nextVolumeDate: null },
  };
}

describe('webhook intake', () => {
  let system: TestSystem;
  let gateway: string;
  let redis: Redis;
  let queues: QueueSet;
  let catalog: CatalogItem[];

  const post = async (source: string, body: string | Buffer, headers: Record<string, string>) => {
    const response = await fetch(`${gateway}/v1/webhooks/${source}`, { method: 'POST', body, headers });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), json: (await response.json()) as WebhookAck & WebhookError };
  };
  const catalogDelivery = (id: string, items: unknown[], at?: Date) => {
    const body = JSON.stringify({ items });
    return post('catalog', body, standardWebhookHeaders(secrets.standard, id, body, at));
  };
  const payment = (id: string, at?: Date) => {
    const body = stripeEventBody(id);
    return post('payments', body, stripeWebhookHeaders(secrets.stripe, body, at));
  };
  const ask = async (text: string) => {
    const response = await fetch(`${gateway}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${await system.token('u-webhooks')}` },
      body: JSON.stringify({ text, sessionId: `s-${Math.random().toString(36).slice(2)}` }),
    });
    return (await response.json()) as { text: string; done: { cached: boolean } };
  };
  const metric = async (app: 'post-processor' | 'chat-gateway', line: RegExp): Promise<number> => {
    const text = await (await fetch(`${system.urls[app]}/metrics`)).text();
    const match = text.split('\n').find((l) => line.test(l));
    return match ? Number(match.split(' ').pop()) : 0;
  };

  beforeAll(async () => {
    catalog = (await loadCatalog()).items;
    system = await startTestSystem({
      apps: ['chat-gateway', 'post-processor'],
      // Reviews has no secret: a disabled source.
      // A backlog bound below two catalog deliveries: the second is refused (429) until the first drains.
      env: { WEBHOOK_SECRET_CATALOG: secrets.standard, WEBHOOK_SECRET_PAYMENTS: secrets.stripe, WEBHOOK_MAX_BACKLOG: '150' },
    });
    gateway = system.urls['chat-gateway']!;
    redis = new Redis(testRedisUrl());
    queues = createQueueSet({ redisUrl: testRedisUrl(), prefix: system.queuePrefix });
  });

  afterAll(async () => {
    await queues?.close();
    redis?.disconnect();
    await system?.stop();
  });

  it('refuses bad deliveries with typed errors and queues none of them', async () => {
    const item = newTitle(900_001);
    const body = JSON.stringify({ items: [item] });
    const minutes = (n: number) => new Date(Date.now() + n * 60_000);

    expect(await post('orders', body, standardWebhookHeaders(secrets.standard, 'msg_x', body))).toMatchObject({ status: 404, json: { error: { code: 'unknown_source' } } });
    expect(await post('reviews', body, standardWebhookHeaders(secrets.standard, 'msg_x', body))).toMatchObject({ status: 404, json: { error: { code: 'unknown_source' } } });
    expect(await post('catalog', body, standardWebhookHeaders(secrets.otherStandard, 'msg_1', body))).toMatchObject({ status: 401, json: { error: { code: 'invalid_signature' } } });
    // Signed over the sender's bytes, sent re-serialized: not the same bytes, not the same signature.
    const pretty = JSON.stringify({ items: [item] }, null, 2);
    expect(await post('catalog', body, standardWebhookHeaders(secrets.standard, 'msg_2', pretty))).toMatchObject({ status: 401 });
    expect(await catalogDelivery('msg_3', [item], minutes(-6))).toMatchObject({ status: 401, json: { error: { code: 'invalid_signature', message: expect.stringMatching(/too old/) } } });
    expect(await catalogDelivery('msg_4', [item], minutes(6))).toMatchObject({ status: 401, json: { error: { code: 'invalid_signature', message: expect.stringMatching(/too new/) } } });
    expect(await payment('evt_stale', minutes(-6))).toMatchObject({ status: 401, json: { error: { code: 'invalid_signature' } } });
    expect(await payment('evt_future', minutes(6))).toMatchObject({ status: 401, json: { error: { code: 'invalid_signature' } } });
    const stripeBody = stripeEventBody('evt_tampered');
    expect(await post('payments', stripeBody.replace('1200', '1'), stripeWebhookHeaders(secrets.stripe, stripeBody))).toMatchObject({ status: 401 });
    expect(await catalogDelivery('msg_5', Array.from({ length: 2600 }, (_, i) => newTitle(800_000 + i)))).toMatchObject({ status: 413, json: { error: { code: 'body_too_large' } } });
    expect(await catalogDelivery('msg_6', [{ ...item, synthetic: { ...item.synthetic, priceJpy: -5 } }])).toMatchObject({
      status: 400,
      json: { error: { code: 'invalid_body', message: expect.stringMatching(/^items\[0\]\.synthetic\.priceJpy/) } },
    });

    for (const name of ['webhook-catalog', 'webhook-payments'] as const) {
      expect(await queues.get(name).getJobCountByTypes('waiting', 'active', 'completed', 'delayed', 'prioritized')).toBe(0);
    }
  });

  it('takes a catalog flood and a payment stream at once: every delivery acknowledged, payments not behind the catalog, nothing twice, new titles answerable', async () => {
    // An answer about a title already in the catalog, cached before the flood changes that title.
    const known = catalog.find((item) => item.title === '進撃の巨人')!;
    const question = '進撃の巨人の値段は？';
    await ask(question);
    await waitFor(async () => (await ask(question)).done.cached, { timeoutMs: 20_000, intervalMs: 250, description: 'the answer cached' });

    const items = Array.from({ length: CATALOG_DELIVERIES * ITEMS_PER_DELIVERY }, (_, i) => newTitle(i));
    items[0] = { ...known, synthetic: { ...known.synthetic, priceJpy: 999 } };
    const started = Date.now();
    // A sender that honours 429 + Retry-After, as publishers' webhook senders do.
    const refusals: Awaited<ReturnType<typeof catalogDelivery>>[] = [];
    const deliverCatalog = async (d: number) => {
      for (;;) {
        const answer = await catalogDelivery(`msg_flood_${d}`, items.slice(d * ITEMS_PER_DELIVERY, (d + 1) * ITEMS_PER_DELIVERY));
        if (answer.status !== 429) return answer;
        refusals.push(answer);
        await new Promise((r) => setTimeout(r, Number(answer.retryAfter) * 1000));
      }
    };
    const catalogAcks = (async () => {
      const first = await deliverCatalog(0);
      await new Promise((r) => setTimeout(r, 300)); // past the receiver's 250 ms backlog reading
      return [first, await deliverCatalog(1)];
    })();
    // Payments at a steady rate while the catalog is queued and drained.
    const paymentAcks: Promise<Awaited<ReturnType<typeof payment>>>[] = [];
    for (let i = 0; i < PAYMENTS; i++) {
      const due = started + (i * 1000) / PAYMENTS_PER_SECOND;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      paymentAcks.push(payment(`evt_${i}`));
    }
    const acks = [...(await catalogAcks), ...(await Promise.all(paymentAcks))];
    expect(acks.map((a) => a.status)).toEqual(acks.map(() => 200));
    expect((await catalogAcks).map((a) => a.json.jobs)).toEqual([ITEMS_PER_DELIVERY / 10, ITEMS_PER_DELIVERY / 10]);
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) expect(refusal).toMatchObject({ json: { error: { code: 'overloaded' } }, retryAfter: expect.stringMatching(/^[1-9]\d*$/) });

    // Senders retry: the same ids again are acknowledged and dropped.
    const again = [await catalogDelivery('msg_flood_0', items.slice(0, ITEMS_PER_DELIVERY)), ...(await Promise.all(Array.from({ length: 20 }, (_, i) => payment(`evt_${i}`))))];
    expect(again.map((a) => [a.status, a.json.duplicate])).toEqual(again.map(() => [200, true]));

    // Payments drain while catalog jobs are still queued behind their own rate limit.
    await waitFor(async () => (await metric('post-processor', /^manga_assist_webhook_events_total\{source="payments",result="new",/)) === PAYMENTS, {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'every payment processed',
    });
    const catalogDoneWhenPaymentsDrained = await queues.get('webhook-catalog').getCompletedCount();
    const records = await Promise.all(Array.from({ length: PAYMENTS }, (_, i) => redis.get(`${system.keyPrefix}payments:event:evt_${i}`)));
    const delays = records.map((r) => JSON.parse(r!) as { receivedAt: string; processedAt: string }).map((r) => Date.parse(r.processedAt) - Date.parse(r.receivedAt));
    expect(Math.max(...delays)).toBeLessThan(2000);
    expect(catalogDoneWhenPaymentsDrained).toBeLessThan((CATALOG_DELIVERIES * ITEMS_PER_DELIVERY) / 10);

    await waitFor(async () => (await queues.get('webhook-catalog').getCompletedCount()) === (CATALOG_DELIVERIES * ITEMS_PER_DELIVERY) / 10, {
      timeoutMs: 60_000,
      intervalMs: 200,
      description: 'every catalog job processed',
    });
    expect(await metric('post-processor', /^manga_assist_webhook_events_total\{source="catalog",result="new",/)).toBe(CATALOG_DELIVERIES * ITEMS_PER_DELIVERY);
    expect(await metric('post-processor', /^manga_assist_webhook_events_total\{.*result="repeat"\}/)).toBe(0);

    // The product store holds the new works.
    const dynamo = createDynamoClient({ region: 'ap-northeast-1', endpoint: system.dynamoEndpoint });
    const stored = await dynamo.send(new GetItemCommand({ TableName: tableDefinitions(system.tablePrefix).products.TableName, Key: { productId: { S: items[1234]!.id } } }));
    dynamo.destroy();
    expect(stored.Item?.['title']?.S).toBe('夜明けの配達人1234号');

    // The gateway learned them: the next question finds a new title, and the changed title's cached answer is gone.
    await waitFor(async () => (await ask('夜明けの配達人1234号はありますか？')).text.includes('夜明けの配達人1234号'), {
      timeoutMs: 20_000,
      intervalMs: 250,
      description: 'a new title answerable',
    });
    const afterChange = await ask(question);
    expect(afterChange.done.cached).toBe(false);
    expect(afterChange.text).toMatch(/999/);
  });
});
