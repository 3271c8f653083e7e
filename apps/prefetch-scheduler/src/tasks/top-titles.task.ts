import type { CatalogItem } from '@manga-assist/catalog';
import type { TaskDeps, TaskResult } from './task-deps';
import { rankTitles, toTaskResult } from './task-deps';

export const TOP_TITLES_SCHEDULE = '*/5 * * * *';
export const TOP_TITLES_TTL_SECONDS = 300;

/** The ways people ask about one title's latest volume, in English and Japanese. */
export function titleQuestions(item: CatalogItem): string[] {
  const questions = [`${item.title} latest`, `${item.title} 最新刊`, item.title];
  if (item.titleReading && item.titleReading !== item.title) questions.push(`${item.titleReading} 最新刊`);
  return questions;
}

/** The most asked-about or best-selling titles (8% of questions are lookups of them). */
export async function runTopTitles(deps: TaskDeps, ttlSeconds: number): Promise<TaskResult> {
  const ids = await rankTitles(deps, deps.topTitlesCount);
  const questions = ids.flatMap((id) => {
    const item = deps.catalog.byId.get(id);
    return item ? titleQuestions(item) : [];
  });
  return toTaskResult(await deps.precompute(questions, ttlSeconds));
}
