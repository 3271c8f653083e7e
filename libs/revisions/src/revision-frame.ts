import type { z } from 'zod';
import type { RevisionFrameSchema } from '@manga-assist/contracts';

/** `{"type":"revision","requestId","text"}`: the text that replaces an answer already streamed. */
export type RevisionFrame = z.infer<typeof RevisionFrameSchema>;
