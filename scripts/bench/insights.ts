/**
 * Insights benchmark: the dashboard's report queries over 30 days of 100,000 conversations, through
 * the real HTTP API (a supervisor's token, JSON parsed), each group-by, the CSV and the live query,
 * next to same-run baselines: a plain `SELECT count(*)` of the same range's conversations on the
 * event log's index, and `GET /api/health` (one HTTP round trip that touches the database).
 *
 *   npm run bench:insights -- [--conversations 100000] [--days 30] [--samples 40]
 *
 * Generates the history with the demo seeding's generator (`insights/seed.ts`: weekday and hour
 * pattern, 60 agents over six queues, ~60 % bot containment) into a fresh database in a temp folder,
 * starts a real server on it, warms up, then times each request from the client. Target: p95 ≤ 200 ms
 * per report query. Not part of npm test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { InsightsReport } from '../../server/src/contracts/insights.js';
import { startTestServer } from '../../server/src/testing/server.js';
import { addDays, clinicDays, generateHistory, type SeedAgent } from '../../server/src/insights/index.js';

const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string', default: '100000' },
    days: { type: 'string', default: '30' },
    samples: { type: 'string', default: '40' },
  },
});
const CONVERSATIONS = Number(args.conversations);
const DAYS = Number(args.days);
const SAMPLES = Number(args.samples);
const TIME_ZONE = 'America/New_York';
/** Mean of the generator's weekday factors: conversations per day ≈ perWeekday × this. */
const MEAN_WEEKDAY_FACTOR = (0.3 + 1.05 + 1 + 0.95 + 0.95 + 0.9 + 0.45) / 7;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (v: number) => v.toFixed(1);
interface Samples {
  wall: number[];
  /** CPU time of this process (client and server) per request: the work, whatever else the machine runs. */
  cpu: number[];
}
function row(label: string, samples: Samples): string {
  const s = [...samples.wall].sort((a, b) => a - b);
  const cpu = [...samples.cpu].sort((a, b) => a - b);
  return `| ${label} | ${s.length} | ${ms(percentile(s, 50))} | ${ms(percentile(s, 95))} | ${ms(percentile(s, 99))} | ${ms(s[s.length - 1]!)} | ${ms(percentile(cpu, 50))} | ${ms(percentile(cpu, 95))} |`;
}
const p95 = (samples: Samples) => percentile([...samples.wall].sort((a, b) => a - b), 95);

const QUEUES = ['general', 'scheduling', 'billing', 'nurse-line', 'pharmacy', 'spanish'];

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-insights-bench-'));
  const server = await startTestServer({ DATABASE_URL: `sqlite:${path.join(dir, 'bench.db')}`, CLINIC_TIME_ZONE: TIME_ZONE });
  try {
    const dayOf = clinicDays(TIME_ZONE);
    const agents: SeedAgent[] = Array.from({ length: 60 }, (_, i) => ({ id: `bench-agent-${i + 1}`, queues: QUEUES.filter((_, q) => (i + q) % 3 !== 0 || q === 0) }));
    const end = new Date();
    // The last day is partial (until now): aim a little high, then report what was generated.
    const perWeekday = Math.ceil((CONVERSATIONS / (DAYS - 0.5)) / MEAN_WEEKDAY_FACTOR);
    const started = performance.now();
    let conversations = 0;
    const events = server.context.insights.repository.appendMany(
      (function* () {
        for (const e of generateHistory({ seed: 1, days: DAYS, perWeekday, end, agents, timeZone: TIME_ZONE, dayOf })) {
          if (e.type === 'conversation.started') conversations++;
          yield e;
        }
      })(),
    );
    const seedSeconds = (performance.now() - started) / 1000;
    // Steady state: statistics for the planner, and the WAL the bulk insert left checkpointed (the
    // server's checkpointer would do it in the background, competing with the first samples).
    server.context.database.sqlite.exec('ANALYZE');
    server.context.database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const to = dayOf(end.getTime());
    const from = addDays(to, -(DAYS - 1));
    console.log(`generated ${conversations.toLocaleString('en-US')} conversations (${events.toLocaleString('en-US')} events) over ${from} … ${to} in ${seedSeconds.toFixed(1)} s`);

    const token = await server.tokenFor({ kind: 'staff', userId: 'bench-supervisor', email: 'bench-supervisor@example.test', role: 'supervisor', practitionerId: null });
    const get = async (url: string) => {
      const t = performance.now();
      const res = await fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${token}` } });
      const body = url.includes('.csv') ? await res.text() : ((await res.json()) as unknown);
      if (!res.ok) throw new Error(`${url}: ${res.status}`);
      return { ms: performance.now() - t, body };
    };
    const time = async (fn: () => Promise<unknown>): Promise<Samples> => {
      for (let i = 0; i < 3; i++) await fn();
      const samples: Samples = { wall: [], cpu: [] };
      for (let i = 0; i < SAMPLES; i++) {
        const t = performance.now();
        const c = process.cpuUsage();
        await fn();
        const used = process.cpuUsage(c);
        samples.wall.push(performance.now() - t);
        samples.cpu.push((used.user + used.system) / 1000);
      }
      return samples;
    };

    const range = `from=${from}&to=${to}`;
    const check = (await get(`/api/insights/report?${range}&groupBy=day`)).body as InsightsReport;
    console.log(`report check: ${check.totals.conversations.toLocaleString('en-US')} conversations, first response median ${check.totals.firstResponse.medianMs} ms / p90 ${check.totals.firstResponse.p90Ms} ms, containment ${check.totals.containmentRate}`);
    const repo = server.context.insights.repository;
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
    const lines = [
      `insights benchmark, ${new Date().toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), load ${load} (1/5/15 min), node ${process.version}`,
      `${conversations.toLocaleString('en-US')} conversations, ${events.toLocaleString('en-US')} events, ${DAYS} days; ${SAMPLES} samples each after 3 warm-up requests; ms from the client (wall), and CPU ms of the process per request`,
      '',
      '| query | n | p50 | p95 | p99 | max | CPU p50 | CPU p95 |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      row('baseline: SELECT count(*) of the range (repository, no HTTP)', await time(() => repo.countInRange(from, to))),
      row('baseline: GET /api/health', await time(() => get('/api/health'))),
    ];
    const results: { label: string; p95: number }[] = [];
    for (const groupBy of ['day', 'agent', 'queue', 'channel'] as const) {
      const samples = await time(() => get(`/api/insights/report?${range}&groupBy=${groupBy}`));
      lines.push(row(`GET /api/insights/report groupBy=${groupBy}`, samples));
      results.push({ label: groupBy, p95: p95(samples) });
    }
    const filtered = await time(() => get(`/api/insights/report?${range}&groupBy=day&queue=billing`));
    lines.push(row('GET /api/insights/report groupBy=day&queue=billing', filtered));
    const csv = await time(() => get(`/api/insights/report.csv?${range}&groupBy=agent`));
    lines.push(row('GET /api/insights/report.csv groupBy=agent', csv));
    const live = await time(() => get('/api/insights/live'));
    lines.push(row('GET /api/insights/live', live));
    results.push({ label: 'live', p95: p95(live) });
    lines.push('', `target p95 ≤ 200 ms: ${results.every((r) => r.p95 <= 200) ? 'met' : 'NOT met'} (${results.map((r) => `${r.label} ${ms(r.p95)}`).join(', ')}); load after: ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
    console.log(lines.join('\n'));
  } finally {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
