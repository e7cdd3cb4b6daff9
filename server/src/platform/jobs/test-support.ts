/**
 * Shared by the jobs tests (not a test file itself): a migrated database in a temp dir of its own,
 * a clock the test moves by hand, and a gate a handler waits on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DatabaseHandle } from '../db/index.js';
import { createLogger } from '../logging.js';

export const silentLogger = createLogger('silent');

export interface TempDatabase {
  dir: string;
  file: string;
  database: DatabaseHandle;
  /** Another connection to the same file, as a second process would have. */
  openAnother(): Promise<DatabaseHandle>;
  remove(): Promise<void>;
}

export async function openTempDatabase(): Promise<TempDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-jobs-'));
  const file = path.join(dir, 'jobs.db');
  const database = await openDatabase(file);
  const others: DatabaseHandle[] = [];
  return {
    dir,
    file,
    database,
    openAnother: async () => {
      const other = await openDatabase(file);
      others.push(other);
      return other;
    },
    remove: async () => {
      for (const handle of [database, ...others]) await handle.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function manualClock(start = '2030-01-01T00:00:00.000Z'): { now: () => Date; advance(ms: number): void } {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
  };
}

export function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
