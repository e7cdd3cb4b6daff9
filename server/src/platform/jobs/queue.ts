/**
 * The producer side: put work on the durable queue, once per idempotency key, and read it back.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, JobTable } from '../db/schema.js';
import { DEFAULT_MAX_ATTEMPTS, jobTypeSchema, JobInputError, parseOrThrow, toJob, type Job, type JobDefinition, type JobState } from './job.js';
import { JobRepository } from './repository.js';

export interface EnqueueOptions {
  /**
   * Names the work, not the call: `reminder:<appointment id>:24h`. A second enqueue with the same key
   * for the same type returns the first job (whatever its state, and with its payload) and adds none.
   */
  idempotencyKey?: string | undefined;
  /** Not before this instant (default: now). */
  runAt?: Date | undefined;
  /** Default: the definition's `maxAttempts`, else 5. */
  maxAttempts?: number | undefined;
}

export interface EnqueueResult {
  job: Job;
  /** False when the idempotency key was used before and `job` is that earlier job. */
  created: boolean;
}

export interface JobListOptions {
  type?: string | undefined;
  state?: JobState | undefined;
  /** Default 100, at most 1000. */
  limit?: number | undefined;
}

/** A definition, or just the `type` and `schema` of one: enough to check the payload before it is stored. */
export type JobKind<P> = Pick<JobDefinition<P>, 'type' | 'schema' | 'maxAttempts'>;

const enqueueOptionsSchema = z.strictObject({
  idempotencyKey: z.string().min(1).max(200).optional(),
  runAt: z.date().refine((d) => !Number.isNaN(d.getTime()), 'runAt is an invalid Date').optional(),
  maxAttempts: z.int().min(1).max(100).optional(),
});

const listOptionsSchema = z.strictObject({
  type: jobTypeSchema.optional(),
  state: z.enum(['queued', 'running', 'succeeded', 'dead']).optional(),
  limit: z.int().min(1).max(1000).default(100),
});

/** The payload as it will be stored; refuses values JSON cannot carry (undefined, BigInt, cycles). */
function serializePayload(type: string, payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (err) {
    throw new JobInputError(`The payload of a ${type} job is not JSON-serializable: ${(err as Error).message}`);
  }
  if (json === undefined) throw new JobInputError(`The payload of a ${type} job is not JSON-serializable (got ${typeof payload}).`);
  return json;
}

export interface JobQueueDependencies {
  db: Kysely<Database>;
  /** For tests; default the system clock. */
  clock?: (() => Date) | undefined;
}

export class JobQueue {
  private readonly repository: JobRepository;
  private readonly clock: () => Date;

  constructor(private readonly deps: JobQueueDependencies) {
    this.repository = new JobRepository(deps.db);
    this.clock = deps.clock ?? (() => new Date());
  }

  /**
   * The same queue writing through `trx`, so a service can enqueue in the transaction that makes the
   * job necessary (the appointment and its reminder commit together, or neither does).
   */
  using(trx: Kysely<Database>): JobQueue {
    return new JobQueue({ db: trx, clock: this.clock });
  }

  /**
   * Adds a job, or returns the existing one when the idempotency key was used. Passing the job's
   * definition (or its `type` and `schema`) instead of a bare type checks the payload here, where the
   * bug is, rather than when a worker picks it up.
   */
  async enqueue<P>(job: string | JobKind<P>, payload: P, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const type = parseOrThrow(jobTypeSchema, typeof job === 'string' ? job : job.type, 'job type');
    const { idempotencyKey, runAt, maxAttempts } = parseOrThrow(enqueueOptionsSchema, options, `options for a ${type} job`);
    const json = serializePayload(type, payload);
    if (typeof job !== 'string') parseOrThrow(job.schema, JSON.parse(json), `payload for a ${type} job`);

    const now = this.clock().toISOString();
    const row: JobTable = {
      id: randomUUID(),
      type,
      payload: json,
      state: 'queued',
      attempts: 0,
      max_attempts: maxAttempts ?? (typeof job === 'string' ? undefined : job.maxAttempts) ?? DEFAULT_MAX_ATTEMPTS,
      run_at: runAt?.toISOString() ?? now,
      lease_owner: null,
      lease_expires_at: null,
      last_error: null,
      idempotency_key: idempotencyKey ?? null,
      result: null,
      created_at: now,
      updated_at: now,
      finished_at: null,
    };
    if (await this.repository.insertUnlessKeyUsed(row)) return { job: toJob(row), created: true };
    // Only a used idempotency key stops the insert (ids are fresh UUIDs).
    const existing = idempotencyKey === undefined ? undefined : await this.repository.findByIdempotencyKey(type, idempotencyKey);
    if (!existing) throw new Error(`A ${type} job (idempotency key ${idempotencyKey ?? 'none'}) was neither inserted nor found.`);
    return { job: toJob(existing), created: false };
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await this.repository.findById(id);
    return row && toJob(row);
  }

  /** Oldest first; e.g. `{ state: 'dead' }` for the jobs that need a person. */
  async list(options: JobListOptions = {}): Promise<Job[]> {
    const filter = parseOrThrow(listOptionsSchema, options, 'job list options');
    return (await this.repository.list(filter)).map(toJob);
  }
}
