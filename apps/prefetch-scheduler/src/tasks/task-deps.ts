import type { Catalog } from '@manga-assist/catalog';
import type { AskedCounters, TrendingStore } from '@manga-assist/popularity';
import type { PrecomputeResult } from '../answer-precomputer';
import type { ProductRetriever } from '@manga-assist/retrieval';

/** What every task gets: the catalog, retrieval, the blended signals, and the pre-computer. */
export interface TaskDeps {
  catalog: Catalog;
  retriever: ProductRetriever;
  asked: AskedCounters;
  trendingStore: TrendingStore;
  topTitlesCount: number;
  precompute(questions: readonly string[], ttlSeconds: number): Promise<PrecomputeResult>;
}

export interface TaskResult {
  entries: number;
  answers: number;
  failures: number;
}

export const toTaskResult = (r: PrecomputeResult): TaskResult => ({ entries: r.entries, answers: r.answers, failures: r.failures.length });

/** Weekly sales blended with how often a title was asked about in the last day. */
export async function rankTitles(deps: TaskDeps, limit: number, askWeight = 50): Promise<string[]> {
  const [bySales, asked] = await Promise.all([Promise.resolve(deps.retriever.topBySales(limit * 5)), deps.asked.top(limit * 5)]);
  const scores = new Map<string, number>();
  for (const item of bySales) scores.set(item.id, item.synthetic.weeklySales);
  for (const { id, count } of asked) {
    const item = deps.catalog.byId.get(id);
    if (item) scores.set(id, (scores.get(id) ?? item.synthetic.weeklySales) + askWeight * count);
  }
  return [...scores.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([id]) => id);
}
