import { loadEngine, startEngine } from './local-engine';
import type { LocalEngine, LocalEngineOptions } from './local-engine';

/**
 * Starts dynalite (DynamoDB API on LevelDB) in this process, on an ephemeral port unless
 * `port` is given. Tables are ACTIVE as soon as they are created.
 *
 * One store directory can be open by one engine only: a second one on the same `path` does not
 * fail here but crashes its process on the first request (LevelDB lock).
 */
export function startDynalite(options: LocalEngineOptions = {}): Promise<LocalEngine> {
  return startEngine('dynalite', options, () =>
    loadEngine('dynalite')({
      path: options.path,
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    }),
  );
}
