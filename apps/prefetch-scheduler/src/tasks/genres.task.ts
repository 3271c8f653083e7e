import { DEMOGRAPHICS } from '@manga-assist/contracts';
import type { Demographic } from '@manga-assist/contracts';
import type { TaskDeps, TaskResult } from './task-deps';
import { toTaskResult } from './task-deps';

export const GENRES_SCHEDULE = '*/30 * * * *';
export const GENRES_TTL_SECONDS = 1800;

const JAPANESE: Record<Demographic, string> = { shonen: '少年', shojo: '少女', seinen: '青年', josei: '女性向け', kodomo: '子供向け' };

/** Browsing by demographic (12% of questions), one entry per demographic and phrasing. */
export function genreQuestions(): string[] {
  return DEMOGRAPHICS.flatMap((d) => [`show me ${d}`, `${d} manga`, `${JAPANESE[d]}マンガ`, `${JAPANESE[d]}漫画`]);
}

export async function runGenres(deps: TaskDeps, ttlSeconds: number): Promise<TaskResult> {
  return toTaskResult(await deps.precompute(genreQuestions(), ttlSeconds));
}
