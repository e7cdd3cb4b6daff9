import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SQLite from 'better-sqlite3';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function seed(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run seed', () => {
  let dir: string;
  let db: string;
  const patients = () => {
    const sqlite = new SQLite(db, { readonly: true });
    try {
      return (
        sqlite
          .prepare("SELECT code FROM search_token WHERE resource_type = 'Patient' AND param = 'identifier' AND system = 'urn:carebridge:mrn' ORDER BY code")
          .all() as Array<{ code: string }>
      ).map((r) => r.code);
    } finally {
      sqlite.close();
    }
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-seed-cli-'));
    db = path.join(dir, 'cli.db');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('seeds an empty database and prints a summary', () => {
    const run = seed(['--patients', '25', '--seed', '5', '--database', db, '--now', '2026-11-28']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Seeded 25 patients \(CB0000001–CB0000025\) and [\d,]+ resources in [\d.]+ s/);
    expect(run.stdout).toMatch(/Database: .*cli\.db, [\d.]+ MiB/);
    expect(run.stderr).toMatch(/seeded 25\/25 patients \(100\.0%\)/); // plain progress lines when not a terminal
    expect(patients()).toHaveLength(25);
  });

  it('refuses a database that already has patients, without changing it', () => {
    const before = fs.readFileSync(db);
    const run = seed(['--patients', '10', '--database', db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already has 25 patients');
    expect(run.stderr).toMatch(/--append.*--reset/);
    expect(patients()).toHaveLength(25);
    expect(fs.readFileSync(db).equals(before)).toBe(true);
  });

  it('appends with --append, continuing the numbering', () => {
    const run = seed(['--patients', '5', '--seed', '6', '--database', db, '--append', '--lean', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ patients: 5, firstPatientNumber: 26, lastPatientNumber: 30, clinicCreated: false });
    expect(summary.databaseBytes).toBeGreaterThan(0);
    expect(summary.peakRssBytes).toBeGreaterThan(0);
    expect(patients()).toHaveLength(30);
  });

  it('wipes the resource tables first with --reset', () => {
    const run = seed(['--patients', '3', '--database', db, '--reset', '--lean', '--now', '2026-11-28']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/reset: removed [\d,]+ resources/);
    expect(patients()).toEqual(['CB0000001', 'CB0000002', 'CB0000003']);
  });

  it.each([
    [['--patients', 'lots'], /--patients must be a whole number/],
    [['--patients', '-5'], /patients/],
    [['--seed', '1e9'], /--seed must be an integer/],
    [['--now', '2026-13-01'], /--now is not a calendar date/],
    [['--now', "2026-01-01'; DROP TABLE resources; --"], /--now must be a date as YYYY-MM-DD/],
    [['--append', '--reset'], /cannot be combined/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['stray'], /Unexpected argument 'stray'/],
  ])('rejects bad arguments %j with a clear message and exit code 2', (args, message) => {
    const run = seed([...args, '--database', db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('usage: npm run seed');
  });
});
