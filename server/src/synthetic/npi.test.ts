import { describe, expect, it } from 'vitest';
import { isValidNpi, luhnCheckDigit, npiFromBase } from './npi.js';
import { Prng } from './prng.js';

describe('NPI check digits', () => {
  it.each([
    // CMS's worked example (123456789 → 3) and two more worked by hand.
    ['123456789', '1234567893'],
    ['124531959', '1245319599'],
    ['199999999', '1999999992'],
  ])('adds the Luhn check digit over 80840 + %s', (base, npi) => {
    expect(npiFromBase(base)).toBe(npi);
    expect(isValidNpi(npi)).toBe(true);
  });

  it('rejects a changed digit, a wrong length and a bad first digit', () => {
    expect(isValidNpi('1234567894')).toBe(false);
    expect(isValidNpi('1234567839')).toBe(false);
    expect(isValidNpi('123456789')).toBe(false);
    expect(isValidNpi('3234567893')).toBe(false);
    expect(() => npiFromBase('023456789')).toThrow();
  });

  it('computes plain Luhn digits', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3); // the textbook example 79927398713
  });
});

describe('Prng', () => {
  it('repeats for the same seed and differs for another', () => {
    const a = new Prng([42, 1, 2]);
    const b = new Prng([42, 1, 2]);
    const c = new Prng([42, 1, 3]);
    const seq = (p: Prng) => Array.from({ length: 5 }, () => p.uint32());
    const first = seq(a);
    expect(seq(b)).toEqual(first);
    expect(seq(c)).not.toEqual(first);
  });

  it('draws uniformly enough for prevalence work', () => {
    const p = new Prng(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[Math.floor(p.next() * 10)]! += 1;
    for (const n of buckets) expect(Math.abs(n - 10_000)).toBeLessThan(500);
    const hits = Array.from({ length: 100_000 }, () => p.chance(0.3)).filter(Boolean).length;
    expect(hits / 100_000).toBeCloseTo(0.3, 2);
    for (let i = 0; i < 1000; i++) {
      const n = p.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
    }
  });
});
