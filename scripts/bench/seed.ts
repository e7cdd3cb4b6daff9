/**
 * Seeding benchmark: runs `npm run seed` in child processes and measures wall time, peak RSS,
 * resources/s and database size, next to a same-run baseline: a raw better-sqlite3 insert of the
 * same number of rows of the same average size into one unindexed table (no generation, no search
 * index, no history), in the same kind of child process with the same pragmas.
 *
 *   npm run bench:seed -- [--full 100000] [--lean 1000000] [--seed 42] [--now 2026-06-01]
 *                         [--dir /tmp] [--keep] [--no-baseline]
 *
 * `--full 0` or `--lean 0` skips that run. Databases go to --dir (default the OS temp dir) and are
 * deleted after each run unless --keep: the full 100k run needs about 17 GB, the lean 1M run about
 * 35 GB (the store keeps every version in resource_history and covering search indexes). Not part
 * of npm test.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';

const root = path.resolve(import.meta.dirname, '../..');

/** Rough on-disk bytes per patient (measured), to refuse runs that cannot fit. */
const BYTES_PER_PATIENT = { full: 175_000, lean: 36_000 };

interface Measured {
  name: string;
  patients?: number;
  rows: number;
  seconds: number;
  peakRssBytes: number;
  databaseBytes: number;
  averageBytes?: number;
}

interface ChildResult {
  code: number | null;
  seconds: number;
  peakRssBytes: number;
  stdout: string;
}

/** VmHWM (peak resident set) of a process, in bytes; 0 when /proc is not there. */
function peakRss(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

function runChild(args: string[], label: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let peak = 0;
    const poll = setInterval(() => {
      if (child.pid) peak = Math.max(peak, peakRss(child.pid));
    }, 200);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.trim()) process.stderr.write(`  [${label}] ${line}\n`);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, seconds, peakRssBytes: peak, stdout });
    });
  });
}

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
}

function databaseBytes(file: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    if (fs.existsSync(file + suffix)) total += fs.statSync(file + suffix).size;
  }
  return total;
}

async function seedRun(kind: 'full' | 'lean', patients: number, options: { seed: string; now: string; dir: string; keep: boolean }) {
  const file = path.join(options.dir, `carebridge-bench-seed-${kind}-${process.pid}.db`);
  removeDatabase(file);
  const args = ['scripts/seed.ts', '--patients', String(patients), '--seed', options.seed, '--now', options.now, '--database', file, '--json'];
  if (kind === 'lean') args.push('--lean');
  process.stderr.write(`${kind}: seeding ${patients.toLocaleString('en-US')} patients into ${file}\n`);
  const result = await runChild(args, kind);
  if (result.code !== 0) throw new Error(`seed (${kind}) exited with ${result.code}`);
  const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { resources: number; databaseBytes: number; peakRssBytes: number };
  const sqlite = new SQLite(file, { readonly: true });
  const averageBytes = (sqlite.prepare('SELECT AVG(LENGTH(content)) AS n FROM resources').get() as { n: number }).n;
  sqlite.close();
  if (!options.keep) removeDatabase(file);
  const measured: Measured = {
    name: `seed ${kind}`,
    patients,
    rows: summary.resources,
    seconds: result.seconds,
    peakRssBytes: Math.max(result.peakRssBytes, summary.peakRssBytes),
    databaseBytes: summary.databaseBytes,
    averageBytes,
  };
  return measured;
}

async function baselineRun(of: Measured, options: { dir: string }): Promise<Measured> {
  const file = path.join(options.dir, `carebridge-bench-baseline-${process.pid}.db`);
  removeDatabase(file);
  const bytes = Math.round(of.averageBytes ?? 1000);
  process.stderr.write(`baseline: inserting ${of.rows.toLocaleString('en-US')} rows of ${bytes} bytes into ${file}\n`);
  const result = await runChild(['scripts/bench/seed.ts', '--baseline-child', '--rows', String(of.rows), '--bytes', String(bytes), '--file', file], 'baseline');
  if (result.code !== 0) throw new Error(`baseline exited with ${result.code}`);
  const size = databaseBytes(file);
  removeDatabase(file);
  return { name: `baseline for ${of.name.replace('seed ', '')}`, rows: of.rows, seconds: result.seconds, peakRssBytes: result.peakRssBytes, databaseBytes: size, averageBytes: bytes };
}

/** The baseline itself (runs in a child): plain inserts of same-sized rows, one unindexed table. */
function baselineChild(file: string, rows: number, bytes: number): void {
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('cache_size = -262144');
  sqlite.exec('CREATE TABLE rows (content TEXT NOT NULL)');
  const insert = sqlite.prepare('INSERT INTO rows (content) VALUES (?)');
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ":,{}[]';
  let state = 12345;
  const text = () => {
    let s = '';
    for (let i = 0; i < bytes; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      s += alphabet[state % alphabet.length];
    }
    return s;
  };
  // A pool of distinct strings, so the cost is SQLite's and not string building.
  const pool = Array.from({ length: 1000 }, text);
  const batch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) insert.run(pool[i % pool.length]);
  });
  for (let i = 0; i < rows; i += 10_000) batch(i, Math.min(rows, i + 10_000));
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
}

const mib = (bytes: number) => (bytes / 1_048_576).toLocaleString('en-US', { maximumFractionDigits: 0 });
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function printTable(rows: Measured[]): void {
  const header = ['run', 'patients', 'resources/rows', 'wall s', 'rows/s', 'patients/s', 'peak RSS MiB', 'DB MiB', 'DB bytes/row'];
  const lines = rows.map((r) => [
    r.name,
    r.patients === undefined ? '-' : int(r.patients),
    int(r.rows),
    r.seconds.toFixed(1),
    int(r.rows / r.seconds),
    r.patients === undefined ? '-' : int(r.patients / r.seconds),
    mib(r.peakRssBytes),
    mib(r.databaseBytes),
    int(r.databaseBytes / Math.max(1, r.rows)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(format(l));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      full: { type: 'string', default: '100000' },
      lean: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '42' },
      now: { type: 'string', default: '2026-06-01' },
      dir: { type: 'string', default: os.tmpdir() },
      keep: { type: 'boolean', default: false },
      'no-baseline': { type: 'boolean', default: false },
      'baseline-child': { type: 'boolean', default: false },
      rows: { type: 'string' },
      bytes: { type: 'string' },
      file: { type: 'string' },
    },
    allowPositionals: false,
  });
  if (values['baseline-child']) {
    baselineChild(values.file!, Number(values.rows), Number(values.bytes));
    return 0;
  }
  const full = Number(values.full);
  const lean = Number(values.lean);
  if (![full, lean].every((n) => Number.isInteger(n) && n >= 0)) {
    console.error('bench:seed: --full and --lean must be whole numbers (0 skips the run)');
    return 2;
  }
  fs.mkdirSync(values.dir, { recursive: true });
  const needed = Math.max(full * BYTES_PER_PATIENT.full, lean * BYTES_PER_PATIENT.lean) * 1.3;
  const stats = fs.statfsSync(values.dir);
  const free = stats.bavail * stats.bsize;
  process.stderr.write(`disk: ${mib(free)} MiB free in ${values.dir}; the largest run needs about ${mib(needed)} MiB\n`);
  if (free < needed) {
    console.error('bench:seed: not enough free disk space for these sizes; pass smaller --full/--lean or another --dir');
    return 1;
  }
  const options = { seed: values.seed, now: values.now, dir: values.dir, keep: values.keep };
  const results: Measured[] = [];
  for (const [kind, patients] of [['full', full], ['lean', lean]] as const) {
    if (patients === 0) continue;
    const run = await seedRun(kind, patients, options);
    results.push(run);
    if (!values['no-baseline']) results.push(await baselineRun(run, options));
  }
  console.log(`\nSeeding benchmark (${os.cpus().length} CPUs, Node ${process.version}, seed ${values.seed}, now ${values.now})\n`);
  printTable(results);
  for (const r of results.filter((x) => x.name.startsWith('seed'))) {
    const base = results.find((x) => x.name === `baseline for ${r.name.replace('seed ', '')}`);
    if (base) {
      console.log(
        `\n${r.name}: ${(r.seconds / base.seconds).toFixed(1)}x the baseline's time for the same rows ` +
          `(average resource ${int(r.averageBytes ?? 0)} bytes; the seed also writes history, ~${int(r.databaseBytes / r.rows)} bytes/resource with search indexes)`,
      );
    }
  }
  return 0;
}

process.exitCode = await main();
