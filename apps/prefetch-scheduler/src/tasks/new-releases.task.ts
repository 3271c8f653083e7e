import type { TaskDeps, TaskResult } from './task-deps';
import { toTaskResult } from './task-deps';

export const NEW_RELEASES_SCHEDULE = '0 * * * *';
export const NEW_RELEASES_TTL_SECONDS = 3600;

/** How users ask about new volumes (15% of questions). */
export const NEW_RELEASES_QUESTIONS = ['new releases', 'new manga releases', 'latest releases', 'upcoming manga', '新刊', '新刊情報', '今月の新刊', '新作マンガ'];

export async function runNewReleases(deps: TaskDeps, ttlSeconds: number): Promise<TaskResult> {
  return toTaskResult(await deps.precompute(NEW_RELEASES_QUESTIONS, ttlSeconds));
}
