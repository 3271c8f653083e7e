import { UnrecoverableError } from 'bullmq';
import { MAX_CHAIN_DEPTH } from '@manga-assist/contracts';
import type { Lineage, LoopGuardReason } from '@manga-assist/contracts';

/**
 * Why a consumer that may call the model refuses a job, or null when it may go on: a job too far
 * from the edge (something it emitted came back, directly or through other consumers) or a job
 * that is already the output of a model step.
 */
export function loopGuardReason(lineage: Lineage): LoopGuardReason | null {
  if (lineage.processingStage === 'processed') return 'processed_input';
  if (lineage.chainDepth >= MAX_CHAIN_DEPTH) return 'chain_depth_exceeded';
  return null;
}

/** The lineage of whatever a consumer emits for a job: one step further from the edge, and model output. */
export function emittedLineage(from: Lineage): Lineage {
  return { chainDepth: from.chainDepth + 1, processingStage: 'processed' };
}

/**
 * Thrown by a consumer for a job its loop guard refuses: never retried (the same job would be
 * refused again), and dead-lettered with the guard's reason instead of `unrecoverable`.
 */
export class LoopGuardError extends UnrecoverableError {
  constructor(
    readonly reason: LoopGuardReason,
    lineage: Lineage,
  ) {
    super(
      reason === 'processed_input'
        ? `loop guard (${reason}): refused processed input at chainDepth ${lineage.chainDepth}; a model step never consumes model output`
        : `loop guard (${reason}): refused chainDepth ${lineage.chainDepth}; a consumer that may call the model takes at most ${MAX_CHAIN_DEPTH - 1}`,
    );
    // BullMQ and the dead-letter queue recognise an unrecoverable error by its name.
    this.name = 'UnrecoverableError';
  }
}

/**
 * The loop guard's reason a job failed with, read from its error message, so a dead letter written
 * after a restart (from the failed job BullMQ kept) names the same reason as one written at once.
 */
export function loopGuardReasonOf(message: string | undefined): LoopGuardReason | null {
  const reason = /^loop guard \((chain_depth_exceeded|processed_input)\):/.exec(message ?? '')?.[1];
  return (reason as LoopGuardReason | undefined) ?? null;
}
