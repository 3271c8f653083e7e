import { build } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/** Largest value kept, in µs (two minutes); longer durations are recorded as this. */
export const HIGHEST_TRACKABLE_US = 120_000_000;

/**
 * Two significant digits: 1% resolution, far finer than a 20% budget tolerance, and an 11 KB
 * counts array per histogram instead of 73 KB with three digits.
 */
function histogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 2,
    autoResize: false,
  });
}

/**
 * A rolling window of durations in integer microseconds: `slots` HDR histograms, each covering
 * one slot of time (`windowMs / slots`), reused round-robin. Slot numbers are
 * `Math.floor(now / slotMs)`, passed in by the caller so that one clock reading serves every
 * segment of a request. A read covers the current slot and the ones before it that are still
 * inside the window, so it spans between `windowMs - slotMs` and `windowMs` of history.
 */
export class RollingHistogram {
  private readonly slots: Histogram[];
  private readonly merged = histogram();
  private slot: number;

  constructor(
    private readonly slotCount: number,
    slot: number,
  ) {
    this.slots = Array.from({ length: slotCount }, histogram);
    this.slot = slot;
  }

  /** Records one duration (µs, already rounded and clamped) into the slot `slot`. */
  record(slot: number, us: number): void {
    if (slot > this.slot) this.rotate(slot);
    // A clock that stepped back still records, into the current slot.
    this.slots[this.slot % this.slotCount].recordValue(us);
  }

  /** The window's durations as of slot `slot`, merged into one histogram (owned by this object, reused). */
  read(slot: number): Histogram {
    if (slot > this.slot) this.rotate(slot);
    this.merged.reset();
    for (const h of this.slots) if (h.totalCount > 0) this.merged.add(h);
    return this.merged;
  }

  /** Values recorded in the window as of slot `slot`. */
  count(slot: number): number {
    if (slot > this.slot) this.rotate(slot);
    let total = 0;
    for (const h of this.slots) total += h.totalCount;
    return total;
  }

  /** Clears the slots that fell out of the window on the way to `slot`. */
  private rotate(slot: number): void {
    const steps = Math.min(slot - this.slot, this.slotCount);
    for (let k = 1; k <= steps; k++) this.slots[(this.slot + k) % this.slotCount].reset();
    this.slot = slot;
  }
}

/** Whole microseconds for a duration in ms, clamped to the histogram's range; -1 when not a duration. */
export function toMicros(ms: number): number {
  if (!(ms >= 0)) return -1; // negative or NaN
  const us = Math.round(ms * 1000);
  return us > HIGHEST_TRACKABLE_US ? HIGHEST_TRACKABLE_US : us;
}
