/**
 * What happens after a failed attempt: pure functions, so the schedule is tested with a table of
 * cases instead of by waiting.
 */

export interface RetryPolicy {
  /** The delay before the second attempt; each further retry waits twice as long... */
  baseDelayMs: number;
  /** ...up to this ceiling. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 10_000, maxDelayMs: 60 * 60_000 };

export type FailureOutcome = { kind: 'retry'; delayMs: number } | { kind: 'dead' };

/**
 * Exponential backoff with "equal jitter": half the delay is fixed and half random, so retries of
 * jobs that failed together (the SMTP server was down) spread out, yet none comes back too soon.
 * `random` is in [0, 1).
 */
export function retryDelayMs(failedAttempt: number, policy: RetryPolicy, random: number): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, failedAttempt - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.round(capped / 2 + (capped / 2) * random);
}

export function outcomeOfFailure(input: {
  failedAttempt: number;
  maxAttempts: number;
  retryable: boolean;
  policy: RetryPolicy;
  random: number;
}): FailureOutcome {
  if (!input.retryable || input.failedAttempt >= input.maxAttempts) return { kind: 'dead' };
  return { kind: 'retry', delayMs: retryDelayMs(input.failedAttempt, input.policy, input.random) };
}
