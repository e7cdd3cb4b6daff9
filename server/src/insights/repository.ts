/**
 * SQL on `insight_events` (migration 025), the append-only event log. Appends come from bus
 * listeners on the chat path, so they are synchronous prepared statements that join the event-loop
 * turn's group commit (no fsync of their own); the one read on that path (a conversation's own
 * events, to pick up where a restarted server left off) is a prepared statement on the
 * conversation index. The report queries are Kysely, in SQL PostgreSQL runs unchanged.
 */
import type SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
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
/**
 * What the report queries group by: the index's columns after `type` up to the group's column, so
 * SQLite aggregates in index order. Not for agents: that prefix has a group per day, channel, queue
 * and agent (tens of thousands), and sorting by agent alone is cheaper.
 */
const PREFIX = {
  day: ['day'],
  channel: ['day', 'channel'],
  queue: ['day', 'channel', 'queue'],
  agent: ['agent_id'],
} as const satisfies Record<InsightGroupBy, readonly string[]>;

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

  /**
   * Everything `buildReport` needs for one report, grouped by `groupBy`. The queries group by
   * `PREFIX` — by day, channel or queue the covering index's own prefix (day), (day, channel),
   * (day, channel, queue) after the type, so SQLite aggregates in index order without sorting;
   * rows of the same key are added up by `buildReport`. A group's durations come
   * back as one string (SQLite's group_concat; string_agg on PostgreSQL) rather than one row per
   * event: that is what keeps a 30-day report of 100,000 chats fast.
   */
  async reportInputs(filter: ReportFilter, groupBy: InsightGroupBy) {
    const prefix = PREFIX[groupBy];
    const column = GROUP_COLUMN[groupBy];
    type PrefixRow = Partial<Record<'day' | 'channel' | 'queue' | 'agent_id', string | null>>;
    const keyOf = (row: PrefixRow) => row[column] ?? NO_KEY;
    const durationsOf = (type: DurationGroup['type']) =>
      this.scoped([type], filter)
        .where('value', 'is not', null)
        .select([...prefix, sql<string>`group_concat(value)`.as('vals')])
        .groupBy([...prefix])
        .execute()
        .then((rows) => rows.map((r): DurationGroup => ({ type, key: keyOf(r as PrefixRow), values: parseValues(r.vals) })));
    const [counts, waits, firstResponses, handles, surveys, sentiment, assist, synthetic] = await Promise.all([
      this.counts(filter, groupBy),
      durationsOf('conversation.accepted'),
      durationsOf('conversation.first-response'),
      durationsOf('conversation.closed'),
      this.scoped(['survey.answered'], filter)
        .select([
          ...prefix,
          (eb) => eb.fn.count<number>('value').as('csatAnswers'),
          sql<number>`sum(case when value >= 4 then 1 else 0 end)`.as('csatSatisfied'),
          (eb) => eb.fn.count<number>('value2').as('npsAnswers'),
          sql<number>`sum(case when value2 >= 9 then 1 else 0 end)`.as('promoters'),
          sql<number>`sum(case when value2 <= 6 then 1 else 0 end)`.as('detractors'),
        ])
        .groupBy([...prefix])
        .execute(),
      this.scoped(['sentiment.scored'], filter)
        .where('value', 'is not', null)
        .select([...prefix, (eb) => eb.fn.countAll<number>().as('scores'), (eb) => eb.fn.sum<number>('value').as('total')])
        .groupBy([...prefix])
        .execute(),
      this.scoped(['assist.rated'], filter)
        .select([...prefix, (eb) => eb.fn.countAll<number>().as('rated'), sql<number>`sum(case when value > 0 then 1 else 0 end)`.as('accepted')])
        .groupBy([...prefix])
        .execute(),
      this.scoped(['conversation.started'], filter).select('seq').where('synthetic', '=', 1).limit(1).executeTakeFirst(),
    ]);
    return {
      counts,
      durations: [...waits, ...firstResponses, ...handles],
      surveys: surveys.map(
        (r): SurveyRow => ({
          key: keyOf(r as PrefixRow),
          csatAnswers: Number(r.csatAnswers),
          csatSatisfied: Number(r.csatSatisfied ?? 0),
          npsAnswers: Number(r.npsAnswers),
          promoters: Number(r.promoters ?? 0),
          detractors: Number(r.detractors ?? 0),
        }),
      ),
      sentiment: sentiment.map((r): SentimentRow => ({ key: keyOf(r as PrefixRow), scores: Number(r.scores), total: Number(r.total ?? 0) })),
      assist: assist.map((r): AssistRow => ({ key: keyOf(r as PrefixRow), rated: Number(r.rated), accepted: Number(r.accepted ?? 0) })),
      includesSynthetic: synthetic !== undefined,
    };
  }

  /**
   * Events per type and group, on the index prefix like the rest; by agent, the event types that
   * never carry one (starts, hand-offs, the bot's and abandoned chats) are counted whole.
   */
  private async counts(filter: ReportFilter, groupBy: InsightGroupBy): Promise<CountRow[]> {
    const prefix = PREFIX[groupBy];
    const column = GROUP_COLUMN[groupBy];
    const grouped = groupBy === 'agent' ? WITH_AGENT : COUNTED;
    const [rows, whole] = await Promise.all([
      this.scoped(grouped, filter)
        .select(['type', ...prefix, (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(['type', ...prefix])
        .execute(),
      groupBy === 'agent'
        ? this.scoped(COUNTED.filter((t) => !WITH_AGENT.includes(t)), filter).select(['type', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('type').execute()
        : Promise.resolve([]),
    ]);
    return [
      ...rows.map((r): CountRow => ({ type: r.type as InsightEventType, key: (r as unknown as Partial<Record<string, string | null>>)[column] ?? NO_KEY, n: Number(r.n) })),
      ...whole.map((r): CountRow => ({ type: r.type as InsightEventType, key: NO_KEY, n: Number(r.n) })),
    ];
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
