/**
 * npm run seed -- --patients N --seed S [--lean] [--database path] [--now YYYY-MM-DD]
 *                 [--append | --reset] [--batch N] [--drop-indexes | --keep-indexes] [--json]
 *
 * Seeds deterministic synthetic patients (server/src/synthetic) into the SQLite database
 * (DATABASE_URL, or --database). Refuses a database that already has patients unless --append
 * (numbering continues) or --reset (wipes the resource tables first). Shows a progress bar on a
 * terminal and a plain line every few seconds otherwise; Ctrl-C stops after the current batch and
 * leaves a consistent database. Prints a summary (patients, resources, seconds, database size);
 * --json prints it as one JSON line instead. Exit codes: 0 done, 1 refused or failed, 2 bad arguments.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../server/src/platform/config.js';
import type { DatabaseHandle } from '../server/src/platform/db/index.js';
import type { SeedSummary } from '../server/src/synthetic/index.js';

const USAGE =
  'usage: npm run seed -- [--patients N] [--seed S] [--lean] [--database path] [--now YYYY-MM-DD] ' +
  '[--append | --reset] [--batch N] [--drop-indexes | --keep-indexes] [--json]';

const RESOURCE_TABLES = ['resources', 'resource_history', 'search_token', 'search_string', 'search_reference', 'search_date'] as const;

const integer = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d[\d_]*$/, `--${name} must be a whole number`)
    .transform((v) => Number(v.replace(/_/g, '')))
    .pipe(z.number().int().min(min, `--${name} must be at least ${min}`).max(max, `--${name} must be at most ${max}`));

const argsSchema = z
  .strictObject({
    patients: integer('patients', 0, 10_000_000).optional(),
    seed: z
      .string()
      .regex(/^-?\d+$/, '--seed must be an integer')
      .transform(Number)
      .pipe(z.number().int().refine(Number.isSafeInteger, '--seed is too large'))
      .optional(),
    lean: z.boolean().optional(),
    database: z.string().min(1).optional(),
    now: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, '--now must be a date as YYYY-MM-DD')
      .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), '--now is not a calendar date')
      .optional(),
    append: z.boolean().optional(),
    reset: z.boolean().optional(),
    batch: integer('batch', 1, 100_000).optional(),
    'drop-indexes': z.boolean().optional(),
    'keep-indexes': z.boolean().optional(),
    json: z.boolean().optional(),
    help: z.boolean().optional(),
  })
  .refine((a) => !(a.append && a.reset), '--append and --reset cannot be combined')
  .refine((a) => !(a['drop-indexes'] && a['keep-indexes']), '--drop-indexes and --keep-indexes cannot be combined');

type Args = z.infer<typeof argsSchema>;

class UsageError extends Error {}

function parseCommandLine(argv: string[]): Args {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        patients: { type: 'string', short: 'n' },
        seed: { type: 'string', short: 's' },
        lean: { type: 'boolean' },
        database: { type: 'string', short: 'd' },
        now: { type: 'string' },
        append: { type: 'boolean' },
        reset: { type: 'boolean' },
        batch: { type: 'string' },
        'drop-indexes': { type: 'boolean' },
        'keep-indexes': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  return parsed.data;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const number = (n: number) => n.toLocaleString('en-US');

function fileSize(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    try {
      total += fs.statSync(path + suffix).size;
    } catch {
      // no WAL file: nothing to add
    }
  }
  return total;
}

/** Progress: a bar with rate and ETA on a terminal, a plain line every 5 s otherwise (stderr). */
function progressReporter(total: number) {
  const started = Date.now();
  const rate = (done: number) => done / Math.max(0.001, (Date.now() - started) / 1000);
  if (process.stderr.isTTY) {
    // A MultiBar with one bar, for its log(): phase messages print above the bar.
    const bars = new cliProgress.MultiBar(
      {
        format: 'Seeding |{bar}| {percentage}% | {value}/{total} patients | {rate} patients/s | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 20,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    const bar = bars.create(total, 0, { rate: '0' });
    let stopped = false;
    const stop = () => {
      if (!stopped) bars.stop();
      stopped = true;
    };
    return {
      update: (done: number) => {
        if (!stopped) bar.update(done, { rate: Math.round(rate(done)).toLocaleString('en-US') });
        if (done >= total) stop();
      },
      message: (text: string) => {
        if (stopped) process.stderr.write(`${text}\n`);
        else bars.log(`${text}\n`);
      },
      stop,
    };
  }
  let lastLine = 0;
  return {
    update: (done: number) => {
      const now = Date.now();
      if (now - lastLine < 5000 && done < total) return;
      lastLine = now;
      const r = rate(done);
      const pct = total === 0 ? 100 : (100 * done) / total;
      process.stderr.write(
        `seeded ${number(done)}/${number(total)} patients (${pct.toFixed(1)}%), ${number(Math.round(r))} patients/s, ETA ${formatDuration((total - done) / r)}\n`,
      );
    },
    message: (text: string) => process.stderr.write(`${text}\n`),
    stop: () => {},
  };
}

function countPatients(database: DatabaseHandle): number {
  return (database.sqlite.prepare("SELECT COUNT(*) AS n FROM resources WHERE resource_type = 'Patient' AND deleted = 0").get() as { n: number }).n;
}

function resetResources(database: DatabaseHandle, forgetSyntheticClinic: (sqlite: DatabaseHandle['sqlite']) => void): number {
  const sqlite = database.sqlite;
  const removed = (sqlite.prepare('SELECT COUNT(*) AS n FROM resources').get() as { n: number }).n;
  sqlite.transaction(() => {
    for (const table of RESOURCE_TABLES) sqlite.exec(`DELETE FROM ${table}`);
    forgetSyntheticClinic(sqlite);
  })();
  return removed;
}

function printSummary(summary: SeedSummary, path: string, json: boolean, mrnFor: (n: number) => string): void {
  const bytes = fileSize(path);
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...summary, database: path, databaseBytes: bytes, peakRssBytes })}\n`);
    return;
  }
  const range = summary.patients > 0 ? ` (${mrnFor(summary.firstPatientNumber)}–${mrnFor(summary.lastPatientNumber)})` : '';
  const perSecond = summary.seconds > 0 ? Math.round(summary.resources / summary.seconds) : 0;
  console.log(
    `${summary.interrupted ? 'Interrupted after' : 'Seeded'} ${number(summary.patients)} patients${range} and ` +
      `${number(summary.resources)} resources in ${summary.seconds.toFixed(1)} s (${number(perSecond)} resources/s)`,
  );
  console.log(`Database: ${path}, ${(bytes / 1_048_576).toFixed(1)} MiB; peak memory ${(peakRssBytes / 1_048_576).toFixed(0)} MiB`);
}

async function main(argv: string[]): Promise<number> {
  let args: Args;
  let path: string;
  let defaults: { patients: number; seed: number };
  try {
    args = parseCommandLine(argv);
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    const config = loadConfig();
    defaults = { patients: config.SEED_PATIENTS, seed: config.SEED };
    path = args.database ? args.database.replace(/^sqlite:/, '') : config.databasePath;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`seed: ${err.message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (path === ':memory:') {
    console.error('seed: an in-memory database would be thrown away; give a file with --database');
    return 2;
  }

  // Loaded only now, so that argument errors and --help answer at once.
  const [{ openDatabase }, { forgetSyntheticClinic, mrnFor, seedSyntheticData }] = await Promise.all([
    import('../server/src/platform/db/index.js'),
    import('../server/src/synthetic/index.js'),
  ]);
  const database = await openDatabase(path);
  try {
    const existing = countPatients(database);
    if (existing > 0 && !args.append && !args.reset) {
      console.error(
        `seed: ${path} already has ${number(existing)} patients. Use --append to add more, or --reset to wipe the resource tables first.`,
      );
      return 1;
    }
    if (args.reset) {
      const removed = resetResources(database, forgetSyntheticClinic);
      process.stderr.write(`reset: removed ${number(removed)} resources from ${path}\n`);
    }
    const patients = args.patients ?? defaults.patients;
    const progress = progressReporter(patients);
    const abort = new AbortController();
    const onSignal = () => {
      if (abort.signal.aborted) process.exit(130);
      progress.message('stopping after the current batch (Ctrl-C again to quit at once)');
      abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const summary = await seedSyntheticData(database, {
        patients,
        seed: args.seed ?? defaults.seed,
        lean: args.lean ?? false,
        ...(args.now ? { now: args.now } : {}),
        ...(args.batch ? { batchSize: args.batch } : {}),
        dropIndexes: args['drop-indexes'] ? true : args['keep-indexes'] ? false : 'auto',
        onProgress: (done) => progress.update(done),
        onPhase: (message) => progress.message(message),
        signal: abort.signal,
      });
      progress.stop();
      printSummary(summary, path, args.json ?? false, mrnFor);
      return summary.interrupted ? 1 : 0;
    } finally {
      progress.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } catch (err) {
    console.error(`seed: failed: ${(err as Error).message}`);
    return 1;
  } finally {
    await database.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
