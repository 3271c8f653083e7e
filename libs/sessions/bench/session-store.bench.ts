// Measures the session store on this machine: load from Redis vs DynamoDB (dynalite), appendTurn,
// and stored sizes of a 20-turn Japanese conversation with and without gzip.
// Run: npx tsx --tsconfig libs/sessions/tsconfig.json libs/sessions/bench/session-store.bench.ts
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, ensureTables, tableDefinitions } from '@manga-assist/aws';
import { createRedisConnection } from '@manga-assist/redis';
import { createTestLogger, deleteKeysWithPrefix, startDynalite, testRedisUrl, uniquePrefix } from '@manga-assist/testing';
import { cacheFrameEncoding, createSessionStore } from '../src';
import { japaneseConversation } from '../test/japanese-conversation';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROUNDS = Number(process.env.ROUNDS ?? 1000);

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): string => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(3);
  const mean = (samples.reduce((a, b) => a + b, 0) / samples.length).toFixed(3);
  return `p50 ${at(0.5)} ms · p95 ${at(0.95)} ms · p99 ${at(0.99)} ms · mean ${mean} ms (n=${samples.length})`;
}

async function main(): Promise<void> {
  const engine = await startDynalite();
  const dynamo = createDynamoClient({ region: 'us-east-1', endpoint: engine.endpoint });
  const connection = createRedisConnection({ url: testRedisUrl(), name: 'sessions-bench', logger: createTestLogger() });
  const definitions = tableDefinitions(`bench-${randomBytes(4).toString('hex')}-`);
  const tables = { sessions: definitions.sessions.TableName, turns: definitions.turns.TableName };
  const keyPrefix = uniquePrefix('sessions-bench');
  const redis = connection.redis;
  try {
    await ensureTables(dynamo, [definitions.sessions, definitions.turns]);
    const store = createSessionStore({ dynamo, redis, tables, keyPrefix, log: createTestLogger() });
    const turns = japaneseConversation(20);

    const appendMs: number[] = [];
    for (const turn of turns) {
      const start = performance.now();
      await store.appendTurn('bench', turn);
      appendMs.push(performance.now() - start);
    }

    // Sizes: the whole history, and what the store keeps (last 5 turns + summary).
    const history = Buffer.from(JSON.stringify(turns));
    const { Item } = await dynamo.send(new GetItemCommand({ TableName: tables.sessions, Key: { sessionId: { S: 'bench' } } }));
    const ctx = Buffer.from(Item!.ctx!.B!);
    const { session } = await store.load('bench');
    const sessionJson = Buffer.from(JSON.stringify(session));
    const frame = (await redis.getBuffer(`${keyPrefix}session:bench`))!;
    console.log('sizes (bytes), 20-turn Japanese conversation:');
    console.log(`  all 20 turns as JSON              ${history.length} → gzip ${gzipSync(history).length}`);
    const ctxJson = Item!.ctxEncoding!.S === 'gzip' ? gunzipSync(ctx).length : ctx.length;
    console.log(`  DynamoDB ctx (5 turns + summary)  ${ctxJson} → ${Item!.ctxEncoding!.S} ${ctx.length}`);
    console.log(`  Redis value (session as JSON)     ${sessionJson.length} → ${cacheFrameEncoding(frame)} frame ${frame.length}`);
    console.log(`  summary: ${Array.from(session!.summary).length} chars: ${session!.summary}`);

    const fromRedis: number[] = [];
    const fromDynamo: number[] = [];
    for (let i = 0; i < 100; i++) await store.load('bench'); // warm sockets and JIT
    for (let i = 0; i < ROUNDS; i++) {
      let start = performance.now();
      const hit = await store.load('bench');
      fromRedis.push(performance.now() - start);
      await redis.del(`${keyPrefix}session:bench`);
      start = performance.now();
      const miss = await store.load('bench');
      fromDynamo.push(performance.now() - start);
      if (hit.source !== 'redis' || miss.source !== 'dynamodb') throw new Error('unexpected load source');
    }
    console.log(`load from redis     ${stats(fromRedis)}`);
    console.log(`load from dynamodb  ${stats(fromDynamo)}  (dynalite; includes refilling Redis)`);
    console.log(`appendTurn          ${stats(appendMs)}`);
  } finally {
    await deleteKeysWithPrefix(redis, keyPrefix);
    await Promise.all(Object.values(tables).map((TableName) => dynamo.send(new DeleteTableCommand({ TableName }))));
    await connection.close();
    dynamo.destroy();
    await engine.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
