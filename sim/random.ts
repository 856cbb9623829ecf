/**
 * Small, fast, seeded randomness for the simulator: every generated value is a pure function of
 * (seed, index, purpose), so the same seed always serves the same data and nothing has to be stored.
 */

/** A 32-bit avalanche mix (murmur3's finaliser): nearby inputs give unrelated outputs. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a list of integers (seed, index, purpose tag…) into one 32-bit value. */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    // Indexes can exceed 32 bits only in theory; fold the high part in so they still differ.
    h = mix32(h ^ (v | 0)) + Math.floor(v / 0x100000000);
    h = mix32(h + 0x6a09e667);
  }
  return h >>> 0;
}

export type Rng = {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
};

/**
 * mulberry32: tiny, good enough for test data, and its whole state is one number. A class, not a
 * closure per call: the simulator makes one per generated record, thousands per second.
 */
class Mulberry32 implements Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
}

export function createRng(seed: number): Rng {
  return new Mulberry32(seed);
}
