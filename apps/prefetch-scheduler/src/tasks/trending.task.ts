import type { TaskDeps, TaskResult } from './task-deps';
import { rankTitles, toTaskResult } from './task-deps';

export const TRENDING_SCHEDULE = '*/15 * * * *';
export const TRENDING_TTL_SECONDS = 900;

/** How users ask for what is popular (22% of questions). */
export const TRENDING_QUESTIONS = [
  'trending manga',
  'popular manga',
  "what's popular",
  'best selling manga',
  'top manga this week',
  '人気のマンガ',
  '人気マンガ',
  '今週の人気マンガは？',
  '売れてるマンガ',
  '人気ランキング',
];

/** Recomputes the trending list (sales blended with recent questions) and its answers. */
export async function runTrending(deps: TaskDeps, ttlSeconds: number): Promise<TaskResult> {
  const ids = await rankTitles(deps, 20);
  await deps.trendingStore.write(ids, ttlSeconds * 2);
  return toTaskResult(await deps.precompute(TRENDING_QUESTIONS, ttlSeconds));
}
