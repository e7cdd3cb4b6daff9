import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupCommit, openDatabase, type DatabaseHandle, type GroupCommit } from '../db/index.js';
import { AuditLog, verifyAuditChain, type AuditEntry } from './audit.js';
import { AuditBatch, DisclosureLog } from './batch.js';
import { socketAddress } from '../realtime/origin.js';

const KEY = randomBytes(32);

describe('batched audit writes', () => {
  let dir: string;
  let database: DatabaseHandle;
  let log: AuditLog;
  let commits: GroupCommit;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-audit-batch-'));
    database = await openDatabase(path.join(dir, 'audit.db'));
    log = new AuditLog(database.sqlite, { key: KEY });
    commits = createGroupCommit(database.sqlite);
  });
  afterEach(async () => {
    commits.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const count = () => (database.sqlite.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  const entry = (actorId: string): AuditEntry => ({ action: 'phi.read', actorId, resourceType: 'Conversation', resourceId: 'c1' });

  it('records what one event-loop turn queued in one transaction, and releases the waiters after it', async () => {
    let recorded = 0;
    const batch = new AuditBatch({ recordMany: (entries) => (recorded++, log.recordMany(entries)) }, commits);
    const written = Promise.all([batch.record([entry('a')]), batch.record([entry('b'), entry('c')])]);
    expect(count()).toBe(0);
    await written;
    expect(count()).toBe(3);
    expect(recorded).toBe(1);
    expect(verifyAuditChain(database.sqlite, { key: KEY }).problems).toEqual([]);
  });

  it('rejects every waiter of a batch that could not be recorded, and says so', async () => {
    const failures: number[] = [];
    const batch = new AuditBatch({ recordMany: () => { throw new Error('disk full'); } }, commits, (_err, n) => failures.push(n));
    await expect(Promise.all([batch.record([entry('a')]), batch.record([entry('b')])])).rejects.toThrow('disk full');
    expect(failures).toEqual([2]);
  });

  it('shares the turn\'s group commit with other writes; a failed audit batch rolls back alone', async () => {
    database.sqlite.exec('CREATE TABLE notes (text TEXT NOT NULL)');
    const note = (text: string) => commits.run(() => database.sqlite.prepare('INSERT INTO notes (text) VALUES (?)').run(text));
    const failing = new AuditBatch({ recordMany: () => { throw new Error('disk full'); } }, commits);
    const results = await Promise.allSettled([note('before'), failing.record([entry('a')]), new AuditBatch(log, commits).record([entry('b')]), note('after')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(database.sqlite.prepare('SELECT text FROM notes ORDER BY rowid').pluck().all()).toEqual(['before', 'after']);
    expect(count()).toBe(1);
  });

  it('a disclosure is one row per user, conversation and purpose; forgetting the pair records the next one again', async () => {
    const disclosures = new DisclosureLog(new AuditBatch(log, commits));
    await Promise.all([1, 2, 3].map(() => disclosures.once('ann', 'c1', 'conversation.sync', () => entry('ann'))));
    await disclosures.once('ann', 'c1', 'conversation.join', () => entry('ann'));
    await disclosures.once('bob', 'c1', 'conversation.sync', () => entry('bob'));
    await disclosures.once('ann', 'c2', 'conversation.sync', () => entry('ann'));
    expect(count()).toBe(4);
    disclosures.forget('ann', 'c1');
    await disclosures.once('ann', 'c1', 'conversation.sync', () => entry('ann'));
    expect(count()).toBe(5);
  });

  it('a failed disclosure is tried again next time; the memory is bounded', async () => {
    let fail = true;
    const disclosures = new DisclosureLog(new AuditBatch({ recordMany: (entries) => (fail ? (() => { throw new Error('busy'); })() : log.recordMany(entries)) }, commits), 2);
    await expect(disclosures.once('ann', 'c1', 'conversation.sync', () => entry('ann'))).rejects.toThrow('busy');
    fail = false;
    await disclosures.once('ann', 'c1', 'conversation.sync', () => entry('ann'));
    expect(count()).toBe(1);
    await disclosures.once('ann', 'c2', 'conversation.sync', () => entry('ann'));
    await disclosures.once('ann', 'c3', 'conversation.sync', () => entry('ann'));
    // c1 was the oldest of three pairs with room for two: it is recorded again.
    await disclosures.once('ann', 'c1', 'conversation.sync', () => entry('ann'));
    expect(count()).toBe(4);
  });
});

describe('the address of a socket', () => {
  const socket = (address: string, forwarded?: string) => ({ handshake: { address, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } } }) as never;
  it.each([
    ['a direct client', '198.51.100.4', undefined, '198.51.100.4'],
    ['a client behind a loopback proxy', '127.0.0.1', '203.0.113.7', '203.0.113.7'],
    ['through two loopback hops', '::1', '203.0.113.7, 127.0.0.1', '203.0.113.7'],
    ['a forged header from a remote peer', '198.51.100.4', '10.0.0.1', '198.51.100.4'],
    ['the nearest untrusted hop, not a forged first one', '127.0.0.1', '6.6.6.6, 203.0.113.7', '203.0.113.7'],
  ])('%s', (_name, peer, forwarded, expected) => {
    expect(socketAddress(socket(peer, forwarded))).toBe(expected);
  });
});
