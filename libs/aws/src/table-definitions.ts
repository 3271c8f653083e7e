import type { AttributeDefinition, CreateTableCommandInput, KeySchemaElement } from '@aws-sdk/client-dynamodb';

/** Prefix of every table and stream name, so environments can share an account. */
export const DEFAULT_RESOURCE_PREFIX = 'manga-assist-';

/**
 * The attribute in which session and turn items carry their expiry (Unix seconds). Reads already
 * ignore an expired item; DynamoDB deletes it once TTL is enabled on this attribute, which the
 * deployment template does (dynalite has no TTL).
 */
export const TTL_ATTRIBUTE = 'ttl';

/**
 * The attribute in which operation items (long analyses) carry their expiry, Unix seconds, 24 h after
 * creation. DynamoDB's TTL deletes them in AWS (the deployment template enables it); dynalite has
 * no UpdateTimeToLive, so reads filter expired items as well.
 */
export const OPERATION_TTL_ATTRIBUTE = 'expiresAt';

export interface TableDefinition extends CreateTableCommandInput {
  TableName: string;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
}

// A type alias, not an interface, so it passes where a Record of definitions is expected.
export type TableDefinitions = {
  /** One item per chat session: hash key `sessionId` (S). */
  sessions: TableDefinition;
  /** Conversation turns: hash key `sessionId` (S), range key `seq` (N). */
  turns: TableDefinition;
  /** The store's catalog: hash key `productId` (S). */
  products: TableDefinition;
  /** Bookkeeping such as catalog import markers: hash key `key` (S). */
  meta: TableDefinition;
  /** Long-running analyses (status monitors): hash key `id` (S), expiry in `expiresAt`. */
  operations: TableDefinition;
};

function table(name: string, hash: string, range?: { name: string; type: 'S' | 'N' }): TableDefinition {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: hash, KeyType: 'HASH' },
      ...(range ? [{ AttributeName: range.name, KeyType: 'RANGE' as const }] : []),
    ],
    AttributeDefinitions: [
      { AttributeName: hash, AttributeType: 'S' },
      ...(range ? [{ AttributeName: range.name, AttributeType: range.type }] : []),
    ],
  };
}

export function tableDefinitions(prefix: string = DEFAULT_RESOURCE_PREFIX): TableDefinitions {
  return {
    sessions: table(`${prefix}sessions`, 'sessionId'),
    turns: table(`${prefix}turns`, 'sessionId', { name: 'seq', type: 'N' }),
    products: table(`${prefix}products`, 'productId'),
    meta: table(`${prefix}meta`, 'key'),
    operations: table(`${prefix}operations`, 'id'),
  };
}
