import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fromAttributeMap, toAttributeMap } from '@manga-assist/aws';
import { ChatTurnSchema } from '@manga-assist/contracts';
import type { ChatTurn } from '@manga-assist/contracts';
import { isConditionalFailure } from './conditional-failure';

/**
 * Every turn of every session, one row each (hash `sessionId`, range `seq`): the record the
 * session's window and summary are derived from, whatever order the turns arrived in.
 */
export interface TurnsTable {
  /** Stores the turn unless its seq is already stored (and not expired); false for a duplicate. */
  put(sessionId: string, turn: ChatTurn, ttl: number, nowSeconds: number): Promise<boolean>;
  get(sessionId: string, seq: number, nowSeconds: number): Promise<ChatTurn | undefined>;
  /** All unexpired turns of a session, in seq order. */
  list(sessionId: string, nowSeconds: number): Promise<ChatTurn[]>;
}

export function createTurnsTable({ dynamo, tableName }: { dynamo: DynamoDBClient; tableName: string }): TurnsTable {
  const toTurn = (item: Record<string, AttributeValue>): ChatTurn => {
    const { seq, requestId, user, assistant, intent, at } = fromAttributeMap(item);
    return ChatTurnSchema.parse({ seq, requestId, user, assistant, intent, at });
  };
  // dynalite never deletes expired items, and DynamoDB only eventually: an expired row is absent.
  const isLive = (item: Record<string, AttributeValue>, nowSeconds: number): boolean =>
    item.ttl?.N === undefined || Number(item.ttl.N) > nowSeconds;

  return {
    async put(sessionId, turn, ttl, nowSeconds) {
      try {
        await dynamo.send(
          new PutItemCommand({
            TableName: tableName,
            Item: toAttributeMap({ sessionId, ...turn, ttl }),
            ConditionExpression: 'attribute_not_exists(seq) OR #ttl <= :now',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalFailure(error)) return false;
        throw error;
      }
    },

    async get(sessionId, seq, nowSeconds) {
      const { Item } = await dynamo.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { sessionId: { S: sessionId }, seq: { N: String(seq) } },
          ConsistentRead: true,
        }),
      );
      return Item !== undefined && isLive(Item, nowSeconds) ? toTurn(Item) : undefined;
    },

    async list(sessionId, nowSeconds) {
      const turns: ChatTurn[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await dynamo.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'sessionId = :id',
            ExpressionAttributeValues: { ':id': { S: sessionId } },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) if (isLive(item, nowSeconds)) turns.push(toTurn(item));
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return turns;
    },
  };
}
