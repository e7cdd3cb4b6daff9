import SQLite from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

describe('group commit', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-group-commit-'));
  let db: SQLite.Database;
  afterEach(() => db?.close());

  function open(): SQLite.Database {
    db = new SQLite(path.join(dir, `${Math.random().toString(36).slice(2)}.db`));
    db.pragma('journal_mode = WAL');
    db.exec('create table t (id integer primary key, v text not null unique)');
    return db;
  }

  it('commits the writes of one turn together, one transaction for all', async () => {
    const sqlite = open();
    const commits = createGroupCommit(sqlite);
    const insert = sqlite.prepare('insert into t (v) values (?) returning id');
    let transactionsSeen = 0;
    const writes = ['a', 'b', 'c'].map((v) =>
      commits.run(() => {
        if (!sqlite.inTransaction) throw new Error('outside a transaction');
        transactionsSeen++;
        return (insert.get(v) as { id: number }).id;
      }),
    );
    expect(commits.pending).toBe(3);
    // Nothing is written before the turn ends.
    expect(sqlite.prepare('select count(*) as n from t').get()).toEqual({ n: 0 });
    expect(await Promise.all(writes)).toEqual([1, 2, 3]);
    expect(transactionsSeen).toBe(3);
    expect(commits.pending).toBe(0);
    // Durable and visible from another connection once the promises resolve.
    const other = new SQLite(sqlite.name, { readonly: true });
    expect(other.prepare('select v from t order by id').pluck().all()).toEqual(['a', 'b', 'c']);
    other.close();
  });

  it('rolls back a failing write alone; the others of its batch are stored', async () => {
    const sqlite = open();
    const commits = createGroupCommit(sqlite);
    const insert = sqlite.prepare('insert into t (v) values (?)');
    const ok1 = commits.run(() => insert.run('x'));
    const bad = commits.run(() => {
      insert.run('half');
      insert.run('x'); // unique violation: the savepoint (with 'half') rolls back
    });
    const ok2 = commits.run(() => insert.run('y'));
    await expect(bad).rejects.toThrow(/UNIQUE/);
    await ok1;
    await ok2;
    expect(sqlite.prepare('select v from t order by id').pluck().all()).toEqual(['x', 'y']);
  });

  it('on a WAL file resolves only after the WAL is synced, and leaves the connection at synchronous=FULL', async () => {
    const sqlite = open();
    sqlite.pragma('synchronous = FULL');
    const commits = createGroupCommit(sqlite);
    const insert = sqlite.prepare('insert into t (v) values (?)');
    let resolved = false;
    const write = commits.run(() => insert.run('durable')).then(() => (resolved = true));
    commits.flush();
    // Committed (visible) at once, but not acknowledged until the fsync in the thread pool is done.
    expect(sqlite.prepare('select count(*) as n from t').get()).toEqual({ n: 1 });
    // A commit acknowledged at once would have settled within these microtasks; the fsync's
    // callback comes in a later turn.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(resolved).toBe(false);
    await write;
    expect(resolved).toBe(true);
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2);
    // Writes of a turn while that fsync runs go into the next one.
    const more = await Promise.all(['a', 'b'].map((v) => commits.run(() => insert.run(v).changes)));
    expect(more).toEqual([1, 1]);
    commits.close();
  });

  it('flush() commits at once', async () => {
    const sqlite = open();
    const commits = createGroupCommit(sqlite);
    const write = commits.run(() => sqlite.prepare('insert into t (v) values (?)').run('now'));
    commits.flush();
    expect(sqlite.prepare('select count(*) as n from t').get()).toEqual({ n: 1 });
    await write;
  });
});
