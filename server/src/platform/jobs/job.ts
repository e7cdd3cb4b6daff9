/**
 * What a job is to the rest of the server: its view (never the row), the definition a module
 * registers (type + payload schema + handler), and the context a handler runs with.
 */
import type { Transaction } from 'kysely';
import { z } from 'zod';
import type { Database, JobTable } from '../db/schema.js';
import type { Logger } from '../logging.js';

export type JobState = JobTable['state'];

export interface Job {
  id: string;
  type: string;
  payload: unknown;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  /** The latest failed attempt's error; kept when a later attempt succeeds. */
  lastError: string | null;
  idempotencyKey: string | null;
  /** What the handler returned, once succeeded (undefined when it returned nothing). */
  result: unknown;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface JobContext {
  jobId: string;
  type: string;
  /** 1 on the first attempt; a retry or a run after a crash sees a higher number. */
  attempt: number;
  maxAttempts: number;
  idempotencyKey: string | null;
  /** Aborted when this worker loses the lease (another worker may be running the job) or stops. */
  signal: AbortSignal;
  logger: Logger;
  /**
   * Commits `work` (the handler's effect, written through `trx`) together with the job's success,
   * in one transaction: both happen or neither does, so the effect is applied exactly once. Throws
   * `LeaseLostError` (and rolls back) when another worker has taken the job over. Call it at most
   * once, as the handler's last step. Inside `work` use only `trx` and no network or timers (see
   * README: on SQLite the connection is shared with the synchronous chat statements).
   */
  completeInTransaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
}

/** A job type as a module declares it; a module's factory returns a list of these. */
export interface JobDefinition<P = unknown> {
  /** The queue name, e.g. `surveys.send`: lower case, dots, dashes, colons, underscores. */
  type: string;
  /** Checked before every attempt; a payload that does not match dead-letters the job at once. */
  schema: z.ZodType<P>;
  /**
   * Runs one attempt. Returning records success (the value, if any, as the JSON result); throwing
   * schedules a retry with backoff, or dead-letters after the last attempt (at once for a
   * `NonRetryableJobError`). Method syntax on purpose: definitions of different payload types go
   * into one `JobDefinition[]` list.
   */
  handle(payload: P, context: JobContext): Promise<unknown>;
  /** Attempts before dead-lettering, when the enqueuer does not say; default 5. */
  maxAttempts?: number;
}

/** Spells out a definition with its payload type inferred from the schema. */
export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

/** Thrown by a handler when retrying cannot help (the patient has no address, the survey is gone). */
export class NonRetryableJobError extends Error {
  override readonly name = 'NonRetryableJobError';
}

/** This worker no longer holds the job: its lease expired and another worker claimed it. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(readonly jobId: string) {
    super(`Job ${jobId} was taken over by another worker after this worker's lease expired.`);
  }
}

/** Enqueue arguments or worker options that do not hold up; the message lists every problem. */
export class JobInputError extends Error {
  override readonly name = 'JobInputError';
}

export const jobTypeSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._:-]{0,99}$/, 'a job type is 1-100 characters of a-z, 0-9, ".", "_", ":", "-", starting with a letter or digit');

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new JobInputError(`Invalid ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

export function parseJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

export function toJob(row: JobTable): Job {
  return {
    id: row.id,
    type: row.type,
    payload: parseJson(row.payload),
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    lastError: row.last_error,
    idempotencyKey: row.idempotency_key,
    result: parseJson(row.result),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
