/** A count over a rolling window, kept in the same slots as RollingHistogram. */
export class RollingCount {
  private readonly slots: Float64Array;
  private slot: number;

  constructor(
    private readonly slotCount: number,
    slot: number,
  ) {
    this.slots = new Float64Array(slotCount);
    this.slot = slot;
  }

  add(slot: number, n = 1): void {
    if (slot > this.slot) this.rotate(slot);
    this.slots[this.slot % this.slotCount] += n;
  }

  total(slot: number): number {
    if (slot > this.slot) this.rotate(slot);
    let sum = 0;
    for (const n of this.slots) sum += n;
    return sum;
  }

  private rotate(slot: number): void {
    const steps = Math.min(slot - this.slot, this.slotCount);
    for (let k = 1; k <= steps; k++) this.slots[(this.slot + k) % this.slotCount] = 0;
    this.slot = slot;
  }
}
