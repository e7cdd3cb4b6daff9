/**
 * Live-conversation swarm benchmark (issue 4, "Performance"): one real server process, 200 agent
 * sockets on `/staff` and 2,000 patient sockets on `/patient` (socket.io-client, split over client
 * processes), hand-off → offer → accept, then 1,000 patient messages/s with delivery latency in HDR
 * histograms and every acked message counted at the agents; then kill -9 and restart mid-run; then
 * the same swarm and rate against a bare socket.io relay as the same-run baseline. See README.md.
 *
 *   npm run bench:swarm                                   # full scale (a few minutes)
 *   npm run bench:swarm -- --patients 200 --agents 20 --rate 100 --seconds 5   # smoke run
 *   npm run bench:swarm -- --json swarm.json --dir /var/tmp --no-baseline --no-crash
 *   npm run bench:swarm -- --no-crash --no-baseline --profile-server /tmp/prof   # CPU profile of the server
 *   npm run bench:swarm -- --intelligence both --no-crash --no-baseline   # delivery with smart assist and sentiment off, then on
 *
 * `--intelligence` (default on) runs the server with smart assist and sentiment scoring on or off; `both`
 * runs the swarm twice in this invocation, off first, and prints delivery side by side.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_OPTIONS, runSwarmBench, type DeliveryCheck, type LoadFigures, type SwarmSummary } from './swarm/run.js';
import type { LatencySummary } from './swarm/shared.js';

const { values: args } = parseArgs({
  options: {
    patients: { type: 'string', default: String(DEFAULT_OPTIONS.patients) },
    agents: { type: 'string', default: String(DEFAULT_OPTIONS.agents) },
    capacity: { type: 'string', default: String(DEFAULT_OPTIONS.capacity) },
    rate: { type: 'string', default: String(DEFAULT_OPTIONS.rate) },
    seconds: { type: 'string', default: String(DEFAULT_OPTIONS.seconds) },
    warmup: { type: 'string', default: String(DEFAULT_OPTIONS.warmupSeconds) },
    'arrival-rate': { type: 'string', default: String(DEFAULT_OPTIONS.arrivalRate) },
    workers: { type: 'string', default: String(DEFAULT_OPTIONS.workers) },
    'crash-seconds': { type: 'string', default: String(DEFAULT_OPTIONS.crashSeconds) },
    'no-crash': { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    dir: { type: 'string' },
    json: { type: 'string' },
    'profile-server': { type: 'string' },
    intelligence: { type: 'string', default: 'on' },
  },
});
/** The server settings that turn the intelligence layer (smart assist, sentiment) on or off. */
const INTELLIGENCE: Record<'on' | 'off', Record<string, string>> = { on: { SMART_ASSIST: 'on', SENTIMENT_ENABLED: '1' }, off: { SMART_ASSIST: 'off', SENTIMENT_ENABLED: '0' } };
if (!['on', 'off', 'both'].includes(args.intelligence)) throw new Error(`--intelligence must be on, off or both (got ${args.intelligence})`);
const positive = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got ${value})`);
  return n;
};

const options = {
  patients: positive('patients', args.patients),
  agents: positive('agents', args.agents),
  capacity: positive('capacity', args.capacity),
  rate: positive('rate', args.rate),
  seconds: positive('seconds', args.seconds),
  warmupSeconds: Number(args.warmup),
  arrivalRate: positive('arrival-rate', args['arrival-rate']),
  workers: positive('workers', args.workers),
  crashSeconds: positive('crash-seconds', args['crash-seconds']),
  crash: !args['no-crash'],
  baseline: !args['no-baseline'],
  ...(args.dir ? { dir: args.dir } : {}),
  ...(args['profile-server'] ? { profileServer: path.resolve(args['profile-server']) } : {}),
};
const without = args.intelligence === 'both' ? await runSwarmBench({ ...options, crash: false, baseline: false, serverEnv: INTELLIGENCE.off }) : null;
const summary = await runSwarmBench({ ...options, serverEnv: INTELLIGENCE[args.intelligence === 'off' ? 'off' : 'on'] });
print(summary);
if (without) {
  const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
  console.log('\n## Delivery with the intelligence layer (smart assist, sentiment) off, then on, same invocation');
  console.log('| patient → agent delivery | n | p50 | p95 | p99 | max | server CPU |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [label, s] of [['off', without], ['on', summary]] as const) {
    const d = s.steady.delivery;
    console.log(`| ${label} | ${d.count.toLocaleString('en-US')} | ${ms(d.p50Ms)} | ${ms(d.p95Ms)} | ${ms(d.p99Ms)} | ${ms(d.maxMs)} | ${(s.steady.serverCpu.cpu * 100).toFixed(0)} % |`);
  }
}
if (args.json) {
  fs.writeFileSync(args.json, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nJSON summary written to ${args.json}`);
}
const failed = !checkPassed(summary.steady.check) || (summary.crash !== null && !checkPassed(summary.crash.check));
process.exit(failed ? 1 : 0);

/** Nothing acked is missing and nothing is stored twice (a same-seq overlap after a resync is dropped by the client). */
function checkPassed(c: DeliveryCheck): boolean {
  return c.lost === 0 && c.duplicated === 0 && c.receivedUnacked === 0;
}

function print(s: SwarmSummary): void {
  const o = s.options;
  const ms = (v: number) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms` : '–');
  const mib = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)} MiB` : '–');
  const n = (v: number) => v.toLocaleString('en-US');
  const pct = (share: number) => `${(share * 100).toFixed(0)} %`;
  const table = (rows: string[][]) => {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  };
  const lat = (label: string, l: LatencySummary) => [label, n(l.count), ms(l.p50Ms), ms(l.p95Ms), ms(l.p99Ms), ms(l.maxMs)];
  const checkLine = (c: DeliveryCheck) =>
    `sent ${n(c.sent)}, acked ${n(c.acked)}, lost ${c.lost}, duplicated ${c.duplicated}, received-unacked ${c.receivedUnacked}` +
    `${c.redelivered ? `, live/sync overlap dropped by seq ${c.redelivered}` : ''}` +
    `${c.disconnects ? `, socket drops ${c.disconnects}` : ''}` +
    `${c.ackedAsDuplicate ? `, resends recognised as duplicates ${c.ackedAsDuplicate}` : ''}${Object.keys(c.refused).length ? `, refused ${JSON.stringify(c.refused)}` : ''}` +
    `${c.lostSampleInDatabase !== null ? ` (of ${c.lostSample.length} lost ids checked, ${c.lostSampleInDatabase} are in the database)` : ''}`;

  console.log(`\n## Live conversations swarm — ${n(o.patients)} patients, ${n(o.agents)} agents (capacity ${s.setup.effectiveCapacity}), ${n(o.rate)} msg/s, ${o.warmupSeconds} s warm-up + ${o.seconds} s measured`);
  console.log(`${s.machine.cores} cores (${s.machine.cpu}), Node ${s.machine.node}, ${o.workers} client process(es), database in ${s.machine.databaseDir}`);
  console.log(`load average (1 min): ${s.machine.loadAverageStart.toFixed(1)} at the start, ${s.machine.loadAverageEnd.toFixed(1)} at the end\n`);
  for (const w of s.warnings) console.log(`WARNING: ${w}`);
  if (s.warnings.length) console.log('');

  console.log(`setup: server up in ${ms(s.setup.serverStartMs)}, ${o.agents} agent accounts + sign-ins in ${ms(s.setup.agentAccountsMs)}, ${n(o.patients)} visitor tokens in ${ms(s.setup.visitorTokensMs)}`);
  console.log(`       (one address gets ${s.setup.visitorTokensPerAddress} visitor tokens before 429; the swarm's visitors use distinct X-Forwarded-For addresses)`);
  console.log(`       ${n(o.patients + o.agents)} sockets connected in ${ms(s.setup.connectMs)}; server RSS then ${mib(s.setup.rssAfterConnectMiB)}\n`);

  const a = s.assignment;
  console.log(`assignment: ${n(a.handoffs)} hand-offs at ${o.arrivalRate}/s → ${n(a.offered)} offered, ${n(a.accepted)} accepted, ${n(a.stillQueued)} still queued (all agents full), ${n(a.stranded)} stranded (waiting while an agent had room)`);
  if (Object.keys(a.handoffErrors).length) console.log(`  errors: ${JSON.stringify(a.handoffErrors)}`);
  table([
    ['assignment', 'n', 'p50', 'p95', 'p99', 'max'],
    lat('hand-off sent → its ack (patient)', a.toAck),
    lat('hand-off sent → agent has offer:new', a.toOffer),
    lat('hand-off sent → offer:accept acked', a.toAccepted),
  ]);
  console.log(`server during the hand-offs: CPU ${pct(a.serverCpu.cpu)} of a core, event loop waiting for a CPU ${pct(a.serverCpu.runQueueWait)} of the time, event-loop delay p99 ${ms(a.serverEventLoop?.p99Ms ?? NaN)}, max ${ms(a.serverEventLoop?.maxMs ?? NaN)}`);
  console.log(`(${n(a.offerBeforeAck)} of ${n(a.offered)} offers reached the agent before the patient had the hand-off ack: the bot's turn and routing run before the ack is written)`);
  console.log(`goal: assignment decision p95 ≤ 50 ms → ${a.toOffer.p95Ms <= 50 ? 'met' : 'NOT met'} (${ms(a.toOffer.p95Ms)} end to end: socket in, persist, bot turn, routing, socket out)\n`);

  const rows: string[][] = [['patient → agent', 'n', 'p50', 'p95', 'p99', 'max']];
  const loads: Array<[string, LoadFigures | null]> = [
    ['carebridge', s.steady],
    ['baseline relay', s.baseline],
  ];
  for (const [label, f] of loads) if (f) rows.push(lat(`${label}: delivery`, f.delivery), lat(`${label}: send → ack`, f.ack));
  table(rows);
  console.log('');
  table([
    ['', 'achieved msg/s', 'server CPU', 'waiting for CPU', 'server loop p99', 'loop max', 'server peak RSS', 'client loop p99'],
    ...loads.flatMap(([label, f]) =>
      f ? [[label, f.achievedRate.toFixed(0), pct(f.serverCpu.cpu), pct(f.serverCpu.runQueueWait), ms(f.serverEventLoop?.p99Ms ?? NaN), ms(f.serverEventLoop?.maxMs ?? NaN), mib(f.serverPeakRssMiB), ms(f.clientLoopDelayP99Ms)]] : [],
    ),
  ]);
  console.log(`server CPU: share of one core; waiting for CPU: share of the time the server's event loop was runnable but had no core (other processes)`);
  console.log(`server VmHWM (peak RSS over the whole run): ${mib(s.server.hwmMiB)}\n`);
  console.log(`carebridge steady: ${checkLine(s.steady.check)}`);
  if (s.baseline) console.log(`baseline relay:    ${checkLine(s.baseline.check)}`);
  const d = s.steady.delivery;
  console.log(`goal: delivery p50 ≤ 5 ms → ${d.p50Ms <= 5 ? 'met' : 'NOT met'} (${ms(d.p50Ms)}); p99 ≤ 50 ms → ${d.p99Ms <= 50 ? 'met' : 'NOT met'} (${ms(d.p99Ms)}); zero lost or duplicated → ${checkPassed(s.steady.check) ? 'met' : 'NOT met'}\n`);

  if (s.crash) {
    const c = s.crash;
    console.log(`crash (kill -9 after ${c.killedAtSecond} s of load, restart on the same database and port):`);
    console.log(`  server back in ${ms(c.restartMs)}; every socket reconnected ${ms(c.allReconnectedMs)} and resynced ${ms(c.allResyncedMs)} after the kill (${ms(c.resyncAfterReadyMs)} after the server was ready)`);
    console.log(`  ${n(c.syncedMessages)} messages fetched by resync; ${n(c.resent)} unacked messages resent with their ids, ${n(c.heldWhileOffline)} written while offline sent after the resync`);
    if (c.reassigned) console.log(`  ${n(c.reassigned)} chats moved by the server to another agent without an offer during the run (conversation:assigned)`);
    if (c.offersAfterRestart) console.log(`  ${n(c.offersAfterRestart)} new offers after the restart (routing state is in memory: the restarted server counts the agents' existing chats as 0)`);
    if (Object.keys(c.reconnectErrors).length) console.log(`  reconnect errors: ${JSON.stringify(c.reconnectErrors)}`);
    console.log(`  ${checkLine(c.check)}`);
    console.log(`  goal: nothing lost or duplicated across kill -9 → ${checkPassed(c.check) ? 'met' : 'NOT met'}`);
  }
}
