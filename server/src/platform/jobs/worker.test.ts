import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineJob, LeaseLostError, NonRetryableJobError, type JobContext, type JobDefinition } from './job.js';
import { JobQueue } from './queue.js';
import { JobRepository } from './repository.js';
import { gate, manualClock, openTempDatabase, silentLogger, sleep, type TempDatabase } from './test-support.js';
import { JobWorker, type JobWorkerOptions } from './worker.js';

const creditSchema = z.object({ account: z.string(), cents: z.int().positive() });

function creditJob(handle: (payload: z.output<typeof creditSchema>, context: JobContext) => Promise<unknown>): JobDefinition<z.output<typeof creditSchema>> {
  return defineJob({ type: 'ledger.credit', schema: creditSchema, handle });
}

describe('job worker', () => {
  let temp: TempDatabase;
  let queue: JobQueue;
  let clock: ReturnType<typeof manualClock>;
  const workers: JobWorker[] = [];
  const newWorker = (options: JobWorkerOptions = {}, db = temp.database.db) => {
    const worker = new JobWorker({ db, logger: silentLogger }, { clock: clock.now, random: () => 0, retry: { baseDelayMs: 1_000, maxDelayMs: 60_000 }, ...options });
    workers.push(worker);
    return worker;
  };
  const job = async (id: string) => (await queue.get(id))!;

  beforeEach(async () => {
    temp = await openTempDatabase();
    clock = manualClock();
    queue = new JobQueue({ db: temp.database.db, clock: clock.now });
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop({ timeoutMs: 1_000 });
    await temp.remove();
  });

  it('runs a due job once and records its result', async () => {
    const seen: { payload: unknown; attempt: number; key: string | null; jobId: string }[] = [];
    const worker = newWorker().register(
      creditJob(async (payload, ctx) => {
        seen.push({ payload, attempt: ctx.attempt, key: ctx.idempotencyKey, jobId: ctx.jobId });
        return { credited: payload.cents };
      }),
    );
    const { job: enqueued } = await queue.enqueue('ledger.credit', { account: 'a', cents: 5 }, { idempotencyKey: 'k1' });
    expect(await worker.runDueJobs()).toBe(1);
    expect(await worker.runDueJobs()).toBe(0);
    expect(seen).toEqual([{ payload: { account: 'a', cents: 5 }, attempt: 1, key: 'k1', jobId: enqueued.id }]);
    expect(await job(enqueued.id)).toMatchObject({
      state: 'succeeded',
      attempts: 1,
      result: { credited: 5 },
      leaseOwner: null,
      leaseExpiresAt: null,
      finishedAt: clock.now().toISOString(),
    });
  });

  it('leaves jobs not yet due, and jobs of types it has no handler for', async () => {
    const worker = newWorker().register(creditJob(async () => undefined));
    const scheduled = await queue.enqueue('ledger.credit', { account: 'a', cents: 1 }, { runAt: new Date(clock.now().getTime() + 60_000) });
    const foreign = await queue.enqueue('outreach.send', {});
    expect(await worker.runDueJobs()).toBe(0);
    clock.advance(60_000);
    expect(await worker.runDueJobs()).toBe(1);
    expect((await job(scheduled.job.id)).state).toBe('succeeded');
    expect((await job(foreign.job.id)).state).toBe('queued');
  });

  it('retries with exponential backoff, then dead-letters after the last attempt', async () => {
    let calls = 0;
    const worker = newWorker().register(
      creditJob(async () => {
        calls++;
        throw new Error('SMTP server unavailable');
      }),
    );
    const { job: enqueued } = await queue.enqueue('ledger.credit', { account: 'a', cents: 1 }, { maxAttempts: 3 });
    const start = clock.now().getTime();

    await worker.runDueJobs();
    // random() = 0: the lower half of the jittered delay, 1 s / 2 after the first failure.
    expect(await job(enqueued.id)).toMatchObject({ state: 'queued', attempts: 1, lastError: 'Error: SMTP server unavailable', runAt: new Date(start + 500).toISOString() });
    clock.advance(499);
    expect(await worker.runDueJobs()).toBe(0);
    clock.advance(1);
    await worker.runDueJobs();
    expect(await job(enqueued.id)).toMatchObject({ state: 'queued', attempts: 2, runAt: new Date(start + 500 + 1_000).toISOString() });
    clock.advance(1_000);
    await worker.runDueJobs();
    expect(await job(enqueued.id)).toMatchObject({ state: 'dead', attempts: 3, lastError: 'Error: SMTP server unavailable', finishedAt: clock.now().toISOString() });
    clock.advance(60_000);
    expect(await worker.runDueJobs()).toBe(0);
    expect(calls).toBe(3);
  });

  it('succeeds on a retry, keeping the error of the failed attempt', async () => {
    const worker = newWorker().register(
      creditJob(async (_payload, ctx) => {
        if (ctx.attempt === 1) throw new Error('timeout');
        return 'ok';
      }),
    );
    const { job: enqueued } = await queue.enqueue('ledger.credit', { account: 'a', cents: 1 });
    await worker.runDueJobs();
    clock.advance(500);
    await worker.runDueJobs();
    expect(await job(enqueued.id)).toMatchObject({ state: 'succeeded', attempts: 2, result: 'ok', lastError: 'Error: timeout' });
  });

  it('dead-letters at once on a NonRetryableJobError', async () => {
    const worker = newWorker().register(
      creditJob(async () => {
        throw new NonRetryableJobError('account a is closed');
      }),
    );
    const { job: enqueued } = await queue.enqueue('ledger.credit', { account: 'a', cents: 1 });
    await worker.runDueJobs();
    expect(await job(enqueued.id)).toMatchObject({ state: 'dead', attempts: 1, lastError: 'NonRetryableJobError: account a is closed' });
  });

  it('dead-letters a job whose payload does not match the schema, without calling the handler, and carries on', async () => {
    const handle = vi.fn(async () => 'done');
    const worker = newWorker().register(creditJob(handle));
    const bad = await queue.enqueue('ledger.credit', { account: 'a', cents: -3 });
    const good = await queue.enqueue('ledger.credit', { account: 'b', cents: 3 });
    expect(await worker.runDueJobs()).toBe(2);
    const dead = await job(bad.job.id);
    expect(dead).toMatchObject({ state: 'dead', attempts: 1 });
    expect(dead.lastError).toMatch(/^NonRetryableJobError: The payload does not match the ledger.credit schema:[\s\S]*cents/);
    expect(handle).toHaveBeenCalledTimes(1);
    expect((await job(good.job.id)).state).toBe('succeeded');
  });

  it('takes over a job whose worker crashed, once its lease has expired', async () => {
    const worker = newWorker({ leaseMs: 30_000 }).register(creditJob(async (_p, ctx) => `attempt ${ctx.attempt}`));
    const { job: enqueued } = await queue.enqueue('ledger.credit', { account: 'a', cents: 1 });
    // A worker that claimed the job and then died: its lease is in the table, nobody renews it.
    const repository = new JobRepository(temp.database.db);
    const now = clock.now();
    const [candidate] = await repository.findClaimable(['ledger.credit'], now.toISOString(), 1);
    expect(await repository.claim(candidate!, 'crashed-worker', now.toISOString(), new Date(now.getTime() + 30_000).toISOString())).toBeDefined();

    clock.advance(29_999);
    expect(await worker.runDueJobs()).toBe(0);
    clock.advance(1);
    expect(await worker.runDueJobs()).toBe(1);
    expect(await job(enqueued.id)).toMatchObject({ state: 'succeeded', attempts: 2, result: 'attempt 2', leaseOwner: null });
  });

  it('dead-letters a job abandoned on its last attempt instead of running it again', async () => {
    const handle = vi.fn(async () => undefined);
    const worker = newWorker({ leaseMs: 1_000 }).register(creditJob(handle));
    const { job: enqueued } = await queue.enqueue('ledger.credit', { account: 'a', cents: 1 }, { maxAttempts: 1 });
    const repository = new JobRepository(temp.database.db);
    const now = clock.now().toISOString();
    const [candidate] = await repository.findClaimable(['ledger.credit'], now, 1);
    await repository.claim(candidate!, 'crashed-worker', now, new Date(clock.now().getTime() + 1_000).toISOString());
    clock.advance(1_000);
    expect(await worker.runDueJobs()).toBe(0);
    expect(handle).not.toHaveBeenCalled();
    const dead = await job(enqueued.id);
    expect(dead).toMatchObject({ state: 'dead', attempts: 1, leaseOwner: null });
    expect(dead.lastError).toContain('stopped renewing its lease');
  });

  it('a claim is a compare-and-set: of two claims on one read, only the first wins', async () => {
    await queue.enqueue('ledger.credit', { account: 'a', cents: 1 });
    const repository = new JobRepository(temp.database.db);
    const other = new JobRepository((await temp.openAnother()).db);
    const now = clock.now().toISOString();
    const until = new Date(clock.now().getTime() + 1_000).toISOString();
    const [seenByFirst] = await repository.findClaimable(['ledger.credit'], now, 1);
    const [seenBySecond] = await other.findClaimable(['ledger.credit'], now, 1);
    expect(await repository.claim(seenByFirst!, 'first', now, until)).toMatchObject({ lease_owner: 'first', attempts: 1, state: 'running' });
    expect(await other.claim(seenBySecond!, 'second', now, until)).toBeUndefined();
  });

  it('aborts the handler and records nothing when another worker takes the job over', async () => {
    const aborted = gate();
    const worker = newWorker({ leaseMs: 1_000, heartbeatMs: 20 }).register(
      creditJob(async (_p, ctx) => {
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        aborted.open();
        return 'finished anyway';
      }),
    );
    const { job: enqueued } = await queue.enqueue('ledger.credit', { account: 'a', cents: 1 });
    const running = worker.runDueJobs();
    await vi.waitFor(async () => expect((await job(enqueued.id)).state).toBe('running'));
    // What a takeover after an expired lease looks like in the table.
    await sql`UPDATE jobs SET attempts = attempts + 1, lease_owner = 'other-worker' WHERE id = ${enqueued.id}`.execute(temp.database.db);
    await aborted.opened;
    await running;
    expect(await job(enqueued.id)).toMatchObject({ state: 'running', attempts: 2, leaseOwner: 'other-worker', result: undefined });
  });

  it('renews the lease while a long handler runs, so no other worker runs it meanwhile', async () => {
    // A lease a busy machine's event-loop stalls cannot outlast, and a handler that needs it renewed twice.
    const realTime = { clock: () => new Date(), leaseMs: 1000, heartbeatMs: 100, pollIntervalMs: 10 };
    let executions = 0;
    const slow = creditJob(async () => {
      executions++;
      await sleep(2500);
      return 'slow';
    });
    const owner = newWorker({ ...realTime, workerId: 'owner' }).register(slow);
    const { job: enqueued } = await new JobQueue({ db: temp.database.db }).enqueue('ledger.credit', { account: 'a', cents: 1 });
    const running = owner.runDueJobs();
    await vi.waitFor(async () => expect((await job(enqueued.id)).state).toBe('running'));
    const firstLease = (await job(enqueued.id)).leaseExpiresAt!;
    newWorker({ ...realTime, workerId: 'rival' }, (await temp.openAnother()).db).register(slow).start();
    await running;
    expect(executions).toBe(1);
    const done = await job(enqueued.id);
    expect(done).toMatchObject({ state: 'succeeded', attempts: 1, result: 'slow' });
    expect(done.updatedAt > firstLease).toBe(true);
  });

  describe('completeInTransaction', () => {
    beforeEach(async () => {
      await sql`CREATE TABLE ledger (job_id TEXT NOT NULL, account TEXT NOT NULL, cents INTEGER NOT NULL)`.execute(temp.database.db);
    });
    const ledger = async () => (await sql<{ job_id: string; cents: number }>`SELECT job_id, cents FROM ledger`.execute(temp.database.db)).rows;
    const credit = (payload: { account: string; cents: number }, ctx: JobContext) =>
      ctx.completeInTransaction(async (trx) => {
        await sql`INSERT INTO ledger (job_id, account, cents) VALUES (${ctx.jobId}, ${payload.account}, ${payload.cents})`.execute(trx);
        return { credited: payload.cents };
      });

    it('commits the effect and the success together', async () => {
      const worker = newWorker().register(creditJob(credit));
      const { job: enqueued } = await queue.enqueue('ledger.credit', { account: 'a', cents: 7 });
      await worker.runDueJobs();
      expect(await ledger()).toEqual([{ job_id: enqueued.id, cents: 7 }]);
      expect(await job(enqueued.id)).toMatchObject({ state: 'succeeded', result: { credited: 7 } });
    });

    it('rolls the effect back when the work fails, and the job is retried', async () => {
      const worker = newWorker().register(
        creditJob(async (payload, ctx) =>
          ctx.completeInTransaction(async (trx) => {
            await sql`INSERT INTO ledger (job_id, account, cents) VALUES (${ctx.jobId}, ${payload.account}, ${payload.cents})`.execute(trx);
            if (ctx.attempt === 1) throw new Error('constraint failed halfway');
          }),
        ),
      );
      const { job: enqueued } = await queue.enqueue('ledger.credit', { account: 'a', cents: 7 });
      await worker.runDueJobs();
      expect(await ledger()).toEqual([]);
      expect(await job(enqueued.id)).toMatchObject({ state: 'queued', attempts: 1, lastError: 'Error: constraint failed halfway' });
      clock.advance(500);
      await worker.runDueJobs();
      expect(await ledger()).toEqual([{ job_id: enqueued.id, cents: 7 }]);
      expect(await job(enqueued.id)).toMatchObject({ state: 'succeeded', attempts: 2 });
    });

    it('refuses to commit once another worker has taken the job over', async () => {
      const errors: unknown[] = [];
      const worker = newWorker().register(
        creditJob(async (payload, ctx) => {
          await sql`UPDATE jobs SET attempts = attempts + 1, lease_owner = 'other-worker' WHERE id = ${ctx.jobId}`.execute(temp.database.db);
          return credit(payload, ctx).catch((err: unknown) => {
            errors.push(err);
            throw err;
          });
        }),
      );
      const { job: enqueued } = await queue.enqueue('ledger.credit', { account: 'a', cents: 7 });
      await worker.runDueJobs();
      expect(errors).toEqual([expect.any(LeaseLostError)]);
      expect(await ledger()).toEqual([]);
      expect(await job(enqueued.id)).toMatchObject({ state: 'running', leaseOwner: 'other-worker' });
    });

    it('is called at most once per attempt', async () => {
      const worker = newWorker().register(
        creditJob(async (payload, ctx) => {
          await credit(payload, ctx);
          await credit(payload, ctx);
        }),
      );
      const { job: enqueued } = await queue.enqueue('ledger.credit', { account: 'a', cents: 7 });
      await worker.runDueJobs();
      expect(await ledger()).toHaveLength(1);
      expect((await job(enqueued.id)).state).toBe('succeeded');
    });
  });

  it('two workers claiming at the same moment on one database file run each of N jobs once', async () => {
    // Each poll is a burst of synchronous SQLite calls, so two timer-driven workers in one process
    // would take turns; starting both rounds together interleaves them at every await, and both
    // read the same candidates. (crash.test.ts runs two worker processes for real.)
    await sql`CREATE TABLE executions (job_id TEXT NOT NULL, worker TEXT NOT NULL)`.execute(temp.database.db);
    const other = (await temp.openAnother()).db;
    const worker = (name: string, db = temp.database.db) =>
      newWorker({ workerId: name, concurrency: 3 }, db).register(
        creditJob(async (_p, ctx) => {
          await sql`INSERT INTO executions (job_id, worker) VALUES (${ctx.jobId}, ${name})`.execute(db);
        }),
      );
    const [first, second] = [worker('first'), worker('second', other)];
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await queue.enqueue('ledger.credit', { account: `a${i}`, cents: 1 })).job.id);
    for (let round = 0; round < 30 && (await queue.list({ state: 'queued' })).length > 0; round++) {
      await Promise.all([first.runDueJobs(), second.runDueJobs()]);
    }
    const executions = (await sql<{ job_id: string; worker: string }>`SELECT job_id, worker FROM executions`.execute(temp.database.db)).rows;
    expect(executions.map((e) => e.job_id).sort()).toEqual([...ids].sort());
    expect(new Set(executions.map((e) => e.worker))).toEqual(new Set(['first', 'second']));
    expect((await queue.list({ limit: 1000 })).map((j) => [j.state, j.attempts])).toEqual(ids.map(() => ['succeeded', 1]));
  });

  describe('stop', () => {
    it('waits for running handlers to finish', async () => {
      const started = gate();
      const worker = newWorker({ clock: () => new Date(), pollIntervalMs: 5 }).register(
        creditJob(async () => {
          started.open();
          await sleep(300);
          return 'finished';
        }),
      );
      const { job: enqueued } = await new JobQueue({ db: temp.database.db }).enqueue('ledger.credit', { account: 'a', cents: 1 });
      worker.start();
      await started.opened;
      const before = Date.now();
      await worker.stop();
      expect(Date.now() - before).toBeGreaterThanOrEqual(200);
      expect(await job(enqueued.id)).toMatchObject({ state: 'succeeded', result: 'finished' });
    });

    it('gives up after its timeout: the handler is aborted and the job left to run again', async () => {
      const started = gate();
      let signal: AbortSignal | undefined;
      const worker = newWorker({ clock: () => new Date(), pollIntervalMs: 5 }).register(
        creditJob(async (_p, ctx) => {
          signal = ctx.signal;
          started.open();
          await sleep(1_000);
        }),
      );
      const { job: enqueued } = await new JobQueue({ db: temp.database.db }).enqueue('ledger.credit', { account: 'a', cents: 1 });
      worker.start();
      await started.opened;
      const before = Date.now();
      await worker.stop({ timeoutMs: 100 });
      expect(Date.now() - before).toBeLessThan(1_000);
      expect(signal?.aborted).toBe(true);
      // Still claimed: the lease expires and a worker (this one after a restart) runs it again.
      expect(await job(enqueued.id)).toMatchObject({ state: 'running', attempts: 1 });
    });

    it('claims nothing after stop', async () => {
      const handle = vi.fn(async () => undefined);
      const worker = newWorker({ clock: () => new Date(), pollIntervalMs: 5 }).register(creditJob(handle));
      worker.start();
      await worker.stop();
      await new JobQueue({ db: temp.database.db }).enqueue('ledger.credit', { account: 'a', cents: 1 });
      await sleep(50);
      expect(handle).not.toHaveBeenCalled();
    });
  });

  it('refuses a second handler for a type, and bad options, with clear errors', () => {
    const worker = newWorker().register(creditJob(async () => undefined));
    expect(() => worker.register(creditJob(async () => undefined))).toThrow('A handler for ledger.credit jobs is already registered.');
    expect(() => newWorker({ leaseMs: 1_000, heartbeatMs: 1_000 })).toThrow(/heartbeatMs must be shorter than leaseMs/);
    expect(() => newWorker({ concurrency: 0 })).toThrow(/concurrency/);
  });
});
