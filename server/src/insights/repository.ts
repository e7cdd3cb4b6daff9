/**
 * SQL on `insight_events` (migration 025), the append-only event log. Appends come from bus
 * listeners on the chat path, so they are synchronous prepared statements that join the event-loop
 * turn's group commit (no fsync of their own); the one read on that path (a conversation's own
 * events, to pick up where a restarted server left off) is a prepared statement on the
 * conversation index. The report queries are Kysely, in SQL PostgreSQL runs unchanged.
 */
import type SQLite from 'better-sqlite3';
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import type { GroupCommit } from '../platform/db/index.js';
import type { InsightEventType, InsightGroupBy } from '../contracts/insights.js';
import type { AssistRow, CountRow, DurationGroup, SentimentRow, SurveyRow } from './metrics.js';

export interface InsightEvent {
  type: InsightEventType;
  conversationId: string;
  /** ISO-8601 UTC. */
  at: string;
  day: string;
  channel: string | null;
  queue: string | null;
  agentId: string | null;
  value: number | null;
  value2?: number | null;
  data?: Record<string, unknown> | null;
  synthetic?: boolean;
}

export interface StoredEvent {
  seq: number;
  type: InsightEventType;
  at: string;
  channel: string | null;
  queue: string | null;
  agent_id: string | null;
  value: number | null;
}

export interface ReportFilter {
  from: string;
  to: string;
  agentId?: string | undefined;
  queue?: string | undefined;
  channel?: string | undefined;
}

/** The column a group-by reads; events without it group under `(none)`. */
const GROUP_COLUMN = { day: 'day', agent: 'agent_id', queue: 'queue', channel: 'channel' } as const satisfies Record<InsightGroupBy, string>;
export const NO_KEY = '(none)';

/** `group_concat`'s comma-separated numbers. */
function parseValues(text: string): Float64Array {
  const parts = text.split(',');
  const values = new Float64Array(parts.length);
  for (let i = 0; i < parts.length; i++) values[i] = Number(parts[i]);
  return values;
}

const COUNTED: InsightEventType[] = [
  'conversation.started',
  'conversation.handed-off',
  'conversation.accepted',
  'conversation.abandoned',
  'conversation.bot-contained',
  'conversation.transferred',
];
const PREFIX = {
  day: ['type', 'day'],
  channel: ['type', 'day', 'channel'],
  queue: ['type', 'day', 'channel', 'queue'],
} as const;

/** The only counted events with an agent; the recorder writes the others without one (before or without an agent). */
const WITH_AGENT: InsightEventType[] = ['conversation.accepted', 'conversation.transferred'];

export class InsightsRepository {
  private readonly insert: SQLite.Statement;
  private readonly ofConversation: SQLite.Statement;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly db: Kysely<Database>,
    private readonly commits: Pick<GroupCommit, 'run'> | null,
  ) {
    this.insert = sqlite.prepare(
      `INSERT INTO insight_events (type, conversation_id, at, day, channel, queue, agent_id, value, value2, data, synthetic)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.ofConversation = sqlite.prepare('SELECT seq, type, at, channel, queue, agent_id, value FROM insight_events WHERE conversation_id = ? ORDER BY seq');
  }

  private params(e: InsightEvent): unknown[] {
    return [e.type, e.conversationId, e.at, e.day, e.channel, e.queue, e.agentId, e.value, e.value2 ?? null, e.data ? JSON.stringify(e.data) : null, e.synthetic ? 1 : 0];
  }

  /** Appends in the current turn's group commit (or at once without one); resolves once durable. */
  append(event: InsightEvent): Promise<void> {
    const write = () => void this.insert.run(...this.params(event));
    if (this.commits) return this.commits.run(write);
    write();
    return Promise.resolve();
  }

  /** Many events in one transaction (seeding, benchmarks). */
  appendMany(events: Iterable<InsightEvent>): number {
    let n = 0;
    this.sqlite.transaction(() => {
      for (const e of events) {
        this.insert.run(...this.params(e));
        n++;
      }
    })();
    return n;
  }

  /** A conversation's events in order. */
  eventsOf(conversationId: string): StoredEvent[] {
    return this.ofConversation.all(conversationId) as StoredEvent[];
  }

  async isEmpty(): Promise<boolean> {
    const row = await this.db.selectFrom('insight_events').select('seq').limit(1).executeTakeFirst();
    return row === undefined;
  }

  private scoped(types: readonly InsightEventType[], filter: ReportFilter) {
    let query = this.db
      .selectFrom('insight_events')
      .where('type', 'in', [...types])
      .where('day', '>=', filter.from)
      .where('day', '<=', filter.to);
    if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
    if (filter.queue !== undefined) query = query.where('queue', '=', filter.queue);
    if (filter.channel !== undefined) query = query.where('channel', '=', filter.channel);
    return query;
  }

  /** Everything `buildReport` needs for one report, grouped by `groupBy`. */
  async reportInputs(filter: ReportFilter, groupBy: InsightGroupBy) {
    // The bare column (null for events without one), so SQLite groups in index order; null becomes NO_KEY below.
    const key = sql<string | null>`${sql.ref(GROUP_COLUMN[groupBy])}`.as('key');
    const keyOf = (k: string | null) => k ?? NO_KEY;
    // Every value of a group in one string (SQLite's group_concat; string_agg on PostgreSQL): one row
    // per group instead of one per event is what keeps a 30-day report of 100,000 chats fast.
    const durationsOf = (type: DurationGroup['type']) =>
      this.scoped([type], filter)
        .where('value', 'is not', null)
        .select([key, sql<string>`group_concat(value)`.as('vals')])
        .groupBy('key')
        .execute()
        .then((rows) => rows.map((r): DurationGroup => ({ type, key: keyOf(r.key), values: parseValues(r.vals) })));
    const [counts, waits, firstResponses, handles, surveys, sentiment, assist, synthetic] = await Promise.all([
      this.counts(filter, groupBy),
      durationsOf('conversation.accepted'),
      durationsOf('conversation.first-response'),
      durationsOf('conversation.closed'),
      this.scoped(['survey.answered'], filter)
        .select([
          key,
          (eb) => eb.fn.count<number>('value').as('csatAnswers'),
          sql<number>`sum(case when value >= 4 then 1 else 0 end)`.as('csatSatisfied'),
          (eb) => eb.fn.count<number>('value2').as('npsAnswers'),
          sql<number>`sum(case when value2 >= 9 then 1 else 0 end)`.as('promoters'),
          sql<number>`sum(case when value2 <= 6 then 1 else 0 end)`.as('detractors'),
        ])
        .groupBy('key')
        .execute(),
      this.sentiment(filter, groupBy),
      this.scoped(['assist.rated'], filter)
        .select([key, (eb) => eb.fn.countAll<number>().as('rated'), sql<number>`sum(case when value > 0 then 1 else 0 end)`.as('accepted')])
        .groupBy('key')
        .execute(),
      this.scoped(['conversation.started'], filter).select('seq').where('synthetic', '=', 1).limit(1).executeTakeFirst(),
    ]);
    return {
      counts,
      durations: [...waits, ...firstResponses, ...handles],
      surveys: surveys.map((r) => ({ key: keyOf(r.key), csatAnswers: Number(r.csatAnswers), csatSatisfied: Number(r.csatSatisfied ?? 0), npsAnswers: Number(r.npsAnswers), promoters: Number(r.promoters ?? 0), detractors: Number(r.detractors ?? 0) })) as SurveyRow[],
      sentiment,
      assist: assist.map((r) => ({ key: keyOf(r.key), rated: Number(r.rated), accepted: Number(r.accepted ?? 0) })) as AssistRow[],
      includesSynthetic: synthetic !== undefined,
    };
  }

  /**
   * Sentiment scorings per group: the many scorings without the group's column (the bot's chats have
   * no queue or agent) are summed whole rather than sorted into groups.
   */
  private async sentiment(filter: ReportFilter, groupBy: InsightGroupBy): Promise<SentimentRow[]> {
    const column = GROUP_COLUMN[groupBy];
    const base = () => this.scoped(['sentiment.scored'], filter).where('value', 'is not', null);
    const figures = [(eb: ExpressionBuilder<Database, 'insight_events'>) => eb.fn.countAll<number>().as('scores'), (eb: ExpressionBuilder<Database, 'insight_events'>) => eb.fn.sum<number>('value').as('total')] as const;
    const toRow = (key: string | null, r: { scores: number | string | bigint; total: number | string | bigint | null }): SentimentRow => ({ key: key ?? NO_KEY, scores: Number(r.scores), total: Number(r.total ?? 0) });
    if (column === 'day') {
      const rows = await base().select(['day', ...figures]).groupBy('day').execute();
      return rows.map((r) => toRow(r.day, r));
    }
    const [grouped, without] = await Promise.all([
      base().where(column, 'is not', null).select([sql.ref<string>(column).as('key'), ...figures]).groupBy(column).execute(),
      base().where(column, 'is', null).select([...figures]).executeTakeFirst(),
    ]);
    const rows = grouped.map((r) => toRow(r.key, r));
    if (without && Number(without.scores) > 0) rows.push(toRow(null, without));
    return rows;
  }

  /**
   * Events per type and group. Grouped by the index's own prefix (type, day, channel, queue), so
   * SQLite counts in index order without sorting, and summed per key here; by agent, only the two
   * event types that carry one are grouped, the others counted whole (they never have an agent).
   */
  private async counts(filter: ReportFilter, groupBy: InsightGroupBy): Promise<CountRow[]> {
    const sums = new Map<string, CountRow>();
    const add = (type: string, key: string | null, n: number) => {
      const id = `${type}\u0000${key ?? NO_KEY}`;
      const row = sums.get(id);
      if (row) row.n += n;
      else sums.set(id, { type: type as InsightEventType, key: key ?? NO_KEY, n });
    };
    if (groupBy === 'agent') {
      const [byAgent, whole] = await Promise.all([
        this.scoped(WITH_AGENT, filter).select(['type', 'agent_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['type', 'agent_id']).execute(),
        this.scoped(COUNTED.filter((t) => !WITH_AGENT.includes(t)), filter).select(['type', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('type').execute(),
      ]);
      for (const r of byAgent) add(r.type, r.agent_id, Number(r.n));
      for (const r of whole) add(r.type, null, Number(r.n));
    } else {
      // The shortest prefix of the index that holds the group's column.
      const prefix = PREFIX[groupBy];
      const rows = await this.scoped(COUNTED, filter)
        .select([...prefix, (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy([...prefix])
        .execute();
      const column = GROUP_COLUMN[groupBy] as 'day' | 'channel' | 'queue';
      for (const r of rows as unknown as (Record<'type' | 'day' | 'channel' | 'queue', string | null> & { n: number })[]) add(r.type!, r[column], Number(r.n));
    }
    return [...sums.values()];
  }

  /** The baseline of the benchmark: a plain count over the same range. */
  async countInRange(from: string, to: string): Promise<number> {
    const row = await this.db
      .selectFrom('insight_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('type', '=', 'conversation.started')
      .where('day', '>=', from)
      .where('day', '<=', to)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
