/**
 * SQL for the `jobs` table (migration 009), through Kysely so it runs on SQLite today and PostgreSQL
 * later: no SQLite-only syntax. Every change to a claimed job is a compare-and-set on the lease
 * fence (id, owner, attempt): a worker whose lease was taken over changes nothing.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database, JobTable } from '../db/schema.js';

/** Identifies one attempt of one job by one worker; `attempt` works as a fencing token. */
export interface LeaseFence {
  id: string;
  owner: string;
  attempt: number;
}

export interface ClaimCandidate {
  id: string;
  attempts: number;
  max_attempts: number;
  state: JobTable['state'];
}

export interface JobListFilter {
  type?: string | undefined;
  state?: JobTable['state'] | undefined;
  limit: number;
}

type Executor = Kysely<Database>;

/** Queued and due, or running under a lease that has expired (its worker crashed or stalled). */
function claimable(now: string) {
  return (eb: ExpressionBuilder<Database, 'jobs'>) =>
    eb.or([
      eb.and([eb('state', '=', 'queued'), eb('run_at', '<=', now)]),
      eb.and([eb('state', '=', 'running'), eb('lease_expires_at', '<=', now)]),
    ]);
}

export class JobRepository {
  constructor(private readonly db: Executor) {}

  /** False when a job of this type already has this idempotency key (nothing is inserted). */
  async insertUnlessKeyUsed(row: JobTable, executor: Executor = this.db): Promise<boolean> {
    const result = await executor
      .insertInto('jobs')
      .values(row)
      .onConflict((oc) => oc.columns(['type', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async findById(id: string, executor: Executor = this.db): Promise<JobTable | undefined> {
    return executor.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByIdempotencyKey(type: string, key: string, executor: Executor = this.db): Promise<JobTable | undefined> {
    return executor.selectFrom('jobs').selectAll().where('type', '=', type).where('idempotency_key', '=', key).executeTakeFirst();
  }

  /** Oldest first. */
  async list(filter: JobListFilter): Promise<JobTable[]> {
    let query = this.db.selectFrom('jobs').selectAll();
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    return query.orderBy('created_at').orderBy('id').limit(filter.limit).execute();
  }

  /** Jobs of these types a worker could claim now, the longest-due first. */
  async findClaimable(types: readonly string[], now: string, limit: number): Promise<ClaimCandidate[]> {
    if (types.length === 0) return [];
    return this.db
      .selectFrom('jobs')
      .select(['id', 'attempts', 'max_attempts', 'state'])
      .where('type', 'in', types)
      .where(claimable(now))
      .orderBy('run_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * Takes the job if it is still claimable and nobody claimed it since we read it (`attempts`
   * unchanged): the conditional UPDATE is the whole lock, so two workers never both win.
   */
  async claim(candidate: ClaimCandidate, owner: string, now: string, leaseExpiresAt: string): Promise<JobTable | undefined> {
    return this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        attempts: eb('attempts', '+', 1),
        lease_owner: owner,
        lease_expires_at: leaseExpiresAt,
        updated_at: now,
      }))
      .where('id', '=', candidate.id)
      .where('attempts', '=', candidate.attempts)
      .where(claimable(now))
      .returningAll()
      .executeTakeFirst();
  }

  /** Dead-letters a job whose worker lost it on its last attempt, instead of running it once more. */
  async buryAbandoned(candidate: ClaimCandidate, now: string, error: string): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ state: 'dead', last_error: error, lease_owner: null, lease_expires_at: null, updated_at: now, finished_at: now })
      .where('id', '=', candidate.id)
      .where('attempts', '=', candidate.attempts)
      .where('state', '=', 'running')
      .where('lease_expires_at', '<=', now)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async renewLease(fence: LeaseFence, now: string, leaseExpiresAt: string): Promise<boolean> {
    return this.updateFenced(fence, { lease_expires_at: leaseExpiresAt, updated_at: now });
  }

  /**
   * Writes to the job inside `executor`'s transaction without changing it, to check the lease and to
   * take the write lock first (SQLite: a transaction that reads before writing can fail at once as
   * busy instead of waiting; PostgreSQL: the row stays locked, so a reclaiming worker waits for us).
   */
  async holdForCompletion(fence: LeaseFence, now: string, executor: Executor): Promise<boolean> {
    return this.updateFenced(fence, { updated_at: now }, executor);
  }

  async complete(fence: LeaseFence, result: string | null, now: string, executor: Executor = this.db): Promise<boolean> {
    return this.updateFenced(
      fence,
      { state: 'succeeded', result, lease_owner: null, lease_expires_at: null, updated_at: now, finished_at: now },
      executor,
    );
  }

  /** Back to the queue for another attempt at `runAt`. */
  async reschedule(fence: LeaseFence, runAt: string, error: string, now: string): Promise<boolean> {
    return this.updateFenced(fence, { state: 'queued', run_at: runAt, last_error: error, lease_owner: null, lease_expires_at: null, updated_at: now });
  }

  async bury(fence: LeaseFence, error: string, now: string): Promise<boolean> {
    return this.updateFenced(fence, { state: 'dead', last_error: error, lease_owner: null, lease_expires_at: null, updated_at: now, finished_at: now });
  }

  /** False when the job is no longer this attempt's: reclaimed by another worker, or finished. */
  private async updateFenced(fence: LeaseFence, changes: Partial<JobTable>, executor: Executor = this.db): Promise<boolean> {
    const result = await executor
      .updateTable('jobs')
      .set(changes)
      .where('id', '=', fence.id)
      .where('state', '=', 'running')
      .where('lease_owner', '=', fence.owner)
      .where('attempts', '=', fence.attempt)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
