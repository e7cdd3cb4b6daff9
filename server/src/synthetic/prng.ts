/**
 * A small, fast, seedable PRNG (sfc32) that also serves as faker's randomizer, so one
 * `seed([...])` call fixes every random choice that follows, ours and faker's alike.
 * Seeds are arrays of integers (run seed, patient number, stream), hashed into the state,
 * which lets every patient and every stream be generated independently of the others.
 */
import type { Randomizer } from '@faker-js/faker';

const TWO_32 = 4_294_967_296;

/** A 32-bit hash of a list of numbers (integers, possibly beyond 32 bits, or fractions). */
export function hashNumbers(values: readonly number[]): number {
  let h = 0x811c9dc5 ^ values.length;
  for (const value of values) {
    const whole = Math.trunc(value);
    const low = whole >>> 0;
    const high = Math.floor(whole / TWO_32) >>> 0;
    const fraction = Math.floor((value - whole) * TWO_32) >>> 0;
    h = mix(h, low);
    h = mix(h, high);
    if (fraction !== 0) h = mix(h, fraction);
  }
  return finalize(h);
}

function mix(h: number, value: number): number {
  let k = Math.imul(value, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function splitmix32(state: number): () => number {
  let s = state | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
}

export class Prng implements Randomizer {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number | number[] = 0) {
    this.seed(seed);
  }

  /** Reseeds; an arrow property because faker calls its randomizer's methods unbound. */
  readonly seed = (seed: number | number[]): void => {
    const next = splitmix32(hashNumbers(Array.isArray(seed) ? seed : [seed]));
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  };

  /** The next 32 random bits (sfc32). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) (an arrow property: faker calls it unbound). */
  readonly next = (): number => this.uint32() / TWO_32;

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A float in [min, max). */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight: `[[value, weight], ...]`; weights need not sum to 1. */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }

  /** Normally distributed (Box–Muller), clamped to [min, max] when given. */
  normal(mean: number, sd: number, min = -Infinity, max = Infinity): number {
    const u = 1 - this.next();
    const v = this.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.min(max, Math.max(min, mean + sd * z));
  }

  /** `count` distinct items, in the order drawn. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!);
    return out;
  }
}
