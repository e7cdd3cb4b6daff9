/**
 * The insights service: historical reports (JSON and CSV from the same object, so they cannot
 * differ) and the live picture. Live queues and agents come from supervision's snapshot (routing and
 * presence as supervisors already see them); today's service level, handle time and the sentiment
 * of open conversations come from the event log.
 */
import {
  INSIGHT_COLUMNS,
  SENTIMENT_SCALE_LABELS,
  type InsightGroupBy,
  type InsightsLive,
  type InsightsReport,
  type InsightsReportQuery,
} from '../contracts/insights.js';
import type { SupervisorSnapshot } from '../contracts/supervision.js';
import { daysBetween, type DayOf } from './days.js';
import { buildReport, type ReportShape, type VolumeEvent } from './metrics.js';
import { NO_KEY, type InsightsRepository } from './repository.js';

export interface InsightsServiceDeps {
  repo: InsightsRepository;
  dayOf: DayOf;
  timeZone: string;
  /** Supervision's live snapshot (queues with waits, agents with presence and load, open conversations). */
  snapshot: () => SupervisorSnapshot;
  /** The latest sentiment scale of an open conversation (the recorder's). */
  scaleOf: (conversationId: string) => number | null;
  displayNameOf: (userId: string) => string | undefined;
  queueName: (queueId: string) => string | undefined;
  now?: () => Date;
}

/** What "conversations" counts and whether the bot's rates apply, given the grouping and filters. */
export function reportShape(query: Pick<InsightsReportQuery, 'groupBy' | 'agentId' | 'queue'>): Omit<ReportShape, 'keys'> {
  const volumeFrom: VolumeEvent =
    query.groupBy === 'agent' || query.agentId !== undefined ? 'conversation.accepted' : query.groupBy === 'queue' || query.queue !== undefined ? 'conversation.handed-off' : 'conversation.started';
  return { volumeFrom, botRates: volumeFrom === 'conversation.started' };
}

/** A CSV field: quoted when it holds a comma, quote or line break; formula-looking text is defused. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as CSV: one row per group, then `total`; the columns of `INSIGHT_COLUMNS`. */
export function reportCsv(report: InsightsReport): string {
  const header = [report.groupBy, 'label', ...INSIGHT_COLUMNS.map((c) => c.id)];
  const lines = [header.join(',')];
  for (const group of report.groups) lines.push([group.key, group.label, ...INSIGHT_COLUMNS.map((c) => c.get(group))].map(csvField).join(','));
  lines.push(['total', 'Total', ...INSIGHT_COLUMNS.map((c) => c.get(report.totals))].map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export class InsightsService {
  private readonly now: () => Date;

  constructor(private readonly deps: InsightsServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  today(): string {
    return this.deps.dayOf(this.now().getTime());
  }

  private labelOf(groupBy: InsightGroupBy, key: string): string {
    // Starts, the bot's chats and waits have no agent; starts and the bot's chats no queue.
    if (key === NO_KEY) return groupBy === 'agent' ? 'No agent (bot or waiting)' : groupBy === 'queue' ? 'No queue (bot)' : key;
    if (groupBy === 'agent') return this.deps.displayNameOf(key) ?? key;
    if (groupBy === 'queue') return this.deps.queueName(key) ?? key;
    return key;
  }

  async report(query: InsightsReportQuery): Promise<InsightsReport> {
    const { from, to, groupBy } = query;
    const filter = { from, to, agentId: query.agentId, queue: query.queue, channel: query.channel };
    const { includesSynthetic, ...inputs } = await this.deps.repo.reportInputs(filter, groupBy);
    const shape: ReportShape = { ...reportShape(query), ...(groupBy === 'day' ? { keys: daysBetween(from, to) } : {}) };
    const { groups, totals } = buildReport(inputs, shape);
    return {
      from,
      to,
      groupBy,
      filters: { agentId: query.agentId ?? null, queue: query.queue ?? null, channel: query.channel ?? null },
      timeZone: this.deps.timeZone,
      generatedAt: this.now().toISOString(),
      includesSynthetic,
      groups: groups.map((g) => ({ key: g.key, label: this.labelOf(groupBy, g.key), ...g.metrics })),
      totals,
    };
  }

  async live(): Promise<InsightsLive> {
    const snapshot = this.deps.snapshot();
    const today = this.today();
    const [byQueue, byAgent] = await Promise.all([this.report({ from: today, to: today, groupBy: 'queue' }), this.report({ from: today, to: today, groupBy: 'agent' })]);
    const queueFigures = new Map(byQueue.groups.map((g) => [g.key, g]));
    const agentFigures = new Map(byAgent.groups.map((g) => [g.key, g]));
    const counts = new Map<number, number>();
    let scored = 0;
    for (const c of snapshot.conversations) {
      const scale = this.deps.scaleOf(c.id);
      if (scale === null) continue;
      const bucket = Math.max(-3, Math.min(3, Math.round(scale)));
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      scored++;
    }
    return {
      at: this.now().toISOString(),
      today,
      queues: snapshot.queues.map((q) => {
        const figures = queueFigures.get(q.id);
        return {
          id: q.id,
          name: q.name,
          open: q.open,
          waiting: q.waiting + q.offered,
          longestWaitMs: q.oldestWaitMs,
          agentsAvailable: q.agentsAvailable,
          serviceLevel: figures?.serviceLevel ?? { s30: null, s60: null, s120: null },
          answeredToday: figures?.accepted ?? 0,
          abandonedToday: figures?.abandoned ?? 0,
        };
      }),
      agents: snapshot.agents.map((a) => ({
        userId: a.userId,
        displayName: a.displayName,
        presence: a.presence,
        load: a.load,
        capacity: a.capacity,
        handleTimeToday: agentFigures.get(a.userId)?.handleTime ?? { count: 0, medianMs: null, p90Ms: null, meanMs: null },
      })),
      conversations: {
        open: snapshot.conversations.length,
        sentiment: scored === 0 ? null : SENTIMENT_SCALE_LABELS.map((label, i) => ({ scale: i - 3, label, conversations: counts.get(i - 3) ?? 0 })),
      },
    };
  }
}
