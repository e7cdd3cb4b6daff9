import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob, JobInputError } from './job.js';
import { JobQueue } from './queue.js';
import { manualClock, openTempDatabase, type TempDatabase } from './test-support.js';

const sendSurvey = defineJob({
  type: 'surveys.send',
  schema: z.object({ conversationId: z.string().min(1) }),
  maxAttempts: 3,
  handle: async () => undefined,
});

describe('job queue', () => {
  let temp: TempDatabase;
  let queue: JobQueue;
  const clock = manualClock();
  beforeEach(async () => {
    temp = await openTempDatabase();
    queue = new JobQueue({ db: temp.database.db, clock: clock.now });
  });
  afterEach(() => temp.remove());

  it('enqueues a job due now, with the defaults', async () => {
    const { job, created } = await queue.enqueue('reminders.appointment', { appointmentId: 'a1' });
    expect(created).toBe(true);
    expect(job).toMatchObject({
      type: 'reminders.appointment',
      payload: { appointmentId: 'a1' },
      state: 'queued',
      attempts: 0,
      maxAttempts: 5,
      runAt: clock.now().toISOString(),
      leaseOwner: null,
      idempotencyKey: null,
      finishedAt: null,
    });
    expect(await queue.get(job.id)).toEqual(job);
    expect(await queue.get('no-such-job')).toBeUndefined();
  });

  it('returns the first job for a used idempotency key, per type, without adding one', async () => {
    const first = await queue.enqueue('reminders.appointment', { appointmentId: 'a1' }, { idempotencyKey: 'reminder:a1:24h' });
    const again = await queue.enqueue('reminders.appointment', { appointmentId: 'changed' }, { idempotencyKey: 'reminder:a1:24h' });
    expect(again).toEqual({ job: first.job, created: false });
    // The key belongs to the type: another type may use the same words.
    expect((await queue.enqueue('outreach.send', {}, { idempotencyKey: 'reminder:a1:24h' })).created).toBe(true);
    // No key, no deduplication.
    await queue.enqueue('reminders.appointment', { appointmentId: 'a1' });
    await queue.enqueue('reminders.appointment', { appointmentId: 'a1' });
    expect(await queue.list({ type: 'reminders.appointment' })).toHaveLength(3);
  });

  it('keeps one job when the same key is enqueued concurrently from two connections', async () => {
    const other = new JobQueue({ db: (await temp.openAnother()).db });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? queue : other).enqueue('surveys.send', { conversationId: 'c1' }, { idempotencyKey: 'c1' })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
  });

  it('checks the payload against the definition when given one, and takes its maxAttempts', async () => {
    await expect(queue.enqueue(sendSurvey, { conversationId: '' })).rejects.toThrow(/Invalid payload for a surveys.send job[\s\S]*conversationId/);
    expect(await queue.list()).toEqual([]);
    const { job } = await queue.enqueue(sendSurvey, { conversationId: 'c1' });
    expect(job.maxAttempts).toBe(3);
    expect((await queue.enqueue(sendSurvey, { conversationId: 'c2' }, { maxAttempts: 7 })).job.maxAttempts).toBe(7);
  });

  it.each([
    { what: 'a type with spaces', type: 'Send Survey', payload: {}, options: {}, message: /Invalid job type/ },
    { what: 'zero attempts', type: 'a.b', payload: {}, options: { maxAttempts: 0 }, message: /maxAttempts/ },
    { what: 'an empty idempotency key', type: 'a.b', payload: {}, options: { idempotencyKey: '' }, message: /idempotencyKey/ },
    { what: 'an invalid date', type: 'a.b', payload: {}, options: { runAt: new Date('nope') }, message: /runAt/ },
    { what: 'an unknown option', type: 'a.b', payload: {}, options: { delay: 5 }, message: /delay/ },
    { what: 'an undefined payload', type: 'a.b', payload: undefined, options: {}, message: /not JSON-serializable/ },
    { what: 'a BigInt payload', type: 'a.b', payload: { n: 1n }, options: {}, message: /not JSON-serializable/ },
  ])('refuses $what with a clear error', async ({ type, payload, options, message }) => {
    const attempt = queue.enqueue(type, payload, options as object);
    await expect(attempt).rejects.toBeInstanceOf(JobInputError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('schedules with runAt and lists by state and type, oldest first', async () => {
    const later = new Date(clock.now().getTime() + 60_000);
    const scheduled = await queue.enqueue('outreach.send', { n: 1 }, { runAt: later });
    expect(scheduled.job.runAt).toBe(later.toISOString());
    clock.advance(1);
    await queue.enqueue('outreach.send', { n: 2 });
    await queue.enqueue('surveys.send', { n: 3 });
    expect((await queue.list({ type: 'outreach.send' })).map((j) => j.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await queue.list({ state: 'dead' })).toEqual([]);
    expect(await queue.list({ limit: 1 })).toHaveLength(1);
    await expect(queue.list({ state: 'lost' as 'dead' })).rejects.toThrow(/state/);
  });

  it('enqueues inside a caller transaction: a rollback takes the job with it', async () => {
    await expect(
      temp.database.db.transaction().execute(async (trx) => {
        await queue.using(trx).enqueue('surveys.send', { conversationId: 'c1' });
        throw new Error('the appointment could not be booked');
      }),
    ).rejects.toThrow('could not be booked');
    expect(await queue.list()).toEqual([]);
  });
});
