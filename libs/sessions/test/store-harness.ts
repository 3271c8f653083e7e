import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, ensureTables, tableDefinitions } from '@manga-assist/aws';
import { createRedisConnection } from '@manga-assist/redis';
import type { RedisConnection } from '@manga-assist/redis';
import { createTestLogger, deleteKeysWithPrefix, startDynalite, testRedisUrl, uniquePrefix } from '@manga-assist/testing';
import type { LocalEngine, TestLogger } from '@manga-assist/testing';
import { createSessionStore } from '../src';
import type { SessionStore, SessionStoreOptions } from '../src';

/** One dynalite and one Redis connection per test file; tables and keys unique per test. */
export interface Engines {
  engine: LocalEngine;
  dynamo: DynamoDBClient;
  connection: RedisConnection;
}

export async function startEngines(): Promise<Engines> {
  const engine = await startDynalite();
  const dynamo = createDynamoClient({ region: 'us-east-1', endpoint: engine.endpoint });
  const connection = createRedisConnection({ url: testRedisUrl(), name: 'sessions-test', logger: createTestLogger() });
  await connection.check().catch(() => new Promise((resolve) => connection.redis.once('ready', resolve)));
  return { engine, dynamo, connection };
}

export async function stopEngines({ engine, dynamo, connection }: Engines): Promise<void> {
  await connection.close();
  dynamo.destroy();
  await engine.stop();
}

export interface Fixture {
  store: SessionStore;
  log: TestLogger;
  keyPrefix: string;
  tables: { sessions: string; turns: string };
  /** A store on the same tables and keys with other options (a different clock, Redis, …). */
  storeWith(overrides: Partial<SessionStoreOptions>): SessionStore;
  turnRows(sessionId: string): Promise<number[]>;
  cleanup(): Promise<void>;
}

export async function createFixture(engines: Engines, label: string): Promise<Fixture> {
  const { dynamo, connection } = engines;
  const definitions = tableDefinitions(`t-${randomBytes(4).toString('hex')}-`);
  await ensureTables(dynamo, [definitions.sessions, definitions.turns]);
  const tables = { sessions: definitions.sessions.TableName, turns: definitions.turns.TableName };
  const keyPrefix = uniquePrefix(label);
  const log = createTestLogger();
  const storeWith = (overrides: Partial<SessionStoreOptions>): SessionStore =>
    createSessionStore({ dynamo, redis: connection.redis, tables, keyPrefix, log, ...overrides });
  return {
    store: storeWith({}),
    log,
    keyPrefix,
    tables,
    storeWith,
    async turnRows(sessionId) {
      const { Items = [] } = await dynamo.send(
        new QueryCommand({
          TableName: tables.turns,
          KeyConditionExpression: 'sessionId = :id',
          ExpressionAttributeValues: { ':id': { S: sessionId } },
        }),
      );
      return Items.map((item) => Number(item.seq?.N));
    },
    async cleanup() {
      await deleteKeysWithPrefix(connection.redis, keyPrefix);
      await Promise.all(Object.values(tables).map((TableName) => dynamo.send(new DeleteTableCommand({ TableName }))));
    },
  };
}
