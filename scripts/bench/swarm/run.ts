/**
 * The swarm benchmark's core (the CLI is scripts/bench/swarm.ts; swarm.test.ts runs it small):
 *
 * 1. one real server process on a fresh SQLite file, agents created over the admin API, visitor
 *    tokens from `POST /api/chat/visitor`;
 * 2. every patient starts a chat and asks the bot for a person; agents accept every offer
 *    (assignment time: hand-off ack → `offer:new`, → accept acknowledged);
 * 3. steady load: patients send at a fixed total rate over the assigned chats (warm-up, then the
 *    measured window); delivery latency at the agents in an HDR histogram; acks counted against
 *    receipts per client message id;
 * 4. crash: the same load, the server is killed with SIGKILL mid-way and restarted on the same
 *    database and port; clients reconnect, resync from their last seq and resend what was unacked;
 * 5. baseline: the same swarm and rate against a bare socket.io relay (relay-server.ts).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { io } from 'socket.io-client';
import type { SupervisorSnapshot } from '../../../server/src/contracts/supervision.js';
import { DEMO_PASSWORD, demoEmail } from '../../../server/src/accounts/index.js';
import { ROUTING_SKILLS } from '../../../server/src/contracts/routing.js';
import { freePort } from '../../../server/src/testing/processes.js';
import type { EventLoopSample } from './event-loop-probe.js';
import {
  RssSampler,
  WorkerClient,
  cpuMeter,
  eventLoopSample,
  memoryOf,
  startServerProcess,
  stopProcess,
  waitForHttp,
  waitForListening,
  type CpuShare,
  type ServerProcess,
} from './processes.js';
import { mergeHistograms, newHistogram, nowUs, summarize, type AgentSeat, type LatencySummary, type OfferRecord, type PatientSeat, type PhaseReport } from './shared.js';

export interface SwarmOptions {
  patients: number;
  agents: number;
  /** Conversations per agent (routing profile). */
  capacity: number;
  /** Patient messages per second, all patients together. */
  rate: number;
  /** Measured seconds of the steady phase (after `warmupSeconds`). */
  seconds: number;
  warmupSeconds: number;
  /** Patients starting a chat per second during the hand-off phase. */
  arrivalRate: number;
  /** Client processes the swarm is split over. */
  workers: number;
  crash: boolean;
  /** Length of the crash phase; the server is killed at its middle. */
  crashSeconds: number;
  baseline: boolean;
  /** Demo patients the server seeds on first start. */
  seedPatients: number;
  /** More environment for the server (e.g. `SMART_ASSIST=off` for the with-and-without comparison). */
  serverEnv?: Record<string, string>;
  /** Where the temp database goes (default: the OS temp dir). */
  dir?: string;
  /** Write V8 CPU profiles of the Carebridge server into this directory (one per process, when it stops; not after kill -9). */
  profileServer?: string;
  log?: (line: string) => void;
}

export const DEFAULT_OPTIONS: SwarmOptions = {
  patients: 2000,
  agents: 200,
  capacity: 8,
  rate: 1000,
  seconds: 30,
  warmupSeconds: 5,
  arrivalRate: 100,
  workers: 2,
  crash: true,
  crashSeconds: 20,
  baseline: true,
  seedPatients: 20,
};

export interface DeliveryCheck {
  sent: number;
  acked: number;
  /** Acked, never seen by the agent. */
  lost: number;
  /** Stored twice: one client message id under two seqs. */
  duplicated: number;
  /** Delivered to the agent again under the same seq (live and sync overlapping after a reconnect; a client drops it by seq). */
  redelivered: number;
  /** Seen by the agent, never acked to the patient. */
  receivedUnacked: number;
  /** Resends the server recognised (`duplicate: true`). */
  ackedAsDuplicate: number;
  refused: Record<string, number>;
  /** Sockets that dropped during the phase (ping timeouts when the server stalls; all of them in a crash). */
  disconnects: number;
  /** Some of the lost ids, and how many of those the database holds (delivery problem) or not (storage problem). */
  lostSample: string[];
  lostSampleInDatabase: number | null;
}

export interface LoadFigures {
  delivery: LatencySummary;
  ack: LatencySummary;
  check: DeliveryCheck;
  achievedRate: number;
  serverEventLoop: EventLoopSample | null;
  serverPeakRssMiB: number;
  /** The server during the measured window: CPU used, and time its event loop waited for a CPU. */
  serverCpu: CpuShare;
  clientLoopDelayP99Ms: number;
}

export interface SwarmSummary {
  options: Omit<SwarmOptions, 'log'>;
  /** Load averages (1 min) when the run started and ended: other work on the machine skews the figures. */
  machine: { cores: number; cpu: string; node: string; databaseDir: string; loadAverageStart: number; loadAverageEnd: number };
  warnings: string[];
  setup: {
    serverStartMs: number;
    agentAccountsMs: number;
    visitorTokensMs: number;
    /** Tokens one address got from POST /api/chat/visitor before a 429. */
    visitorTokensPerAddress: number;
    connectMs: number;
    effectiveCapacity: number;
    rssAfterConnectMiB: number;
  };
  assignment: {
    handoffs: number;
    offered: number;
    accepted: number;
    stillQueued: number;
    /**
     * Routing's invariant, checked on the supervisor snapshot once offers settled: chats waiting
     * while an available agent (every swarm agent has every skill) had free capacity. Must be 0.
     */
    stranded: number;
    /** Hand-off message emitted → its ack; → the agent's `offer:new`; → the agent's accept acknowledged. */
    toAck: LatencySummary;
    toOffer: LatencySummary;
    toAccepted: LatencySummary;
    /** Offers that reached the agent before the patient had the hand-off ack. */
    offerBeforeAck: number;
    handoffErrors: Record<string, number>;
    /** The server during the hand-off phase. */
    serverEventLoop: EventLoopSample | null;
    serverCpu: CpuShare;
  };
  steady: LoadFigures;
  crash: null | {
    check: DeliveryCheck;
    killedAtSecond: number;
    restartMs: number;
    /** Kill → every socket reconnected / resynced. */
    allReconnectedMs: number;
    allResyncedMs: number;
    /** Server ready → every socket resynced. */
    resyncAfterReadyMs: number;
    syncedMessages: number;
    resent: number;
    heldWhileOffline: number;
    /** Chats the server moved to another agent without an offer, over the whole run. */
    reassigned: number;
    offersAfterRestart: number;
    reconnectErrors: Record<string, number>;
  };
  baseline: LoadFigures | null;
  server: { hwmMiB: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}

/** Queued chats while an available agent has room, from a supervisor's snapshot (0 when routing keeps its invariant). */
async function strandedChats(base: string, accessToken: string): Promise<number> {
  const socket = io(`${base}/staff`, { auth: { token: accessToken }, transports: ['websocket'], forceNew: true, reconnection: false });
  try {
    const ack = (await socket.timeout(10_000).emitWithAck('supervisor:subscribe', {})) as { ok: boolean; snapshot?: SupervisorSnapshot; error?: unknown };
    if (!ack.ok || !ack.snapshot) throw new Error(`supervisor:subscribe: ${JSON.stringify(ack.error ?? ack)}`);
    const waiting = ack.snapshot.queues.reduce((n, q) => n + q.waiting, 0);
    const room = ack.snapshot.agents.some((a) => a.presence === 'available' && a.load < a.capacity);
    return room ? waiting : 0;
  } finally {
    socket.disconnect();
  }
}

async function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** How many of these client message ids the server's database holds (read-only, beside the running server). */
function countStored(file: string, clientMessageIds: string[]): number {
  const db = new SQLite(file, { readonly: true });
  try {
    const row = db.prepare(`SELECT COUNT(*) AS n FROM conversation_messages WHERE client_message_id IN (${clientMessageIds.map(() => '?').join(', ')})`).get(...clientMessageIds) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

function mergeCounts(counts: Array<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const c of counts) for (const [k, v] of Object.entries(c)) total[k] = (total[k] ?? 0) + v;
  return total;
}

/** Compares what patients had acknowledged with what agents received, per client message id. */
function checkDelivery(reports: PhaseReport[]): DeliveryCheck {
  const acked = new Map<string, boolean>();
  const seqs = new Map<string, Set<number>>();
  let sent = 0;
  let redelivered = 0;
  let disconnects = 0;
  const refused: Record<string, number> = {};
  for (const r of reports) {
    sent += r.sent;
    redelivered += r.redelivered;
    disconnects += r.disconnects;
    for (const [id, duplicate] of r.acked) acked.set(id, duplicate);
    for (const [id, seq] of r.received) {
      let set = seqs.get(id);
      if (!set) seqs.set(id, (set = new Set()));
      set.add(seq);
    }
    for (const [code, n] of Object.entries(r.errors)) refused[code] = (refused[code] ?? 0) + n;
  }
  let lost = 0;
  for (const id of acked.keys()) if (!seqs.has(id)) lost++;
  let duplicated = 0;
  let receivedUnacked = 0;
  for (const [id, set] of seqs) {
    if (set.size > 1) duplicated++;
    if (!acked.has(id)) receivedUnacked++;
  }
  const lostSample = [...acked.keys()].filter((id) => !seqs.has(id)).slice(0, 50);
  return { sent, acked: acked.size, lost, duplicated, redelivered, receivedUnacked, ackedAsDuplicate: [...acked.values()].filter(Boolean).length, refused, disconnects, lostSample, lostSampleInDatabase: null };
}

export async function runSwarmBench(input: Partial<SwarmOptions> = {}): Promise<SwarmSummary> {
  const o: SwarmOptions = { ...DEFAULT_OPTIONS, ...input };
  const log = o.log ?? ((line: string) => console.log(line));
  const warnings: string[] = [];
  const loadAverageStart = os.loadavg()[0]!;
  const warn = (line: string) => {
    warnings.push(line);
    log(`WARNING: ${line}`);
  };
  const dir = fs.mkdtempSync(path.join(o.dir ?? os.tmpdir(), 'carebridge-swarm-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const loopFile = path.join(dir, 'event-loop.json');
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${path.join(dir, 'swarm.db')}`,
    NODE_ENV: 'production',
    DEMO_MODE: '1',
    SEED_PATIENTS: String(o.seedPatients),
    ROUTING_ALWAYS_OPEN: 'true',
    ROUTING_OFFER_TIMEOUT_MS: '600000',
    LOG_LEVEL: 'warn',
    // The same key after the restart, so the clients' tokens stay valid; long enough for the run.
    JWT_SECRET: randomBytes(32).toString('hex'),
    // Production refuses to start without an audit key kept outside the database.
    AUDIT_KEY: randomBytes(32).toString('base64'),
    ACCESS_TOKEN_TTL_SECONDS: '7200',
    // Thousands of patient sockets from one loopback address: the per-address socket budget is off.
    SOCKET_ADDRESS_BUDGET_FACTOR: '0',
    SWARM_EVENT_LOOP_FILE: loopFile,
    ...o.serverEnv,
  };
  const workers: WorkerClient[] = [];
  let server: ServerProcess | null = null;
  let relay: ServerProcess | null = null;
  let rss: RssSampler | null = null;
  const all = <T>(fn: (w: WorkerClient, i: number) => Promise<T>) => Promise.all(workers.map(fn));

  try {
    // --- server, accounts, tokens ---
    log(`Starting the server on ${base} (database in ${dir})…`);
    let t = nowUs();
    server = startServerProcess('server/src/main.ts', env, o.profileServer);
    await waitForHttp(`${base}/api/health`, server, 180_000);
    const serverStartMs = (nowUs() - t) / 1000;
    rss = new RssSampler(server.pid);

    const admin = await postJson<{ accessToken: string }>(`${base}/api/auth/login`, { email: demoEmail('admin'), password: DEMO_PASSWORD });
    if (admin.status !== 200) throw new Error(`admin sign-in failed: ${admin.status} ${JSON.stringify(admin.body)}`);
    const adminAuth = { authorization: `Bearer ${admin.body.accessToken}` };

    log(`Creating ${o.agents} agent accounts…`);
    t = nowUs();
    const password = `swarm-${randomBytes(12).toString('hex')}`;
    const runTag = randomBytes(3).toString('hex');
    let profileMissing = false;
    const agentSeats: AgentSeat[] = await pool(Array.from({ length: o.agents }, (_, i) => i), 4, async (i) => {
      const email = `swarm-agent-${runTag}-${i}@bench.carebridge.local`;
      const created = await postJson<{ id: string }>(`${base}/api/admin/users`, { email, displayName: `Swarm Agent ${i}`, role: 'agent', password }, adminAuth);
      if (created.status !== 201) throw new Error(`creating ${email}: ${created.status} ${JSON.stringify(created.body)}`);
      if (!profileMissing) {
        const profile = await postJson(`${base}/api/admin/users/${created.body.id}/routing-profile`, { skills: [...ROUTING_SKILLS], capacity: o.capacity }, adminAuth, 'PUT');
        if (profile.status === 404) profileMissing = true;
        else if (profile.status !== 200) throw new Error(`routing profile of ${email}: ${profile.status} ${JSON.stringify(profile.body)}`);
      }
      const login = await postJson<{ accessToken: string }>(`${base}/api/auth/login`, { email, password });
      if (login.status !== 200) throw new Error(`sign-in of ${email}: ${login.status} ${JSON.stringify(login.body)}`);
      return { index: i, userId: created.body.id, token: login.body.accessToken };
    });
    if (profileMissing) {
      warn(`PUT /api/admin/users/:id/routing-profile is not there (404): agents keep the server's default capacity, not ${o.capacity}`);
    }
    const agentAccountsMs = (nowUs() - t) / 1000;

    // One address gets a few visitor tokens a minute; the swarm's visitors each come from their own
    // address, which the server learns from X-Forwarded-For (it trusts the loopback proxy, as behind nginx).
    log(`Getting ${o.patients} visitor tokens…`);
    t = nowUs();
    const visitor = (displayName: string, address: string) => postJson<{ token: string }>(`${base}/api/chat/visitor`, { displayName }, { 'x-forwarded-for': address });
    let perAddress = 0;
    const tokens: string[] = [];
    for (; perAddress < 100; perAddress++) {
      const res = await visitor('Probe', '198.51.100.7');
      if (res.status !== 201) break;
      if (tokens.length < o.patients) tokens.push(res.body.token);
    }
    if (perAddress < o.patients) {
      log(`  one address gets ${perAddress} visitor tokens, then 429: the other visitors come from distinct addresses (X-Forwarded-For)`);
    }
    const more = await pool(Array.from({ length: o.patients - tokens.length }, (_, i) => i), 16, async (i) => {
      const res = await visitor(`Visitor ${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      if (res.status !== 201) throw new Error(`visitor token ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token;
    });
    tokens.push(...more);
    const visitorTokensMs = (nowUs() - t) / 1000;
    const patientSeats: PatientSeat[] = tokens.map((token, index) => ({ index, token }));

    // --- swarm ---
    for (let w = 0; w < o.workers; w++) workers.push(new WorkerClient(w));
    const share = <T>(items: T[], w: number) => items.filter((_, i) => i % o.workers === w);
    log(`Connecting ${o.agents} agents and ${o.patients} patients over ${o.workers} client process(es)…`);
    t = nowUs();
    await all((w, i) => w.call('connect', { url: base, target: 'carebridge', patients: share(patientSeats, i), agents: share(agentSeats, i) }));
    const connectMs = (nowUs() - t) / 1000;
    const rssAfterConnectMiB = memoryOf(server.pid)?.rssMiB ?? NaN;

    log(`Hand-off: ${o.patients} chats at ${o.arrivalRate}/s, each asks the bot for a person…`);
    await eventLoopSample(server.pid, loopFile);
    const handoffCpu = cpuMeter(server.pid);
    const handoffs = await all((w, i) => w.call('handoff', { perSecond: o.arrivalRate / o.workers, offsetMs: (i * 1000) / o.arrivalRate }));
    const handoffRecords = handoffs.flatMap((h) => h.records);
    const handoffErrors = mergeCounts(handoffs.map((h) => h.errors));
    const handoffServerCpu = handoffCpu();
    const handoffEventLoop = await eventLoopSample(server.pid, loopFile);
    // Every agent full (or every chat taken): with an unknown default capacity, until nothing moves for 2 s.
    const expected = Math.min(handoffRecords.length, o.agents * o.capacity);
    let offerRecords: OfferRecord[] = [];
    const offerDeadline = Date.now() + 60_000;
    let lastCount = -1;
    let stableSince = Date.now();
    for (;;) {
      offerRecords = (await all((w) => w.call('offers', {}))).flatMap((r) => r.records);
      const count = offerRecords.filter((r) => r.acceptedAtUs !== null).length;
      if (count !== lastCount) [lastCount, stableSince] = [count, Date.now()];
      if ((!profileMissing && count >= expected) || Date.now() - stableSince > 2000 || Date.now() > offerDeadline) break;
      await sleep(100);
    }
    await sleep(500); // anything beyond capacity would show up now
    offerRecords = (await all((w) => w.call('offers', {}))).flatMap((r) => r.records);
    const accepted = offerRecords.filter((r) => r.acceptedAtUs !== null);
    const stranded = await strandedChats(base, admin.body.accessToken);
    if (stranded > 0) warn(`${stranded} chats wait while an available agent has room: routing's invariant is broken`);
    const perAgent = new Map<number, number>();
    for (const r of accepted) perAgent.set(r.agentIndex, (perAgent.get(r.agentIndex) ?? 0) + 1);
    const effectiveCapacity = Math.max(0, ...perAgent.values());
    if (!profileMissing && effectiveCapacity < o.capacity && handoffRecords.length > accepted.length) {
      warn(`routing profiles were stored with capacity ${o.capacity}, but agents took at most ${effectiveCapacity} chats each`);
    }
    if (!profileMissing && accepted.length < expected && effectiveCapacity >= o.capacity) warn(`only ${accepted.length} of the ${expected} chats expected to be assigned were accepted`);
    const ackAt = new Map(handoffRecords.map((h) => [h.conversationId, h]));
    const toAck = newHistogram();
    for (const h of handoffRecords) toAck.recordValue(Math.max(1, h.handoffAckAtUs - h.handoffSentAtUs));
    const toOffer = newHistogram();
    const toAccepted = newHistogram();
    let offerBeforeAck = 0;
    for (const r of offerRecords) {
      const h = ackAt.get(r.conversationId);
      if (!h) continue;
      if (r.offerAtUs < h.handoffAckAtUs) offerBeforeAck++;
      toOffer.recordValue(Math.max(1, r.offerAtUs - h.handoffSentAtUs));
      if (r.acceptedAtUs !== null) toAccepted.recordValue(Math.max(1, r.acceptedAtUs - h.handoffSentAtUs));
    }
    const assignment = {
      handoffs: handoffRecords.length,
      offered: offerRecords.length,
      accepted: accepted.length,
      stillQueued: handoffRecords.length - offerRecords.length,
      stranded,
      toAck: summarize(toAck),
      toOffer: summarize(toOffer),
      toAccepted: summarize(toAccepted),
      offerBeforeAck,
      handoffErrors,
      serverEventLoop: handoffEventLoop,
      serverCpu: handoffServerCpu,
    };
    const pairs = accepted.flatMap((r) => {
      const h = ackAt.get(r.conversationId);
      return h ? [{ patientIndex: h.patientIndex, agentIndex: r.agentIndex, conversationId: r.conversationId }] : [];
    });
    const senders = (await all((w) => w.call('senders', { conversationIds: pairs.map((p) => p.conversationId) }))).reduce((n, r) => n + r.senders, 0);

    /** One load phase at the configured rate against whichever target the workers are connected to. */
    const loadPhase = async (phase: string, target: ServerProcess, sampler: RssSampler): Promise<LoadFigures> => {
      log(`${phase}: ${o.rate} messages/s from ${senders} patients, ${o.warmupSeconds} s warm-up + ${o.seconds} s measured…`);
      sampler.reset();
      const started = nowUs();
      const loads = all((w) => w.call('load', { phase, ratePerSecond: o.rate / o.workers, warmupMs: o.warmupSeconds * 1000, measuredMs: o.seconds * 1000 }));
      loads.catch(() => undefined); // awaited below; a failure meanwhile must not hide the first error
      await sleep(o.warmupSeconds * 1000 - (nowUs() - started) / 1000);
      await eventLoopSample(target.pid, loopFile); // discards the warm-up
      const measuredFrom = nowUs();
      const cpu = cpuMeter(target.pid);
      const sent = (await loads).reduce((n, r) => n + r.sent, 0);
      const measuredUs = nowUs() - measuredFrom;
      const serverCpu = cpu();
      const serverEventLoop = await eventLoopSample(target.pid, loopFile);
      const serverPeakRssMiB = sampler.peak();
      const check = await drainAndCheck(phase);
      const reports = await all((w) => w.call('report', { phase }));
      const delivery = mergeHistograms(reports.map((r) => r.deliveryHistogram));
      const ack = mergeHistograms(reports.map((r) => r.ackHistogram));
      return {
        delivery: summarize(delivery),
        ack: summarize(ack),
        check,
        achievedRate: sent / ((measuredFrom - started + measuredUs) / 1e6),
        serverEventLoop,
        serverPeakRssMiB,
        serverCpu,
        clientLoopDelayP99Ms: Math.max(...reports.map((r) => r.clientLoopDelayP99Ms)),
      };
    };

    /** Waits until nothing is pending and the agents hold as many messages as were acked, then compares ids. */
    const drainAndCheck = async (phase: string, timeoutMs = 120_000): Promise<DeliveryCheck> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await all((w) => w.call('pending', { phase }));
        const pending = states.reduce((n, s) => n + s.pending, 0);
        const acked = states.reduce((n, s) => n + s.acked, 0);
        const received = states.reduce((n, s) => n + s.received, 0);
        if ((pending === 0 && received >= acked) || Date.now() > deadline) {
          if (pending > 0) warn(`${phase}: ${pending} messages still unacknowledged ${timeoutMs / 1000} s after the load`);
          if (received < acked) warn(`${phase}: agents hold ${received} of ${acked} acked messages ${timeoutMs / 1000} s after the load (counted as lost)`);
          break;
        }
        await sleep(100);
      }
      const check = checkDelivery(await all((w) => w.call('report', { phase })));
      if (check.lostSample.length > 0 && phase !== 'relay') check.lostSampleInDatabase = countStored(path.join(dir, 'swarm.db'), check.lostSample);
      return check;
    };

    const steady = await loadPhase('steady', server, rss);
    /** VmHWM of the server process(es): the peak RSS of each, the larger one. */
    let hwmMiB = 0;

    // --- crash: kill -9 mid-run, restart on the same database and port ---
    let crash: SwarmSummary['crash'] = null;
    if (o.crash) {
      const killAfterMs = (o.crashSeconds * 1000) / 2;
      log(`crash: ${o.rate} messages/s for ${o.crashSeconds} s; kill -9 of the server after ${killAfterMs / 1000} s, restart on the same database and port…`);
      const loads = all((w) => w.call('load', { phase: 'crash', ratePerSecond: o.rate / o.workers, warmupMs: 0, measuredMs: o.crashSeconds * 1000 }));
      loads.catch(() => undefined);
      await sleep(killAfterMs);
      hwmMiB = Math.max(hwmMiB, memoryOf(server.pid)?.hwmMiB ?? 0);
      const killedAtUs = nowUs();
      server.child.kill('SIGKILL');
      await all((w) => w.call('markRestart', { atUs: killedAtUs }));
      await server.exited;
      server = startServerProcess('server/src/main.ts', env, o.profileServer);
      rss.follow(server.pid);
      await waitForHttp(`${base}/api/health`, server, 120_000);
      const readyAtUs = nowUs();
      await loads;
      let reconnect = await all((w) => w.call('reconnect', { sinceUs: killedAtUs }));
      const reconnectDeadline = Date.now() + 120_000;
      while (reconnect.some((r) => r.resynced < r.sockets) && Date.now() < reconnectDeadline) {
        await sleep(100);
        reconnect = await all((w) => w.call('reconnect', { sinceUs: killedAtUs }));
      }
      const resynced = reconnect.reduce((n, r) => n + r.resynced, 0);
      const sockets = reconnect.reduce((n, r) => n + r.sockets, 0);
      if (resynced < sockets) warn(`crash: only ${resynced} of ${sockets} sockets resynced within 120 s`);
      const latest = (pick: (r: (typeof reconnect)[number]) => number | null) => Math.max(...reconnect.map((r) => pick(r) ?? -Infinity));
      const check = await drainAndCheck('crash');
      const offersAfterRestart = (await all((w) => w.call('offers', {}))).flatMap((r) => r.records).filter((r) => r.afterRestart).length;
      crash = {
        check,
        killedAtSecond: killAfterMs / 1000,
        restartMs: (readyAtUs - killedAtUs) / 1000,
        allReconnectedMs: (latest((r) => r.lastConnectAtUs) - killedAtUs) / 1000,
        allResyncedMs: (latest((r) => r.lastResyncAtUs) - killedAtUs) / 1000,
        resyncAfterReadyMs: (latest((r) => r.lastResyncAtUs) - readyAtUs) / 1000,
        syncedMessages: reconnect.reduce((n, r) => n + r.syncedMessages, 0),
        resent: reconnect.reduce((n, r) => n + r.resent, 0),
        heldWhileOffline: reconnect.reduce((n, r) => n + r.heldWhileOffline, 0),
        reassigned: reconnect.reduce((n, r) => n + r.reassigned, 0),
        offersAfterRestart,
        reconnectErrors: mergeCounts(reconnect.map((r) => r.errors)),
      };
    }
    hwmMiB = Math.max(hwmMiB, memoryOf(server.pid)?.hwmMiB ?? 0);
    await all((w) => w.call('disconnect', {}));
    await stopProcess(server);

    // --- baseline: the same swarm and rate through a bare socket.io relay ---
    let baseline: LoadFigures | null = null;
    if (o.baseline) {
      relay = startServerProcess('scripts/bench/swarm/relay-server.ts', { ...env, PORT: '0' });
      const relayPort = await waitForListening(relay, 60_000);
      const relayRss = new RssSampler(relay.pid);
      log(`Baseline relay on port ${relayPort}: connecting the same swarm…`);
      await all((w, i) =>
        w.call('connect', {
          url: `http://127.0.0.1:${relayPort}`,
          target: 'relay',
          patients: share(patientSeats, i),
          agents: share(agentSeats, i),
          pairs,
        }),
      );
      await all((w) => w.call('senders', { conversationIds: pairs.map((p) => p.conversationId) }));
      baseline = await loadPhase('relay', relay, relayRss);
      relayRss.stop();
      await all((w) => w.call('disconnect', {}));
    }

    const { log: _log, ...options } = o;
    return {
      options,
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'cpu', node: process.version, databaseDir: o.dir ?? os.tmpdir(), loadAverageStart, loadAverageEnd: os.loadavg()[0]! },
      warnings,
      setup: { serverStartMs, agentAccountsMs, visitorTokensMs, visitorTokensPerAddress: perAddress, connectMs, effectiveCapacity, rssAfterConnectMiB },
      assignment,
      steady,
      crash,
      baseline,
      server: { hwmMiB },
    };
  } finally {
    rss?.stop();
    for (const w of workers) w.close();
    if (server) await stopProcess(server, 'SIGKILL');
    if (relay) await stopProcess(relay, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
