import type { AnsweredJob } from '@manga-assist/contracts';
import { MAX_ANSWERS_PER_BATCH } from '@manga-assist/contracts';
import type { JobProducer } from '@manga-assist/queue';

/** Gathers answers for a few milliseconds and hands them to the post-processor as one job. */
export interface AnswerBatcher {
  add(answer: AnsweredJob): void;
  /** Hands over whatever is gathered now. */
  flush(): void;
  /** Hands over what is gathered, and from now on each answer at once (at shutdown, before the producer flushes). */
  drain(): void;
  /** Answers gathered and not yet handed over. */
  pending(): number;
}

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
  let batch: AnsweredJob[] = [];
  let draining = false;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  const cancel = () => {
    if (timer === undefined) return;
    if (windowMs > 0) clearTimeout(timer as NodeJS.Timeout);
    else clearImmediate(timer as NodeJS.Immediate);
    timer = undefined;
  };
  const flush = () => {
    cancel();
    if (batch.length === 0) return;
    const answers = batch;
    batch = [];
    // The producer keeps the job (and retries it) while Redis refuses it; it throws only for a
    // payload that breaks the schema, which would be a bug here.
    producer.enqueue('answered-batch', { batchId: answers[0]!.traceId, answers });
  };
  return {
    add(answer) {
      batch.push(answer);
      if (draining || batch.length >= maxAnswers) return flush();
      if (timer === undefined) timer = windowMs > 0 ? setTimeout(flush, windowMs) : setImmediate(flush);
    },
    flush,
    drain() {
      draining = true;
      flush();
    },
    pending: () => batch.length,
  };
}
