import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isConditionalFailure } from './conditional-failure';

export type ItemAttributes = Record<string, AttributeValue>;

/** Items of the sessions table (hash key `sessionId`), written under optimistic concurrency. */
export interface SessionsTable {
  get(key: string, options: { consistent: boolean }): Promise<ItemAttributes | undefined>;
  /**
   * Writes `item` if the stored one still has `expectedVersion` (null: if there is none yet).
   * False when another writer got there first; the caller re-reads and tries again.
   */
  putIfVersion(item: ItemAttributes, expectedVersion: number | null): Promise<boolean>;
}

export function createSessionsTable({ dynamo, tableName }: { dynamo: DynamoDBClient; tableName: string }): SessionsTable {
  return {
    async get(key, { consistent }) {
      const { Item } = await dynamo.send(
        new GetItemCommand({ TableName: tableName, Key: { sessionId: { S: key } }, ConsistentRead: consistent }),
      );
      return Item;
    },

    async putIfVersion(item, expectedVersion) {
      try {
        await dynamo.send(
          new PutItemCommand({
            TableName: tableName,
            Item: item,
            ...(expectedVersion === null
              ? { ConditionExpression: 'attribute_not_exists(sessionId)' }
              : {
                  ConditionExpression: '#version = :expected',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
                }),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    },
  };
}
