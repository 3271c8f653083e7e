import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { fromAttributeMap, toAttributeMap } from '@manga-assist/aws';
import { z } from 'zod';
import { ConversationSchema, EMPTY_CONVERSATION } from './conversation';
import type { Conversation } from './conversation';
import { decodePayload, encodePayload } from './payload-codec';
import { contiguousThrough } from './seq-set';
import { PreferencesSchema, SessionSchema, TitleIdSchema, UserIdSchema } from './session.schema';
import type { Session } from './session.schema';

/** A session as the store keeps it: the public view plus the conversation bookkeeping. */
export interface SessionRecord {
  sessionId: string;
  userId?: string;
  version: number;
  updatedAt: string;
  ttl: number;
  preferences: Session['preferences'];
  recentTitleIds: string[];
  conversation: Conversation;
}

export function emptySessionRecord(sessionId: string): SessionRecord {
  return {
    sessionId,
    version: 0,
    updatedAt: new Date(0).toISOString(),
    ttl: 1,
    preferences: {},
    recentTitleIds: [],
    conversation: EMPTY_CONVERSATION,
  };
}

export function sessionView(record: SessionRecord): Session {
  const { conversation, ...rest } = record;
  return SessionSchema.parse({
    ...rest,
    lastSeq: contiguousThrough(conversation.seqs),
    turns: conversation.turns,
    summary: conversation.summary,
  });
}

/**
 * DynamoDB item of a session. The conversation (recent turns, summary, bookkeeping) goes into one
 * Binary attribute, gzip'd when large; the rest stays as plain attributes an operator can read.
 */
export function toSessionItem(record: SessionRecord, compressOverBytes: number): Record<string, AttributeValue> {
  const { conversation, ...plain } = record;
  const ctx = encodePayload(conversation, compressOverBytes);
  return {
    ...toAttributeMap({ ...plain, lastSeq: contiguousThrough(conversation.seqs), ctxEncoding: ctx.encoding }),
    ctx: { B: ctx.bytes },
  };
}

const SessionAttributesSchema = z.object({
  sessionId: z.string(),
  userId: UserIdSchema.optional(),
  version: z.number().int().nonnegative(),
  updatedAt: z.string(),
  ttl: z.number().int(),
  preferences: PreferencesSchema,
  recentTitleIds: z.array(TitleIdSchema),
  ctxEncoding: z.enum(['gzip', 'json']),
});

export function fromSessionItem(item: Record<string, AttributeValue>): SessionRecord {
  // fromAttributeMap knows no Binary: take the conversation out first.
  const { ctx, ...rest } = item;
  const { ctxEncoding, ...fields } = SessionAttributesSchema.parse(fromAttributeMap(rest));
  if (ctx?.B === undefined) throw new Error(`session ${fields.sessionId}: item has no ctx`);
  return { ...fields, conversation: ConversationSchema.parse(decodePayload(ctx.B, ctxEncoding)) };
}
