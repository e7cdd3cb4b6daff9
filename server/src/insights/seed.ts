/**
 * Synthetic history for the event log, so the dashboards are not empty on a demo's first start and
 * the benchmark has 100,000 conversations to query. Deterministic for a seed and an end instant.
 * Every row is marked `synthetic` (and its conversation id starts with `synthetic-`).
 *
 * The shape: weekday volume with a Saturday and Sunday dip, clinic hours peaking late morning and
 * early afternoon (clinic time zone), three channels, six queues with the agents whose skills serve
 * them, bot containment about 60 %, waits mostly under a minute with some abandonment, first
 * responses mostly 10–90 s with a tail, handle times around seven minutes, some transfers, CSAT and
 * NPS answers from about a third of handled chats, sentiment scores and smart-assist ratings.
 */
import type { InsightEvent } from './repository.js';
import type { DayOf } from './days.js';

/** mulberry32: small, fast and deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface SeedAgent {
  id: string;
  /** Queues this agent serves. */
  queues: readonly string[];
}

export interface HistoryOptions {
  seed: number;
  /** Days of history ending today (today included). */
  days: number;
  /** Conversations on an ordinary weekday (the weekend has fewer). */
  perWeekday: number;
  /** The last instant generated (now): nothing later is written. */
  end: Date;
  agents: readonly SeedAgent[];
  timeZone: string;
  dayOf: DayOf;
}

const DAY_MS = 86_400_000;
const CHANNELS: [string, number][] = [
  ['portal', 0.45],
  ['widget', 0.45],
  ['api', 0.1],
];
const QUEUES: [string, number][] = [
  ['general', 0.38],
  ['scheduling', 0.22],
  ['billing', 0.15],
  ['nurse-line', 0.12],
  ['pharmacy', 0.08],
  ['spanish', 0.05],
];
/** Relative volume per clinic hour 0…23. */
const HOURLY = [0.1, 0.05, 0.03, 0.03, 0.05, 0.15, 0.4, 0.9, 1.6, 2.2, 2.5, 2.3, 1.7, 2.0, 2.3, 2.1, 1.7, 1.2, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2];
/** Sunday … Saturday. */
const WEEKDAY = [0.3, 1.05, 1.0, 0.95, 0.95, 0.9, 0.45];
const CSAT: [number, number][] = [
  [5, 0.45],
  [4, 0.3],
  [3, 0.12],
  [2, 0.07],
  [1, 0.06],
];

function pick<T>(random: () => number, weighted: readonly [T, number][]): T {
  let r = random() * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r <= 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

/** A log-normal draw with this median and spread (sigma of the log). */
function logNormal(random: () => number, medianValue: number, sigma: number): number {
  const u = Math.max(random(), 1e-12);
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return medianValue * Math.exp(sigma * normal);
}

/** The time zone's offset from UTC at an instant, in ms (wall clock − UTC). */
export function zoneOffsetMs(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(at / 1000) * 1000;
}

/** The synthetic events, conversation by conversation, in time order within each conversation. */
export function* generateHistory(options: HistoryOptions): Generator<InsightEvent> {
  const random = seededRandom(options.seed);
  const endMs = options.end.getTime();
  const today = options.dayOf(endMs);
  const hourTotal = HOURLY.reduce((s, w) => s + w, 0);
  let serial = 0;
  for (let back = options.days - 1; back >= 0; back--) {
    const day = new Date(Date.parse(`${today}T12:00:00Z`) - back * DAY_MS).toISOString().slice(0, 10);
    const noon = Date.parse(`${day}T12:00:00Z`);
    const midnight = Date.parse(`${day}T00:00:00Z`) - zoneOffsetMs(options.timeZone, noon);
    const weekday = new Date(noon).getUTCDay();
    const count = Math.round(options.perWeekday * WEEKDAY[weekday]! * (0.85 + random() * 0.3));
    for (let i = 0; i < count; i++) {
      // An hour by the daily curve, a moment within it.
      let r = random() * hourTotal;
      let hour = 0;
      while (hour < 23 && (r -= HOURLY[hour]!) > 0) hour++;
      const startMs = midnight + hour * 3_600_000 + Math.floor(random() * 3_600_000);
      if (startMs > endMs) continue;
      serial++;
      yield* conversationEvents(random, options, `synthetic-${options.seed}-${serial}`, startMs, endMs);
    }
  }
}

function* conversationEvents(random: () => number, options: HistoryOptions, conversationId: string, startMs: number, endMs: number): Generator<InsightEvent> {
  const channel = pick(random, CHANNELS);
  let queue: string | null = null;
  let agentId: string | null = null;
  const event = (type: InsightEvent['type'], atMs: number, extra: Partial<InsightEvent> = {}): InsightEvent | null => {
    if (atMs > endMs) return null;
    const at = new Date(atMs).toISOString();
    return { type, conversationId, at, day: options.dayOf(atMs), channel, queue, agentId, value: null, synthetic: true, ...extra };
  };
  const out: (InsightEvent | null)[] = [event('conversation.started', startMs)];
  const handedOff = random() >= 0.6;
  if (!handedOff) {
    const end = startMs + Math.round(logNormal(random, 150_000, 0.6));
    out.push(event('sentiment.scored', end - 5_000, { value: pick(random, [[1, 0.35], [0, 0.35], [2, 0.15], [-1, 0.1], [-2, 0.05]]) }));
    out.push(event('conversation.bot-contained', end));
    for (const e of out) if (e) yield e;
    return;
  }
  const queuedAt = startMs + Math.round(logNormal(random, 90_000, 0.5));
  queue = pick(random, QUEUES);
  out.push(event('conversation.handed-off', queuedAt, { value: queue === 'nurse-line' ? 1 : 2 }));
  const serving = options.agents.filter((a) => a.queues.includes(queue!));
  const agents = serving.length > 0 ? serving : options.agents;
  if (random() < 0.06 || agents.length === 0) {
    out.push(event('conversation.abandoned', queuedAt + Math.round(60_000 + random() * 300_000), { value: null }));
    const abandoned = out[out.length - 1];
    if (abandoned) abandoned.value = Date.parse(abandoned.at) - queuedAt;
    for (const e of out) if (e) yield e;
    return;
  }
  const wait = Math.round(random() < 0.85 ? logNormal(random, 22_000, 0.7) : 60_000 + random() * 180_000);
  const agent = agents[Math.floor(random() * agents.length)]!;
  out.push(event('conversation.offered', queuedAt + Math.max(0, wait - 4_000), { agentId: agent.id }));
  agentId = agent.id;
  const acceptedAt = queuedAt + wait;
  out.push(event('conversation.accepted', acceptedAt, { value: wait }));
  const firstResponse = Math.round(random() < 0.92 ? Math.min(90_000, Math.max(10_000, logNormal(random, 32_000, 0.5))) : 90_000 + random() * 300_000);
  out.push(event('conversation.first-response', acceptedAt + firstResponse, { value: firstResponse }));
  let handle = Math.round(logNormal(random, 420_000, 0.55));
  if (random() < 0.07 && agents.length > 1) {
    const to = agents.find((a) => a.id !== agent.id)!;
    out.push(event('conversation.transferred', acceptedAt + Math.round(handle / 2), { data: { cause: 'transfer', toAgentId: to.id } }));
    agentId = to.id;
    handle += Math.round(logNormal(random, 180_000, 0.5));
  }
  const mood = random();
  const scales = mood < 0.15 ? [-1, -2, -3] : mood < 0.6 ? [0, 0, 1] : [0, 1, 2];
  const scores = 1 + Math.floor(random() * 3);
  for (let s = 0; s < scores; s++) out.push(event('sentiment.scored', acceptedAt + Math.round((handle * (s + 1)) / (scores + 1)), { value: scales[Math.min(s, scales.length - 1)]! }));
  const ratings = Math.floor(random() * 3);
  for (let s = 0; s < ratings; s++) {
    out.push(event('assist.rated', acceptedAt + Math.round((handle * (s + 1)) / (ratings + 2)), { value: random() < 0.62 ? 1 : 0, data: { kind: pick(random, [['article', 0.4], ['reply', 0.4], ['action', 0.2]]) } }));
  }
  const closedAt = acceptedAt + handle;
  out.push(event('conversation.closed', closedAt, { value: handle, data: { by: random() < 0.85 ? 'agent' : 'patient', disposition: 'resolved' } }));
  if (random() < 0.33) {
    const csat = mood < 0.15 ? pick(random, [[1, 0.4], [2, 0.35], [3, 0.25]]) : pick(random, CSAT);
    const nps = Math.max(0, Math.min(10, Math.round(csat * 2 + (random() * 2 - 0.5))));
    out.push(event('survey.answered', closedAt + Math.round(30_000 + random() * 600_000), { value: csat, value2: nps }));
  }
  for (const e of out) if (e) yield e;
}
