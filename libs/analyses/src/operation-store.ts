import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fromAttributeMap, toAttributeMap } from '@manga-assist/aws';
import type { Item } from '@manga-assist/aws';
import { ANALYSIS_LIMITS, OperationSchema } from '@manga-assist/contracts';
import type { AnalysisError, AnalysisKind, AnalysisProgress, AnalysisResult, Operation, OperationStatus } from '@manga-assist/contracts';

/** An operation as stored: the status monitor plus whose it is and what request made it. */
export interface StoredOperation {
  operation: Operation;
  userId: string;
  /** Hash of the request that created it (a retried POST with the same Idempotency-Key must match). */
  requestHash: string;
}

export interface NewOperation {
  id: string;
  userId: string;
  requestHash: string;
  kind: AnalysisKind;
  titles: string[];
  question?: string;
  sessionId?: string;
}

export type FinalOutcome = { status: 'Succeeded'; result: AnalysisResult } | { status: 'Failed'; error: AnalysisError };

export interface OperationStore {
  /** Stores a new operation (NotStarted); an unexpired one under the same id is returned instead, untouched. */
  create(input: NewOperation): Promise<{ stored: StoredOperation; created: boolean }>;
  /** The operation, or undefined when there is none or it has expired. */
  get(id: string): Promise<StoredOperation | undefined>;
  /** Marks attempt `attempt` as running; undefined when the operation is finished or canceled (nothing to run). */
  start(id: string, attempt: number): Promise<Operation | undefined>;
  /** Records progress while this attempt runs; false once the operation is no longer running (canceled). */
  progress(id: string, attempt: number, progress: AnalysisProgress): Promise<boolean>;
  /**
   * The one final write: stored only while the operation is still running, so a result is stored
   * once even if two workers ran it, and never over a cancel. Undefined when it was not stored.
   */
  finish(id: string, outcome: FinalOutcome): Promise<Operation | undefined>;
  /** Cancels a NotStarted or Running operation; `canceled: false` with the operation as it is otherwise. */
  cancel(id: string): Promise<{ canceled: boolean; operation: Operation | undefined }>;
}

export interface OperationStoreOptions {
  dynamo: DynamoDBClient;
  tableName: string;
  /** Seconds an operation is kept (24 h). */
  retentionSeconds?: number;
  now?: () => number;
}

const ACTIVE: OperationStatus[] = ['NotStarted', 'Running'];

/**
 * Operations in DynamoDB, one item per id, with `expiresAt` (Unix seconds) for TTL. Every change is
 * a conditional write on `status`, so the state only moves forward: NotStarted → Running →
 * Succeeded | Failed, and Canceled from either of the first two.
 */
export function createOperationStore(options: OperationStoreOptions): OperationStore {
  const { dynamo, tableName, retentionSeconds = ANALYSIS_LIMITS.retentionSeconds, now = Date.now } = options;
  const key = (id: string) => ({ id: { S: id } });
  const nowSeconds = () => Math.floor(now() / 1000);

  const read = (item: Record<string, AttributeValue> | undefined): StoredOperation | undefined => {
    if (!item) return undefined;
    const raw = fromAttributeMap(item) as Record<string, unknown>;
    // Expired items linger until DynamoDB's TTL sweep (and forever in dynalite): treat them as gone.
    if (typeof raw['expiresAt'] !== 'number' || raw['expiresAt'] <= nowSeconds()) return undefined;
    const operation = OperationSchema.parse({
      id: raw['id'],
      kind: raw['kind'],
      titles: raw['titles'],
      question: raw['question'] ?? undefined,
      sessionId: raw['sessionId'] ?? undefined,
      status: raw['status'],
      progress: raw['progress'],
      attempts: raw['attempts'],
      createdAt: raw['createdAt'],
      updatedAt: raw['updatedAt'],
      expiresAt: new Date((raw['expiresAt'] as number) * 1000).toISOString(),
      result: raw['result'] ?? undefined,
      error: raw['error'] ?? undefined,
    });
    return { operation, userId: String(raw['userId']), requestHash: String(raw['requestHash']) };
  };

  const get = async (id: string) => read((await dynamo.send(new GetItemCommand({ TableName: tableName, Key: key(id), ConsistentRead: true }))).Item);

  /** A conditional update; undefined when the condition did not hold. */
  const update = async (id: string, set: Record<string, Item[string]>, allowed: OperationStatus[]) => {
    const names: Record<string, string> = { '#status': 'status', '#expiresAt': 'expiresAt' };
    const values: Record<string, AttributeValue> = { ':now': { N: String(nowSeconds()) } };
    const assignments: string[] = [];
    for (const [field, value] of Object.entries({ ...set, updatedAt: new Date(now()).toISOString() })) {
      names[`#${field}`] = field;
      values[`:${field}`] = toAttributeMap({ v: value }).v!;
      assignments.push(`#${field} = :${field}`);
    }
    allowed.forEach((s, i) => (values[`:allowed${i}`] = { S: s }));
    const condition = `#expiresAt > :now AND #status IN (${allowed.map((_, i) => `:allowed${i}`).join(', ')})`;
    try {
      const out = await dynamo.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(id),
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return read(out.Attributes)?.operation;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  };

  return {
    async create(input) {
      const createdAt = new Date(now()).toISOString();
      const expiresAt = nowSeconds() + retentionSeconds;
      const item: Item = {
        id: input.id,
        userId: input.userId,
        requestHash: input.requestHash,
        kind: input.kind,
        titles: input.titles,
        question: input.question,
        sessionId: input.sessionId,
        status: 'NotStarted',
        progress: { percent: 0, stage: 'queued', tokens: 0 },
        attempts: 0,
        createdAt,
        updatedAt: createdAt,
        expiresAt,
      };
      try {
        await dynamo.send(
          new PutItemCommand({
            TableName: tableName,
            Item: toAttributeMap(item),
            // A new id, or one whose earlier operation has expired but not yet been swept.
            ConditionExpression: 'attribute_not_exists(id) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': { N: String(nowSeconds()) } },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException')) throw error;
        const existing = await get(input.id);
        if (existing) return { stored: existing, created: false };
        throw error;
      }
      return { stored: read(toAttributeMap(item))!, created: true };
    },

    get,

    start: (id, attempt) => update(id, { status: 'Running', attempts: attempt, progress: { percent: 5, stage: 'started', tokens: 0 } }, ACTIVE),

    async progress(id, attempt, progress) {
      // Only the attempt that is running now may move the bar (an older, lapsed one may not).
      const extra = ' AND attempts = :attempt';
      const names: Record<string, string> = { '#status': 'status', '#expiresAt': 'expiresAt', '#progress': 'progress', '#updatedAt': 'updatedAt' };
      try {
        await dynamo.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(id),
            UpdateExpression: 'SET #progress = :progress, #updatedAt = :updatedAt',
            ConditionExpression: `#expiresAt > :now AND #status = :running${extra}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':progress': toAttributeMap({ v: progress }).v!,
              ':updatedAt': { S: new Date(now()).toISOString() },
              ':now': { N: String(nowSeconds()) },
              ':running': { S: 'Running' },
              ':attempt': { N: String(attempt) },
            },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    finish(id, outcome) {
      const set: Record<string, Item[string]> =
        outcome.status === 'Succeeded'
          ? { status: 'Succeeded', result: outcome.result as unknown as Item[string], progress: { percent: 100, stage: 'finished', tokens: outcome.result.usage?.outputTokens ?? 0 } }
          : { status: 'Failed', error: outcome.error };
      return update(id, set, ['Running']);
    },

    async cancel(id) {
      const canceled = await update(id, { status: 'Canceled' }, ACTIVE);
      if (canceled) return { canceled: true, operation: canceled };
      return { canceled: false, operation: (await get(id))?.operation };
    },
  };
}
