import { z } from 'zod';
import { ServerFrameSchema } from './chat.schema';

/**
 * A frame pushed to one connection through the gateway instance that holds it (libs/connections):
 * published on that instance's channel, parsed there before it is sent.
 */
export const PushMessageSchema = z.object({
  connectionId: z.string().min(1),
  frame: ServerFrameSchema,
});
export type PushMessage = z.infer<typeof PushMessageSchema>;
