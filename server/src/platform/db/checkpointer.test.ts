import SQLite from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { openDatabase } from './index.js';

describe('WAL checkpoints in a worker thread', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-checkpointer-'));
  let db: SQLite.Database | undefined;
  let checkpointer: Checkpointer | null = null;
  afterEach(async () => {
    await checkpointer?.close();
    checkpointer = null;
    db?.close();
    db = undefined;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function open(): SQLite.Database {
    const file = path.join(dir, `${Math.random().toString(36).slice(2)}.db`);
    db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    return db;
  }
  /** One transaction of about 1,200 pages: past SQLite's default automatic checkpoint (1,000). */
  const bigCommit = (sqlite: SQLite.Database) => {
    const insert = sqlite.prepare('INSERT INTO t (v) VALUES (?)');
    sqlite.transaction(() => {
      for (let i = 0; i < 1_200; i++) insert.run('x'.repeat(3_500));
    })();
  };
  const fileSize = (sqlite: SQLite.Database) => fs.statSync(sqlite.name).size;

  it('without it, the commit that fills the WAL copies the pages into the database file itself', () => {
    const sqlite = open();
    const before = fileSize(sqlite);
    bigCommit(sqlite);
    expect(fileSize(sqlite)).toBeGreaterThan(before + 1_000 * 4_096);
  });

  it('with it, that commit leaves the copying to the worker, which does it on its own', async () => {
    const sqlite = open();
    checkpointer = startCheckpointer(sqlite, { intervalMs: 20 });
    expect(checkpointer).not.toBeNull();
    const before = fileSize(sqlite);
    bigCommit(sqlite);
    // Nothing copied on this thread...
    expect(fileSize(sqlite)).toBe(before);
    // ...the worker notices the commit and checkpoints within a few intervals.
    const deadline = Date.now() + 5_000;
    while (fileSize(sqlite) <= before + 1_000 * 4_096 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(fileSize(sqlite)).toBeGreaterThan(before + 1_000 * 4_096);
    // Everything is still there, for this connection and a new one.
    expect(sqlite.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(1_200);
    expect(new SQLite(sqlite.name, { readonly: true }).prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(1_200);
  });

  it('checkpointNow reports the frames copied; close hands checkpointing back to the connection', async () => {
    const sqlite = open();
    const automatic = sqlite.pragma('wal_autocheckpoint', { simple: true });
    checkpointer = startCheckpointer(sqlite, { intervalMs: 60_000, fallbackPages: 50_000 });
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(50_000);
    bigCommit(sqlite);
    const result = await checkpointer!.checkpointNow();
    expect(result.log).toBeGreaterThan(1_000);
    expect(result.checkpointed).toBe(result.log);
    await checkpointer!.close();
    checkpointer = null;
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(automatic);
  });

  it('an in-memory database has no WAL and gets no worker', () => {
    const memory = new SQLite(':memory:');
    expect(startCheckpointer(memory)).toBeNull();
    memory.close();
  });

  it('openDatabase starts one for a file database and stops it on close, the data intact', async () => {
    const file = path.join(dir, 'opened.db');
    const handle = await openDatabase(file);
    expect(handle.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThan(1_000);
    handle.sqlite.exec('CREATE TABLE kept (v TEXT)');
    handle.sqlite.prepare('INSERT INTO kept VALUES (?)').run('still here');
    await handle.close();
    const reopened = new SQLite(file, { readonly: true });
    expect(reopened.prepare('SELECT v FROM kept').pluck().all()).toEqual(['still here']);
    reopened.close();
    const inline = await openDatabase(path.join(dir, 'inline.db'), { checkpoints: 'inline' });
    expect(inline.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    await inline.close();
  });
});
