import type { AnsweredJob } from '@manga-assist/contracts';
import type { JobData } from '@manga-assist/queue';
import { createAnswerBatcher } from './answer-batcher';

const answer = (n: number) => ({ traceId: `${String(n).padStart(32, '0')}` }) as AnsweredJob;

function recorder() {
  const jobs: JobData<'answered-batch'>[] = [];
  return { jobs, producer: { enqueue: (name: string, data: unknown) => void (name === 'answered-batch' && jobs.push(data as JobData<'answered-batch'>)) } };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('answer batcher', () => {
  it('hands the answers of one window over as one job, identified by its first answer', async () => {
    const { jobs, producer } = recorder();
    const batcher = createAnswerBatcher({ producer, windowMs: 30 });
    batcher.add(answer(1));
    batcher.add(answer(2));
    await tick();
    expect(jobs).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(jobs).toEqual([{ batchId: answer(1).traceId, answers: [answer(1), answer(2)] }]);

    batcher.add(answer(3));
    await new Promise((r) => setTimeout(r, 60));
    expect(jobs.map((j) => j.answers.length)).toEqual([2, 1]);
  });

  it('hands a full batch over at once, and with no window the answers of one event-loop turn together', async () => {
    const { jobs, producer } = recorder();
    const full = createAnswerBatcher({ producer, windowMs: 60_000, maxAnswers: 2 });
    full.add(answer(1));
    full.add(answer(2));
    expect(jobs).toHaveLength(1);

    const sameTurn = createAnswerBatcher({ producer, windowMs: 0 });
    sameTurn.add(answer(3));
    sameTurn.add(answer(4));
    await tick();
    sameTurn.add(answer(5));
    await tick();
    expect(jobs.map((j) => j.answers.map((a) => Number(a.traceId)))).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('once drained (shutdown), hands over what it holds and every later answer at once', () => {
    const { jobs, producer } = recorder();
    const batcher = createAnswerBatcher({ producer, windowMs: 60_000 });
    batcher.add(answer(1));
    batcher.drain();
    batcher.add(answer(2));
    expect(jobs.map((j) => j.answers.length)).toEqual([1, 1]);
  });
});
