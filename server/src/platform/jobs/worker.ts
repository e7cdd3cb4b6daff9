/**
 * The consumer side: one worker per server process runs the handlers every module registered.
 * It claims due jobs under a lease, renews the lease while a handler runs, records the outcome
 * (success, retry with backoff, dead letter) only while it still holds the lease, and takes over
 * jobs whose worker died. Execution is at least once; see README.md for how effects become exactly once.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Database, JobTable } from '../db/schema.js';
import type { Logger } from '../logging.js';
import {
  JobInputError,
  jobTypeSchema,
  LeaseLostError,
  NonRetryableJobError,
  parseOrThrow,
  type JobContext,
  type JobDefinition,
} from './job.js';
import { JobRepository, type ClaimCandidate, type LeaseFence } from './repository.js';
import { DEFAULT_RETRY_POLICY, outcomeOfFailure, type RetryPolicy } from './retry-policy.js';

export interface JobWorkerOptions {
  /** Written into `lease_owner`; default `<host>:<pid>:<random>`, unique per worker instance. */
  workerId?: string | undefined;
  /** Handlers running at once; default 4. */
  concurrency?: number | undefined;
  /** How often to look for due jobs when idle; default 1 s. */
  pollIntervalMs?: number | undefined;
  /** How long a claim lasts without renewal: a crashed worker's jobs run again after this; default 30 s. */
  leaseMs?: number | undefined;
  /** How often a running job's lease is renewed; default a third of `leaseMs`. */
  heartbeatMs?: number | undefined;
  /** How long `stop()` waits for running handlers by default; default 10 s. */
  stopTimeoutMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /** For tests: the time written into the table and compared with `run_at` and leases. */
  clock?: (() => Date) | undefined;
  /** For tests: the jitter source, in [0, 1). */
  random?: (() => number) | undefined;
}

export interface JobWorkerDependencies {
  db: Kysely<Database>;
  logger: Logger;
}

const positiveMs = z.int().min(1).max(24 * 60 * 60_000);

const optionsSchema = z
  .strictObject({
    workerId: z.string().min(1).max(200).optional(),
    concurrency: z.int().min(1).max(256).default(4),
    pollIntervalMs: positiveMs.default(1_000),
    leaseMs: positiveMs.default(30_000),
    heartbeatMs: positiveMs.optional(),
    stopTimeoutMs: z.int().min(0).max(10 * 60_000).default(10_000),
    retry: z.strictObject({ baseDelayMs: positiveMs.optional(), maxDelayMs: positiveMs.optional() }).optional(),
    clock: z.custom<() => Date>((v) => typeof v === 'function', 'clock must be a function returning a Date').optional(),
    random: z.custom<() => number>((v) => typeof v === 'function', 'random must be a function returning [0, 1)').optional(),
  })
  .refine((o) => o.heartbeatMs === undefined || o.heartbeatMs < o.leaseMs, {
    message: 'heartbeatMs must be shorter than leaseMs, or the lease lapses between renewals',
    path: ['heartbeatMs'],
  });

/** At most this much of an error message is kept in `last_error`. */
const LAST_ERROR_LENGTH = 2_000;

export function describeError(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : `Thrown value: ${String(err)}`;
  return text.length > LAST_ERROR_LENGTH ? `${text.slice(0, LAST_ERROR_LENGTH - 1)}…` : text;
}

type PayloadCheck = { ok: true; value: unknown } | { ok: false; error: NonRetryableJobError };

/** Parses and validates a stored payload; a mismatch is permanent, retrying would fail the same way. */
export function checkPayload(definition: JobDefinition, json: string): PayloadCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    return { ok: false, error: new NonRetryableJobError(`The stored payload is not JSON: ${(err as Error).message}`) };
  }
  const parsed = definition.schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: new NonRetryableJobError(`The payload does not match the ${definition.type} schema: ${z.prettifyError(parsed.error)}`) };
}

/**
 * Renews one attempt's lease on a timer, and aborts the attempt's signal once the lease is gone
 * (another worker took the job over after a stall).
 */
class LeaseHeartbeat {
  readonly abort = new AbortController();
  /** Set while the attempt records its outcome: a renewal that finds the job finished then is expected. */
  settling = false;
  private beating = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly renew: () => Promise<boolean>,
    intervalMs: number,
    private readonly onLost: () => void,
    private readonly onError: (err: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.beat(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async beat(): Promise<void> {
    // A slow database must not pile renewals up.
    if (this.beating) return;
    this.beating = true;
    try {
      if (await this.renew()) return;
      if (this.settling || this.abort.signal.aborted) return;
      this.stop();
      this.onLost();
      this.abort.abort(new Error('This worker lost the job lease to another worker.'));
    } catch (err) {
      // Busy or briefly unavailable: the next beat tries again before the lease lapses.
      this.onError(err);
    } finally {
      this.beating = false;
    }
  }
}

interface RunningAttempt {
  settled: Promise<void>;
  heartbeat: LeaseHeartbeat;
}

export class JobWorker {
  readonly id: string;
  private readonly repository: JobRepository;
  private readonly logger: Logger;
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly inFlight = new Map<string, RunningAttempt>();
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly stopTimeoutMs: number;
  private readonly retryPolicy: RetryPolicy;
  private readonly clock: () => Date;
  private readonly random: () => number;
  private polling: Promise<void> | undefined;
  private accepting = true;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly deps: JobWorkerDependencies,
    options: JobWorkerOptions = {},
  ) {
    const o = parseOrThrow(optionsSchema, options, 'job worker options');
    this.id = o.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.repository = new JobRepository(deps.db);
    this.logger = deps.logger.child({ component: 'jobs', workerId: this.id });
    this.concurrency = o.concurrency;
    this.pollIntervalMs = o.pollIntervalMs;
    this.leaseMs = o.leaseMs;
    this.heartbeatMs = o.heartbeatMs ?? Math.max(1, Math.floor(o.leaseMs / 3));
    this.stopTimeoutMs = o.stopTimeoutMs;
    this.retryPolicy = { ...DEFAULT_RETRY_POLICY, ...o.retry };
    this.clock = o.clock ?? (() => new Date());
    this.random = o.random ?? Math.random;
  }

  /** Adds a job type; the worker claims only types it has a handler for. */
  register<P>(definition: JobDefinition<P>): this {
    const type = parseOrThrow(jobTypeSchema, definition.type, 'job type');
    if (this.definitions.has(type)) throw new JobInputError(`A handler for ${type} jobs is already registered.`);
    this.definitions.set(type, definition as JobDefinition);
    return this;
  }

  /** Starts polling in the background; `stop()` ends it. */
  start(): void {
    if (this.polling) return;
    this.accepting = true;
    this.polling = this.pollUntilStopped();
    this.logger.info({ types: [...this.definitions.keys()], concurrency: this.concurrency }, 'job worker started');
  }

  /**
   * Stops claiming, then waits for running handlers up to `timeoutMs`. Handlers still running then
   * are aborted (their `signal`) and their leases no longer renewed: once a lease expires another
   * worker (or this one after a restart) runs the job again, and the late attempt is fenced off.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.stopTimeoutMs;
    this.accepting = false;
    this.wakeUp?.();
    await this.polling;
    this.polling = undefined;
    const running = [...this.inFlight.values()];
    if (running.length > 0 && !(await settlesWithin(Promise.allSettled(running.map((r) => r.settled)), timeoutMs))) {
      const jobIds = [...this.inFlight.keys()];
      for (const { heartbeat } of this.inFlight.values()) {
        heartbeat.stop();
        heartbeat.abort.abort(new Error('The job worker is stopping.'));
      }
      this.logger.warn({ jobIds, timeoutMs }, 'job worker stopped with jobs still running; they run again once their leases expire');
    }
    this.logger.info('job worker stopped');
  }

  /**
   * Claims what is due now (up to the free slots), runs it, and resolves with the number of jobs run
   * once they have settled. The poll loop does the same without waiting; tests and one-off tools
   * call this directly.
   */
  async runDueJobs(): Promise<number> {
    const started = await this.claimAndStart(this.concurrency - this.inFlight.size);
    await Promise.all(started);
    return started.length;
  }

  private async pollUntilStopped(): Promise<void> {
    while (this.accepting) {
      const free = this.concurrency - this.inFlight.size;
      if (free > 0) {
        try {
          await this.claimAndStart(free);
        } catch (err) {
          this.logger.error({ err }, 'looking for due jobs failed; trying again at the next poll');
        }
      }
      if (this.accepting) await this.pause(this.pollIntervalMs);
    }
  }

  /** Sleeps until the next poll, or until a slot frees up or `stop()` is called. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private leaseUntil(now: Date): string {
    return new Date(now.getTime() + this.leaseMs).toISOString();
  }

  /** Returns one promise per job started; they never reject. */
  private async claimAndStart(slots: number): Promise<Promise<void>[]> {
    if (slots <= 0) return [];
    const now = this.clock();
    const nowIso = now.toISOString();
    // More candidates than slots: some may be taken by another worker between the read and the claim.
    const candidates = await this.repository.findClaimable([...this.definitions.keys()], nowIso, slots * 2);
    const started: Promise<void>[] = [];
    for (const candidate of candidates) {
      if (started.length >= slots || !this.accepting) break;
      // Ours, and its lease lapsed while it runs here (heartbeats failed): running it twice in one
      // process helps nobody; another worker may take it over, and our attempt is then fenced off.
      if (this.inFlight.has(candidate.id)) continue;
      if (isAbandonedOnLastAttempt(candidate)) {
        await this.buryAbandoned(candidate, nowIso);
        continue;
      }
      const row = await this.repository.claim(candidate, this.id, nowIso, this.leaseUntil(now));
      if (!row) {
        this.logger.debug({ jobId: candidate.id }, 'another worker claimed the job first');
        continue;
      }
      started.push(this.startAttempt(row));
    }
    return started;
  }

  private async buryAbandoned(candidate: ClaimCandidate, nowIso: string): Promise<void> {
    const error = `The worker running attempt ${candidate.attempts} of ${candidate.max_attempts} stopped renewing its lease (crashed or stalled); no attempts are left.`;
    if (await this.repository.buryAbandoned(candidate, nowIso, error)) {
      this.logger.error({ jobId: candidate.id, attempts: candidate.attempts }, 'job dead-lettered: its last attempt was abandoned');
    }
  }

  private startAttempt(row: JobTable): Promise<void> {
    const fence: LeaseFence = { id: row.id, owner: this.id, attempt: row.attempts };
    const log = this.logger.child({ jobId: row.id, type: row.type, attempt: row.attempts });
    const heartbeat = new LeaseHeartbeat(
      () => {
        const now = this.clock();
        return this.repository.renewLease(fence, now.toISOString(), this.leaseUntil(now));
      },
      this.heartbeatMs,
      () => log.warn('lost the lease of a running job to another worker; aborting this attempt'),
      (err) => log.warn({ err }, 'renewing a job lease failed'),
    );
    const settled = this.runAttempt(row, fence, heartbeat, log)
      .catch((err: unknown) => log.error({ err }, 'recording the outcome of a job failed; it runs again once its lease expires'))
      .finally(() => {
        heartbeat.stop();
        this.inFlight.delete(row.id);
        this.wakeUp?.();
      });
    this.inFlight.set(row.id, { settled, heartbeat });
    return settled;
  }

  private async runAttempt(row: JobTable, fence: LeaseFence, heartbeat: LeaseHeartbeat, log: Logger): Promise<void> {
    const definition = this.definitions.get(row.type)!;
    const payload = checkPayload(definition, row.payload);
    if (!payload.ok) {
      heartbeat.settling = true;
      return this.recordFailure(row, fence, payload.error, log);
    }

    // An object, not a variable: the context's closure changes it while the handler runs.
    const completion: { state: 'none' | 'pending' | 'committed' } = { state: 'none' };
    const context: JobContext = {
      jobId: row.id,
      type: row.type,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
      idempotencyKey: row.idempotency_key,
      signal: heartbeat.abort.signal,
      logger: log,
      completeInTransaction: async <T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> => {
        if (completion.state !== 'none') throw new Error(`completeInTransaction was already called for attempt ${fence.attempt} of job ${fence.id}.`);
        completion.state = 'pending';
        heartbeat.settling = true;
        try {
          const value = await this.completeWithEffect(fence, work, log);
          completion.state = 'committed';
          return value;
        } catch (err) {
          completion.state = 'none';
          heartbeat.settling = false;
          throw err;
        }
      },
    };

    let result: unknown;
    log.debug('job attempt started');
    try {
      result = await definition.handle(payload.value, context);
    } catch (err) {
      heartbeat.settling = true;
      if (completion.state === 'committed') {
        log.warn({ err }, 'job handler threw after committing its completion; the job stays succeeded');
        return;
      }
      return this.recordFailure(row, fence, err, log);
    }
    if (completion.state === 'committed') {
      log.info('job succeeded');
      return;
    }
    heartbeat.settling = true;
    const now = this.clock().toISOString();
    if (await this.repository.complete(fence, serializeResult(result, log), now)) log.info('job succeeded');
    else log.warn('job finished after another worker took it over; this attempt is not recorded');
  }

  /** The job's success and the handler's effect in one transaction, the success guarded by the lease. */
  private async completeWithEffect<T>(fence: LeaseFence, work: (trx: Transaction<Database>) => Promise<T>, log: Logger): Promise<T> {
    return this.deps.db.transaction().execute(async (trx) => {
      const now = this.clock().toISOString();
      if (!(await this.repository.holdForCompletion(fence, now, trx))) throw new LeaseLostError(fence.id);
      const value = await work(trx);
      await this.repository.complete(fence, serializeResult(value, log), now, trx);
      return value;
    });
  }

  private async recordFailure(row: JobTable, fence: LeaseFence, err: unknown, log: Logger): Promise<void> {
    const outcome = outcomeOfFailure({
      failedAttempt: fence.attempt,
      maxAttempts: row.max_attempts,
      retryable: !(err instanceof NonRetryableJobError),
      policy: this.retryPolicy,
      random: this.random(),
    });
    const error = describeError(err);
    const now = this.clock();
    if (outcome.kind === 'retry') {
      const retryAt = new Date(now.getTime() + outcome.delayMs).toISOString();
      if (await this.repository.reschedule(fence, retryAt, error, now.toISOString())) log.warn({ err, retryAt }, 'job attempt failed; retrying later');
      else log.warn({ err }, 'job attempt failed after another worker took it over; this attempt is not recorded');
      return;
    }
    if (await this.repository.bury(fence, error, now.toISOString())) log.error({ err }, 'job failed for good and is dead-lettered');
    else log.warn({ err }, 'job attempt failed after another worker took it over; this attempt is not recorded');
  }
}

function isAbandonedOnLastAttempt(candidate: ClaimCandidate): boolean {
  return candidate.state === 'running' && candidate.attempts >= candidate.max_attempts;
}

/** JSON for `jobs.result`; a result JSON cannot carry is dropped (the work is done, the job succeeded). */
function serializeResult(value: unknown, log: Logger): string | null {
  if (value === undefined) return null;
  try {
    return JSON.stringify(value) ?? null;
  } catch (err) {
    log.warn({ err }, 'the job result is not JSON-serializable and is not stored');
    return null;
  }
}

/** True when `promise` settled within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
