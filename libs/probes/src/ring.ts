/** A fixed-size ring: pushing beyond capacity drops the oldest item. */
export class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Up to `limit` items, newest first. */
  newest(limit = this.capacity): T[] {
    const out: T[] = [];
    const count = Math.min(limit, this.items.length);
    for (let i = 1; i <= count; i += 1) {
      const index = (this.next - i + this.capacity) % this.capacity;
      const item = this.items[index];
      if (item !== undefined) out.push(item);
    }
    return out;
  }

  get size(): number {
    return this.items.length;
  }
}
