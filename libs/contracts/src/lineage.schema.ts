import { z } from 'zod';

/** How far a job or event is from the edge: any consumer that may call the model refuses depth ≥ 3 and processed input. */
export const MAX_CHAIN_DEPTH = 3;
export const ProcessingStageSchema = z.enum(['raw', 'processed']);
export type ProcessingStage = z.infer<typeof ProcessingStageSchema>;

/** Carried by every job and event: `chainDepth` is 0 at the edge and grows by one on whatever a consumer emits. */
export const LineageSchema = z.object({
  chainDepth: z.number().int().min(0).default(0),
  processingStage: ProcessingStageSchema.default('raw'),
});
export type Lineage = z.infer<typeof LineageSchema>;
