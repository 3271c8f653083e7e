import { GENRES_SCHEDULE, GENRES_TTL_SECONDS, runGenres } from './genres.task';
import { NEW_RELEASES_SCHEDULE, NEW_RELEASES_TTL_SECONDS, runNewReleases } from './new-releases.task';
import type { TaskDeps, TaskResult } from './task-deps';
import { TOP_TITLES_SCHEDULE, TOP_TITLES_TTL_SECONDS, runTopTitles } from './top-titles.task';
import { TRENDING_SCHEDULE, TRENDING_TTL_SECONDS, runTrending } from './trending.task';

export const TASK_NAMES = ['trending', 'new-releases', 'genres', 'top-titles'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export interface TaskDefinition {
  schedule: string;
  ttlSeconds: number;
  run(deps: TaskDeps, ttlSeconds: number): Promise<TaskResult>;
}

/** Every task by name, with its default schedule and TTL (both overridable through the config). */
export const TASKS: Record<TaskName, TaskDefinition> = {
  trending: { schedule: TRENDING_SCHEDULE, ttlSeconds: TRENDING_TTL_SECONDS, run: runTrending },
  'new-releases': { schedule: NEW_RELEASES_SCHEDULE, ttlSeconds: NEW_RELEASES_TTL_SECONDS, run: runNewReleases },
  genres: { schedule: GENRES_SCHEDULE, ttlSeconds: GENRES_TTL_SECONDS, run: runGenres },
  'top-titles': { schedule: TOP_TITLES_SCHEDULE, ttlSeconds: TOP_TITLES_TTL_SECONDS, run: runTopTitles },
};
