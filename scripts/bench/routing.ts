/**
 * Routing decision micro-benchmark: 200 agents (capacity 8, mixed skills) all busy, 5,000
 * conversations waiting across the six default queues (10 % red flags), then many rounds of
 * "an agent finishes a conversation → the engine picks the next conversation and agent → the agent
 * accepts → a new conversation arrives". Measured per decision, in-process, with the fake clock:
 *
 * - engine `released()` (frees capacity, chooses conversation and agent, records the reason, offers);
 * - engine `enqueue()` of a new conversation while every agent is full (checks hours, scans the queue's agents);
 * - the coalesced position flush (one `queue.position` per moved caller), once per simulated second;
 * - **baseline** in the same run: a naive assignment that scans an array of every waiting conversation
 *   and every agent per decision (no indexes, no reasons, no events).
 *
 *   npx tsx scripts/bench/routing.ts [--rounds 20000] [--waiting 5000] [--agents 200]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Priority, RoutingEvent, Skill } from '../../server/src/contracts/routing.js';
import { DEFAULT_ROUTING_CONFIG_INPUT, ManualClock, RoutingEngine } from '../../server/src/routing/index.js';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '20000' }, waiting: { type: 'string', default: '5000' }, agents: { type: 'string', default: '200' } },
});
const ROUNDS = Number(args.rounds);
const WAITING = Number(args.waiting);
const AGENTS = Number(args.agents);
const CAPACITY = 8;
const QUEUES: { id: string; skill: Skill; weight: number }[] = [
  { id: 'general', skill: 'general', weight: 35 },
  { id: 'scheduling', skill: 'scheduling', weight: 25 },
  { id: 'billing', skill: 'billing', weight: 15 },
  { id: 'nurse-line', skill: 'nurse-line', weight: 10 },
  { id: 'pharmacy', skill: 'pharmacy', weight: 8 },
  { id: 'spanish', skill: 'spanish', weight: 7 },
];

let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pickQueue = () => {
  let r = random() * 100;
  for (const q of QUEUES) if ((r -= q.weight) < 0) return q;
  return QUEUES[0]!;
};
const pickPriority = (): Priority => (random() < 0.1 ? 0 : random() < 0.3 ? 1 : random() < 0.8 ? 2 : 3);
/** Every agent has `general` and two other skills, so each queue has dozens of agents. */
const agentSkills = (i: number): Skill[] => ['general', QUEUES[1 + (i % 5)]!.skill, QUEUES[1 + ((i + 2) % 5)]!.skill];

const percentile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
function stats(label: string, samples: number[]) {
  const sorted = Float64Array.from(samples).sort();
  return [label, String(samples.length), us(percentile(sorted, 50)), us(percentile(sorted, 95)), us(percentile(sorted, 99)), us(sorted[sorted.length - 1]!)];
}

// -------------------------------------------------------------------------------------------
// Engine
// -------------------------------------------------------------------------------------------

function benchEngine() {
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 14, 0)); // Monday 09:00 in New York: open
  const engine = new RoutingEngine({ config: { ...DEFAULT_ROUTING_CONFIG_INPUT, offerTimeoutMs: 600_000 }, clock, scheduler: clock });
  let positionEvents = 0;
  // Filled by the listener: the offer the last call produced.
  const last: { offer: Extract<RoutingEvent, { type: 'offer.created' }> | null } = { offer: null };
  engine.subscribe((e) => {
    if (e.type === 'offer.created') last.offer = e;
    else if (e.type === 'queue.position') positionEvents++;
  });
  /** The offer made since the last call, if any. */
  const takeOffer = () => {
    const offer = last.offer;
    last.offer = null;
    return offer;
  };
  let next = 0;
  const enqueue = () => engine.enqueue({ conversationId: `c${next++}`, queueId: pickQueue().id, priority: pickPriority() });
  for (let i = 0; i < AGENTS; i++) engine.setAgentState(`agent-${String(i).padStart(3, '0')}`, { presence: 'available', skills: agentSkills(i), capacity: CAPACITY });
  // Fill every agent, accept, then leave WAITING in line.
  while (engine.snapshot().queues.reduce((n, q) => n + q.waiting, 0) < WAITING) {
    enqueue();
    const offer = takeOffer();
    if (offer) engine.accept(offer.offerId);
  }
  const assigned = [...engine.snapshot().conversations].filter((c) => c.state === 'assigned').map((c) => ({ agentId: c.agentId!, conversationId: c.conversationId }));
  clock.advance(60_000);

  const release: number[] = [];
  const arrive: number[] = [];
  const flush: number[] = [];
  let idle = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  for (let round = 0; round < ROUNDS; round++) {
    const slot = Math.floor(random() * assigned.length);
    const done = assigned[slot]!;
    takeOffer();
    let t = performance.now();
    engine.released(done.agentId, done.conversationId);
    release.push(performance.now() - t);
    const offer = takeOffer();
    if (offer) {
      engine.accept(offer.offerId);
      assigned[slot] = { agentId: offer.agentId, conversationId: offer.conversationId };
    } else {
      idle++;
      assigned.splice(slot, 1);
    }
    t = performance.now();
    enqueue();
    arrive.push(performance.now() - t);
    if (round % 100 === 99) {
      t = performance.now();
      clock.advance(1000); // runs the coalesced position flush
      flush.push(performance.now() - t);
    }
  }
  const waiting = engine.snapshot().queues.reduce((n, q) => n + q.waiting, 0);
  return { release, arrive, flush, idle, waiting, positionEvents, heapDeltaMiB: (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20 };
}

// -------------------------------------------------------------------------------------------
// Baseline: arrays scanned per decision
// -------------------------------------------------------------------------------------------

interface NaiveConversation { id: number; skill: Skill; priority: number; enqueuedAt: number }
interface NaiveAgent { id: string; skills: Set<Skill>; load: number; idleSince: number }

function benchBaseline() {
  const agents: NaiveAgent[] = Array.from({ length: AGENTS }, (_, i) => ({ id: `agent-${i}`, skills: new Set(agentSkills(i)), load: CAPACITY, idleSince: 0 }));
  const waiting: NaiveConversation[] = [];
  let next = 0;
  let now = 0;
  const arrive = () => {
    const q = pickQueue();
    waiting.push({ id: next++, skill: q.skill, priority: pickPriority(), enqueuedAt: now++ });
  };
  for (let i = 0; i < WAITING; i++) arrive();
  const release: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const agent = agents[Math.floor(random() * agents.length)]!;
    const t = performance.now();
    agent.load--;
    // Best conversation this agent may take: scan everything.
    let best = -1;
    for (let i = 0; i < waiting.length; i++) {
      const c = waiting[i]!;
      if (!agent.skills.has(c.skill)) continue;
      const b = best < 0 ? undefined : waiting[best]!;
      if (!b || c.priority < b.priority || (c.priority === b.priority && c.enqueuedAt < b.enqueuedAt)) best = i;
    }
    if (best >= 0) {
      const conversation = waiting[best]!;
      // Best agent for it: scan every agent.
      let chosen: NaiveAgent | undefined;
      for (const a of agents) {
        if (!a.skills.has(conversation.skill) || a.load >= CAPACITY) continue;
        if (!chosen || a.load < chosen.load || (a.load === chosen.load && a.idleSince < chosen.idleSince)) chosen = a;
      }
      waiting.splice(best, 1);
      if (chosen) {
        chosen.load++;
        chosen.idleSince = now;
      }
    }
    release.push(performance.now() - t);
    arrive();
  }
  return { release };
}

const engineRun = benchEngine();
const baseline = benchBaseline();
const rows = [
  ['decision', 'n', 'p50', 'p95', 'p99', 'max'],
  stats('engine: release → next offer (with reason)', engineRun.release),
  stats('engine: new conversation, all agents full', engineRun.arrive),
  stats('engine: position flush (per simulated second)', engineRun.flush),
  stats('baseline: naive array scan, release → next', baseline.release),
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log(`\nrouting: ${AGENTS} agents × capacity ${CAPACITY}, ~${WAITING} waiting, ${ROUNDS} rounds (Node ${process.version})\n`);
for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
console.log(`\nwaiting at the end: ${engineRun.waiting}; rounds where the freed agent had nothing eligible: ${engineRun.idle}`);
console.log(`queue.position events sent: ${engineRun.positionEvents} (${(engineRun.positionEvents / Math.max(1, engineRun.flush.length)).toFixed(0)} per flush)`);
console.log(`heap growth during the rounds: ${engineRun.heapDeltaMiB.toFixed(1)} MiB; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
const p95 = percentile(Float64Array.from(engineRun.release).sort(), 95);
console.log(`goal: assignment decision p95 ≤ 50 ms → ${p95 <= 50 ? 'met' : 'NOT met'} (${us(p95)})`);
