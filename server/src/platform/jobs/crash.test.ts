/**
 * Real worker processes on one database file: one killed with SIGKILL in the middle of a job and
 * started again (issue 8: the job completes, its effect applied exactly once), and two running side
 * by side (each job runs once).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exited, spawnTsx } from '../../testing/processes.js';
import { createFixtureTables, TRANSFER_KEY, transferSchema } from './crash-worker.fixture.js';
import { defineJob } from './job.js';
import { JobQueue } from './queue.js';
import { openTempDatabase, type TempDatabase } from './test-support.js';

const serverDir = path.resolve(import.meta.dirname, '../../..');
const fixture = path.join(import.meta.dirname, 'crash-worker.fixture.ts');

describe('worker processes', () => {
  let temp: TempDatabase;
  let queue: JobQueue;
  const children: ChildProcess[] = [];

  const startWorker = (env: Record<string, string>) => {
    const worker = spawnTsx(fixture, { cwd: serverDir, env: { ...process.env, JOBS_DB: temp.file, ...env } });
    children.push(worker.child);
    return worker;
  };
  const waitForLine = (worker: ReturnType<typeof startWorker>, pattern: RegExp) =>
    vi.waitFor(
      () => {
        if (worker.child.exitCode !== null) throw new Error(`the worker exited early:\n${worker.output()}`);
        const match = pattern.exec(worker.output());
        if (!match) throw new Error(`no line matching ${pattern} yet:\n${worker.output()}`);
        return match;
      },
      { timeout: 10_000, interval: 20 },
    );
  const rows = async <T,>(query: string) => (await sql<T>`${sql.raw(query)}`.execute(temp.database.db)).rows;

  beforeEach(async () => {
    temp = await openTempDatabase();
    await createFixtureTables(temp.database.db);
    queue = new JobQueue({ db: temp.database.db });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
    await temp.remove();
  });

  it('kill -9 mid-job, restart: the job succeeds on attempt 2 and its effect is applied exactly once', async () => {
    // First run: step 1 of 3, then a long pause in which it is killed.
    const first = startWorker({ WORKER_NAME: 'first', STEP_MS: '60000', LEASE_MS: '1000', ENQUEUE_TRANSFER: '1' });
    const [, jobId] = await waitForLine(first, /step 1 done: job (\S+) attempt 1/);
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(await queue.get(jobId!)).toMatchObject({ state: 'running', attempts: 1, leaseOwner: 'first' });

    // Second run: enqueues the same transfer again (a producer restarting too), waits out the dead
    // worker's lease, takes the job over and finishes it.
    const second = startWorker({ WORKER_NAME: 'second', STEP_MS: '20', LEASE_MS: '1000', ENQUEUE_TRANSFER: '1' });
    await waitForLine(second, new RegExp(`already enqueued ${jobId}`));
    await vi.waitFor(async () => expect((await queue.get(jobId!))?.state).toBe('succeeded'), { timeout: 10_000, interval: 50 });
    second.child.kill('SIGTERM');
    expect(await exited(second.child), second.output()).toBe(0);

    expect(await queue.list()).toEqual([
      expect.objectContaining({ id: jobId, idempotencyKey: TRANSFER_KEY, state: 'succeeded', attempts: 2, leaseOwner: null, result: { credited: 250, by: 'second' } }),
    ]);
    // Execution is at least once: step 1 ran in both attempts...
    expect(await rows('SELECT step, attempt, worker FROM step_executions ORDER BY attempt, step')).toEqual([
      { step: 1, attempt: 1, worker: 'first' },
      { step: 1, attempt: 2, worker: 'second' },
      { step: 2, attempt: 2, worker: 'second' },
      { step: 3, attempt: 2, worker: 'second' },
    ]);
    // ...its effect, keyed by job id and step, applied once; the credit committed with the success.
    expect(await rows('SELECT step, attempt FROM step_effects ORDER BY step')).toEqual([
      { step: 1, attempt: 1 },
      { step: 2, attempt: 2 },
      { step: 3, attempt: 2 },
    ]);
    expect(await rows('SELECT job_id, cents FROM transfers')).toEqual([{ job_id: jobId, cents: 250 }]);
    expect(await rows('SELECT id, balance FROM accounts')).toEqual([{ id: 'acct-1', balance: 250 }]);
  }, 20_000);

  it('two worker processes on one database file run each job once', async () => {
    const workers = [startWorker({ WORKER_NAME: 'one', STEP_MS: '30' }), startWorker({ WORKER_NAME: 'two', STEP_MS: '30' })];
    // Enqueue once both poll, so both compete for every job.
    for (const worker of workers) await waitForLine(worker, /worker ready/);
    const transfer = defineJob({ type: 'fixture.transfer', schema: transferSchema, handle: async () => undefined });
    const count = 30;
    for (let i = 0; i < count; i++) await queue.enqueue(transfer, { account: `acct-${i % 3}`, cents: 1, steps: 2 });
    await vi.waitFor(async () => expect(await queue.list({ state: 'succeeded' })).toHaveLength(count), { timeout: 15_000, interval: 50 });

    const executions = await rows<{ job_id: string; step: number; worker: string }>('SELECT job_id, step, worker FROM step_executions');
    expect(executions).toHaveLength(count * 2);
    expect(new Set(executions.map((e) => `${e.job_id}/${e.step}`)).size).toBe(count * 2);
    expect(new Set(executions.map((e) => e.worker))).toEqual(new Set(['one', 'two']));
    expect((await queue.list()).every((job) => job.attempts === 1)).toBe(true);
    expect(await rows('SELECT SUM(balance) AS total FROM accounts')).toEqual([{ total: count }]);
  }, 20_000);
});
