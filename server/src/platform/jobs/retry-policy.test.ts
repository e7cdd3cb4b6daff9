import { describe, expect, it } from 'vitest';
import { outcomeOfFailure, retryDelayMs, type RetryPolicy } from './retry-policy.js';

const policy: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 10_000 };

describe('retry delay', () => {
  it.each([
    { failedAttempt: 1, random: 0, expected: 500 },
    { failedAttempt: 1, random: 0.999_999, expected: 1_000 },
    { failedAttempt: 2, random: 0, expected: 1_000 },
    { failedAttempt: 3, random: 0.5, expected: 3_000 },
    { failedAttempt: 4, random: 0, expected: 4_000 },
    // 16 s exceeds the ceiling: capped at 10 s, still jittered within its upper half.
    { failedAttempt: 5, random: 0, expected: 5_000 },
    { failedAttempt: 30, random: 0.999_999, expected: 10_000 },
  ])('attempt $failedAttempt failed, random $random: wait $expected ms', ({ failedAttempt, random, expected }) => {
    expect(retryDelayMs(failedAttempt, policy, random)).toBe(expected);
  });
});

describe('outcome of a failed attempt', () => {
  it.each([
    { failedAttempt: 1, maxAttempts: 3, retryable: true, expected: { kind: 'retry', delayMs: 500 } },
    { failedAttempt: 2, maxAttempts: 3, retryable: true, expected: { kind: 'retry', delayMs: 1_000 } },
    { failedAttempt: 3, maxAttempts: 3, retryable: true, expected: { kind: 'dead' } },
    // A crash can leave attempts above the maximum (counted at claim time): still dead, never negative.
    { failedAttempt: 4, maxAttempts: 3, retryable: true, expected: { kind: 'dead' } },
    { failedAttempt: 1, maxAttempts: 3, retryable: false, expected: { kind: 'dead' } },
  ])('attempt $failedAttempt of $maxAttempts, retryable $retryable', ({ expected, ...input }) => {
    expect(outcomeOfFailure({ ...input, policy, random: 0 })).toEqual(expected);
  });
});
