/** Scales `v` in place to unit length; a zero vector stays zero (it matches nothing). */
export function normalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  if (sum === 0) return v;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] *= scale;
  return v;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function isZeroVector(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

/**
 * Keeps the `k` best (highest score) entries seen so far, best first. Insertion into a short sorted
 * array: for k ≤ ~50 this beats a heap and allocates nothing per candidate.
 */
export class TopK<T> {
  private readonly scores: number[] = [];
  private readonly values: T[] = [];

  constructor(private readonly k: number) {}

  /** The score a candidate must beat to enter; -Infinity until the list is full. */
  get threshold(): number {
    if (this.k <= 0) return Infinity;
    return this.scores.length < this.k ? -Infinity : this.scores[this.scores.length - 1];
  }

  push(score: number, value: T): void {
    if (score <= this.threshold) return;
    let i = this.scores.length;
    if (i === this.k) i -= 1;
    while (i > 0 && this.scores[i - 1] < score) {
      this.scores[i] = this.scores[i - 1];
      this.values[i] = this.values[i - 1];
      i -= 1;
    }
    this.scores[i] = score;
    this.values[i] = value;
  }

  entries(): { score: number; value: T }[] {
    return this.scores.map((score, i) => ({ score, value: this.values[i] }));
  }
}
