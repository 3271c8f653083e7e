/**
 * Items gathered for a short window and handed over together: the first item of a batch starts the
 * window, a full batch goes at once, and once drained (shutdown) every item goes at once.
 */
export interface WindowedBatch<T> {
  add(item: T): void;
  /** Hands over what is gathered, and from now on each item at once. */
  drain(): void;
}

export interface WindowedBatchOptions<T> {
  /** How long the first item of a batch waits for others; 0: the items of one event-loop turn. */
  windowMs: number;
  maxSize: number;
  flush(items: T[]): void;
}

export function createWindowedBatch<T>({ windowMs, maxSize, flush }: WindowedBatchOptions<T>): WindowedBatch<T> {
  let items: T[] = [];
  let draining = false;
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  const handOver = () => {
    if (timer !== undefined) {
      if (windowMs > 0) clearTimeout(timer as NodeJS.Timeout);
      else clearImmediate(timer as NodeJS.Immediate);
      timer = undefined;
    }
    if (items.length === 0) return;
    const batch = items;
    items = [];
    flush(batch);
  };
  return {
    add(item) {
      items.push(item);
      if (draining || items.length >= maxSize) return handOver();
      if (timer === undefined) timer = windowMs > 0 ? setTimeout(handOver, windowMs) : setImmediate(handOver);
    },
    drain() {
      draining = true;
      handOver();
    },
  };
}
