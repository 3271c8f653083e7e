import { MAX_RECENT_TITLES } from './session.schema';
import type { Preferences, PreferencesPatch } from './session.schema';

/** Preferences after `patch`: fields it leaves out stay, `null` clears one. */
export function applyPreferencesPatch(current: Preferences, patch: PreferencesPatch): Preferences {
  const next: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next as Preferences;
}

/** `newest` (newest first) in front of `current`, without duplicates, at most 20. */
export function mergeRecentTitles(current: readonly string[], newest: readonly string[]): string[] {
  return [...new Set([...newest, ...current])].slice(0, MAX_RECENT_TITLES);
}

/** Same content regardless of key order; used to skip writes that would change nothing. */
export function samePreferences(a: Preferences, b: Preferences): boolean {
  const canonical = (p: Preferences): string =>
    JSON.stringify(Object.keys(p).sort().map((k) => [k, p[k as keyof Preferences]]));
  return canonical(a) === canonical(b);
}
