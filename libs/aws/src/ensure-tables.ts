import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import { describeEndpoint } from './client-endpoint';
import { EngineUnavailableError, classifyFailure, errorName } from './engine-error';
import type { Logger } from './logger';
import type { TableDefinition } from './table-definitions';
import { pollUntil } from './poll-until';

export interface EnsureOptions {
  log?: Logger;
  /** How long one table or stream may take to become ACTIVE. */
  timeoutMs?: number;
}

export interface EnsureResult {
  name: string;
  created: boolean;
}

/**
 * Creates each table that does not exist yet and waits until all are ACTIVE. Safe to run on
 * every start and from several processes at once; an existing table with another key schema is
 * an error rather than something to write into.
 */
export async function ensureTables(
  client: DynamoDBClient,
  definitions: readonly TableDefinition[] | Readonly<Record<string, TableDefinition>>,
  { log, timeoutMs = 120_000 }: EnsureOptions = {},
): Promise<EnsureResult[]> {
  return Promise.all(
    Object.values(definitions).map(async (definition): Promise<EnsureResult> => {
      const name = definition.TableName;
      let created = false;
      let table = await describe(client, name);
      if (!table) {
        try {
          await client.send(new CreateTableCommand(definition));
          created = true;
          log?.info({ table: name }, 'created DynamoDB table');
        } catch (error) {
          // Another process created it between our describe and create.
          if (errorName(error) !== 'ResourceInUseException') throw await wrap(client, name, error);
        }
      }
      table = await pollUntil(() => describe(client, name), (t) => t?.TableStatus === 'ACTIVE', {
        timeoutMs,
        what: `DynamoDB table ${name} to become ACTIVE`,
      });
      assertSameKeys(definition, table);
      return { name, created };
    }),
  );
}

async function describe(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw await wrap(client, name, error);
  }
}

async function wrap(client: DynamoDBClient, name: string, error: unknown): Promise<EngineUnavailableError> {
  return new EngineUnavailableError({
    service: 'DynamoDB',
    resource: `table ${name}`,
    endpoint: await describeEndpoint(client),
    failure: classifyFailure(error),
    cause: error,
  });
}

function assertSameKeys(definition: TableDefinition, table: TableDescription | undefined): void {
  const types = new Map((table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  const actual = (table?.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}:${types.get(k.AttributeName)}`);
  const wantedTypes = new Map(definition.AttributeDefinitions.map((a) => [a.AttributeName, a.AttributeType]));
  const wanted = definition.KeySchema.map((k) => `${k.AttributeName}:${k.KeyType}:${wantedTypes.get(k.AttributeName)}`);
  if (actual.join(',') !== wanted.join(',')) {
    throw new Error(
      `DynamoDB table ${definition.TableName} exists with key schema [${actual.join(', ')}], expected [${wanted.join(', ')}]`,
    );
  }
}
