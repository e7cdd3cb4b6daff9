/**
 * The metric definitions as small pure functions (the README's table says the same in words): from
 * what the repository read out of the event log — counts per event type and group, the durations,
 * survey tallies, sentiment scores and assist ratings — to the figures of each group and the totals.
 * Totals are computed from the same inputs with the groups collapsed, never as averages of groups.
 */
import type { DurationStats, InsightEventType, InsightMetrics } from '../contracts/insights.js';

/** Events counted per group (`COUNT(*)` of rows). */
export interface CountRow {
  type: InsightEventType;
  key: string;
  n: number;
}
/** A group's durations of one kind, in ms: `conversation.accepted` (waits), `.first-response`, `.closed` (handle times). */
export interface DurationGroup {
  type: 'conversation.accepted' | 'conversation.first-response' | 'conversation.closed';
  key: string;
  values: ArrayLike<number>;
}
export interface SurveyRow {
  key: string;
  csatAnswers: number;
  csatSatisfied: number;
  npsAnswers: number;
  promoters: number;
  detractors: number;
}
/** Sentiment scorings of a group: how many, and the sum of the conversation scales they carried. */
export interface SentimentRow {
  key: string;
  scores: number;
  total: number;
}
export interface AssistRow {
  key: string;
  rated: number;
  accepted: number;
}

export interface ReportInputs {
  counts: readonly CountRow[];
  durations: readonly DurationGroup[];
  surveys: readonly SurveyRow[];
  sentiment: readonly SentimentRow[];
  assist: readonly AssistRow[];
}

export type VolumeEvent = 'conversation.started' | 'conversation.handed-off' | 'conversation.accepted';

export interface ReportShape {
  /** What "conversations" counts: starts (by day, channel), hand-offs (by queue), acceptances (by agent). */
  volumeFrom: VolumeEvent;
  /** Containment and hand-off rates apply (not when grouped or filtered by agent or queue: the bot has neither). */
  botRates: boolean;
  /** Keys every report shows even without events (each day of the range), in this order first. */
  keys?: readonly string[];
}

/** The middle value (mean of the two middle ones for an even count); null for none. */
export function median(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile: the smallest value with at least p % of values at or below it. */
export function percentile(sorted: readonly number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n, Math.max(1, rank)) - 1]!;
}

/** Count, median, p90 and mean, rounded to the millisecond. */
export function durationStats(values: ArrayLike<number>): DurationStats {
  if (values.length === 0) return { count: 0, medianMs: null, p90Ms: null, meanMs: null };
  const sorted = Float64Array.from(values).sort();
  const list = sorted as unknown as number[];
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: sorted.length, medianMs: Math.round(median(list)!), p90Ms: Math.round(percentile(list, 90)!), meanMs: Math.round(sum / sorted.length) };
}

/** A share in 0…1 rounded to 4 places; null when nothing was counted. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** Waits answered within `seconds` of all waits that ended (accepted or abandoned). */
export function serviceLevel(waitsMs: ArrayLike<number>, abandoned: number, seconds: number): number | null {
  let within = 0;
  for (let i = 0; i < waitsMs.length; i++) if (waitsMs[i]! <= seconds * 1000) within++;
  return share(within, waitsMs.length + abandoned);
}

/** % promoters − % detractors, −100…+100, one decimal. */
export function netPromoterScore(promoters: number, detractors: number, answers: number): number | null {
  return answers === 0 ? null : Math.round(((promoters - detractors) / answers) * 1000) / 10;
}

/** The mean conversation scale over the scorings (−3…+3), two decimals; null for none. */
export function meanScale(scores: number, total: number): number | null {
  return scores === 0 ? null : Math.round((total / scores) * 100) / 100;
}

interface Bucket {
  counts: Map<InsightEventType, number>;
  waits: ArrayLike<number>[];
  firstResponses: ArrayLike<number>[];
  handles: ArrayLike<number>[];
  survey: Omit<SurveyRow, 'key'>;
  sentiment: { scores: number; total: number };
  assist: { rated: number; accepted: number };
}

const emptyBucket = (): Bucket => ({
  counts: new Map(),
  waits: [],
  firstResponses: [],
  handles: [],
  survey: { csatAnswers: 0, csatSatisfied: 0, npsAnswers: 0, promoters: 0, detractors: 0 },
  sentiment: { scores: 0, total: 0 },
  assist: { rated: 0, accepted: 0 },
});

/** The arrays of a bucket as one. */
function joined(parts: readonly ArrayLike<number>[]): ArrayLike<number> {
  if (parts.length === 1) return parts[0]!;
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p as ArrayLike<number>, at);
    at += p.length;
  }
  return out;
}

function metricsOf(b: Bucket, shape: ReportShape): InsightMetrics {
  const waits = joined(b.waits);
  const count = (type: InsightEventType) => b.counts.get(type) ?? 0;
  const started = count('conversation.started');
  const handedOff = count('conversation.handed-off');
  const botContained = count('conversation.bot-contained');
  const accepted = count('conversation.accepted');
  const abandoned = count('conversation.abandoned');
  const { survey } = b;
  return {
    conversations: count(shape.volumeFrom),
    handedOff,
    botContained,
    containmentRate: shape.botRates ? share(botContained, started) : null,
    handoffRate: shape.botRates ? share(handedOff, started) : null,
    accepted,
    abandoned,
    abandonmentRate: share(abandoned, accepted + abandoned),
    transfers: count('conversation.transferred'),
    waitTime: durationStats(waits),
    firstResponse: durationStats(joined(b.firstResponses)),
    handleTime: durationStats(joined(b.handles)),
    serviceLevel: { s30: serviceLevel(waits, abandoned, 30), s60: serviceLevel(waits, abandoned, 60), s120: serviceLevel(waits, abandoned, 120) },
    csat: { answers: survey.csatAnswers, satisfiedShare: share(survey.csatSatisfied, survey.csatAnswers) },
    nps: { answers: survey.npsAnswers, score: netPromoterScore(survey.promoters, survey.detractors, survey.npsAnswers) },
    sentiment: { scores: b.sentiment.scores, meanScale: meanScale(b.sentiment.scores, b.sentiment.total) },
    assist: { rated: b.assist.rated, accepted: b.assist.accepted, acceptance: share(b.assist.accepted, b.assist.rated) },
  };
}

function fill(bucket: Bucket, inputs: ReportInputs, keep: (key: string) => boolean): void {
  for (const row of inputs.counts) if (keep(row.key)) bucket.counts.set(row.type, (bucket.counts.get(row.type) ?? 0) + row.n);
  for (const row of inputs.durations) {
    if (!keep(row.key)) continue;
    if (row.type === 'conversation.accepted') bucket.waits.push(row.values);
    else if (row.type === 'conversation.first-response') bucket.firstResponses.push(row.values);
    else bucket.handles.push(row.values);
  }
  for (const row of inputs.surveys) {
    if (!keep(row.key)) continue;
    const s = bucket.survey;
    s.csatAnswers += row.csatAnswers;
    s.csatSatisfied += row.csatSatisfied;
    s.npsAnswers += row.npsAnswers;
    s.promoters += row.promoters;
    s.detractors += row.detractors;
  }
  for (const row of inputs.sentiment) {
    if (!keep(row.key)) continue;
    bucket.sentiment.scores += row.scores;
    bucket.sentiment.total += row.total;
  }
  for (const row of inputs.assist) {
    if (!keep(row.key)) continue;
    bucket.assist.rated += row.rated;
    bucket.assist.accepted += row.accepted;
  }
}

/** The figures of every group (sorted by key, `shape.keys` first) and of all of them together. */
export function buildReport(inputs: ReportInputs, shape: ReportShape): { groups: { key: string; metrics: InsightMetrics }[]; totals: InsightMetrics } {
  const buckets = new Map<string, Bucket>();
  for (const key of shape.keys ?? []) buckets.set(key, emptyBucket());
  const bucketOf = (key: string) => {
    let bucket = buckets.get(key);
    if (!bucket) buckets.set(key, (bucket = emptyBucket()));
    return bucket;
  };
  // One pass per input, each row into its group's bucket.
  for (const row of inputs.counts) {
    const b = bucketOf(row.key);
    b.counts.set(row.type, (b.counts.get(row.type) ?? 0) + row.n);
  }
  for (const row of inputs.durations) {
    const b = bucketOf(row.key);
    if (row.type === 'conversation.accepted') b.waits.push(row.values);
    else if (row.type === 'conversation.first-response') b.firstResponses.push(row.values);
    else b.handles.push(row.values);
  }
  for (const row of inputs.surveys) fill(bucketOf(row.key), { counts: [], durations: [], surveys: [row], sentiment: [], assist: [] }, () => true);
  for (const row of inputs.sentiment) {
    const b = bucketOf(row.key);
    b.sentiment.scores += row.scores;
    b.sentiment.total += row.total;
  }
  for (const row of inputs.assist) {
    const b = bucketOf(row.key);
    b.assist.rated += row.rated;
    b.assist.accepted += row.accepted;
  }
  const fixed = new Set(shape.keys ?? []);
  const keys = [...(shape.keys ?? []), ...[...buckets.keys()].filter((k) => !fixed.has(k)).sort()];
  const groups = keys.map((key) => ({ key, metrics: metricsOf(buckets.get(key)!, shape) }));
  const all = emptyBucket();
  fill(all, inputs, () => true);
  return { groups, totals: metricsOf(all, shape) };
}
