import { z } from 'zod';
import { ModelProfileSchema } from './chat.schema';
import { LineageSchema } from './lineage.schema';

/**
 * A store reply the model suggested for a flagged review, kept for operators to edit and post.
 * It is the end of the moderation chain: stored, never handed to another consumer. Its lineage is
 * the review's one step further and `processed`, so a wiring that feeds it back into moderation is
 * refused by the loop guard.
 */
export const ReviewReplySchema = z.object({
  /** The review delivery's job id and webhook id. */
  eventId: z.string().min(1),
  webhookId: z.string().min(1),
  /** The review as the model saw it: personal data redacted. */
  review: z.string(),
  /** The guardrail rules the review broke. */
  flagged: z.array(z.string()).min(1),
  reply: z.string(),
  model: ModelProfileSchema,
  createdAt: z.iso.datetime(),
  ...LineageSchema.shape,
});
export type ReviewReply = z.infer<typeof ReviewReplySchema>;
