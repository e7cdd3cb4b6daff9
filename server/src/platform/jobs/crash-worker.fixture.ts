/**
 * A job worker process for crash.test.ts (run with tsx; not a test file): it works `fixture.transfer`
 * jobs on the database at JOBS_DB, whose handler applies a multi-step effect slowly, so the test can
 * kill it with SIGKILL mid-job and start it again.
 *
 * Each step is logged twice: in `step_executions` every time it runs (execution is at least once),
 * and in `step_effects` keyed by (job id, step) with ON CONFLICT DO NOTHING (the effect is applied
 * once). The final credit commits with the job's success through completeInTransaction.
 *
 * Environment: JOBS_DB (required), WORKER_NAME, STEP_MS (pause between steps), LEASE_MS,
 * CONCURRENCY, ENQUEUE_TRANSFER=1 (enqueue the test's transfer under a fixed idempotency key).
 */
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { openDatabase, type Database } from '../db/index.js';
import { createLogger } from '../logging.js';
import { defineJob, JobQueue, JobWorker } from './index.js';

export const TRANSFER_KEY = 'crash-test-transfer';

export const transferSchema = z.object({ account: z.string(), cents: z.int(), steps: z.int().min(1) });

export async function createFixtureTables(db: Kysely<Database>): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS step_executions (job_id TEXT NOT NULL, step INTEGER NOT NULL, attempt INTEGER NOT NULL, worker TEXT NOT NULL)`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS step_effects (job_id TEXT NOT NULL, step INTEGER NOT NULL, attempt INTEGER NOT NULL, PRIMARY KEY (job_id, step))`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL)`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS transfers (job_id TEXT PRIMARY KEY, account TEXT NOT NULL, cents INTEGER NOT NULL)`.execute(db);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const file = process.env.JOBS_DB;
  if (!file) throw new Error('JOBS_DB is required');
  const workerName = process.env.WORKER_NAME ?? 'fixture';
  const stepMs = Number(process.env.STEP_MS ?? 20);
  const database = await openDatabase(file);
  const { db } = database;
  await createFixtureTables(db);

  const transfer = defineJob({
    type: 'fixture.transfer',
    schema: transferSchema,
    handle: async (payload, ctx) => {
      for (let step = 1; step <= payload.steps; step++) {
        await sql`INSERT INTO step_executions (job_id, step, attempt, worker) VALUES (${ctx.jobId}, ${step}, ${ctx.attempt}, ${workerName})`.execute(db);
        await sql`INSERT INTO step_effects (job_id, step, attempt) VALUES (${ctx.jobId}, ${step}, ${ctx.attempt}) ON CONFLICT (job_id, step) DO NOTHING`.execute(db);
        say(`step ${step} done: job ${ctx.jobId} attempt ${ctx.attempt}`);
        if (step < payload.steps) await sleep(stepMs);
      }
      return ctx.completeInTransaction(async (trx) => {
        await sql`INSERT INTO accounts (id, balance) VALUES (${payload.account}, 0) ON CONFLICT (id) DO NOTHING`.execute(trx);
        await sql`UPDATE accounts SET balance = balance + ${payload.cents} WHERE id = ${payload.account}`.execute(trx);
        await sql`INSERT INTO transfers (job_id, account, cents) VALUES (${ctx.jobId}, ${payload.account}, ${payload.cents})`.execute(trx);
        return { credited: payload.cents, by: workerName };
      });
    },
  });

  if (process.env.ENQUEUE_TRANSFER === '1') {
    const { job, created } = await new JobQueue({ db }).enqueue(transfer, { account: 'acct-1', cents: 250, steps: 3 }, { idempotencyKey: TRANSFER_KEY });
    say(`${created ? 'enqueued' : 'already enqueued'} ${job.id}`);
  }

  const worker = new JobWorker(
    { db, logger: createLogger(process.env.LOG_LEVEL ?? 'warn') },
    { workerId: workerName, pollIntervalMs: 25, leaseMs: Number(process.env.LEASE_MS ?? 1_000), concurrency: Number(process.env.CONCURRENCY ?? 2) },
  ).register(transfer);
  worker.start();
  say('worker ready');

  process.once('SIGTERM', () => {
    void worker
      .stop()
      .then(() => database.close())
      .then(() => {
        say('worker stopped');
        process.exit(0);
      });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
