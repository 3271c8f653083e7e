import type { AnsweredJob } from '@manga-assist/contracts';
import { MAX_ANSWERS_PER_BATCH } from '@manga-assist/contracts';
import type { JobProducer } from '@manga-assist/queue';
import { createWindowedBatch } from '@manga-assist/redis';
import type { WindowedBatch } from '@manga-assist/redis';

/** Gathers answers for a few milliseconds and hands them to the post-processor as one job. */
export type AnswerBatcher = WindowedBatch<AnsweredJob>;

export interface AnswerBatcherOptions {
  producer: Pick<JobProducer, 'enqueue'>;
  /**
   * How long the first answer of a batch waits for others. A queue write costs the gateway far more
   * CPU than the answer's own part of the job, so a busy gateway writes one job for many answers.
   * 0: only the answers of the same event-loop turn go together.
   */
  windowMs: number;
  /** A batch this full is handed over at once. */
  maxAnswers?: number;
}

export function createAnswerBatcher({ producer, windowMs, maxAnswers = 50 }: AnswerBatcherOptions): AnswerBatcher {
  if (!Number.isInteger(maxAnswers) || maxAnswers < 1 || maxAnswers > MAX_ANSWERS_PER_BATCH) {
    throw new RangeError(`maxAnswers must be an integer in 1..${MAX_ANSWERS_PER_BATCH}, got ${maxAnswers}`);
  }
  return createWindowedBatch<AnsweredJob>({
    windowMs,
    maxSize: maxAnswers,
    // The producer keeps the job (and retries it) while Redis refuses it; it throws only for a
    // payload that breaks the schema, which would be a bug here.
    flush: (answers) => producer.enqueue('answered-batch', { batchId: (answers[0] as AnsweredJob).traceId, answers }),
  });
}
