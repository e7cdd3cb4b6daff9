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
import type { AssistRow, CountRow, DurationRow, SentimentRow, SurveyRow } from './metrics.js';

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
  /** Only events of these conversations (the live view's open ones). */
  conversationIds?: readonly string[];
}

/** The column a group-by reads; events without it group under `(none)`. */
const GROUP_COLUMN = { day: 'day', agent: 'agent_id', queue: 'queue', channel: 'channel' } as const satisfies Record<InsightGroupBy, string>;
export const NO_KEY = '(none)';

const COUNTED: InsightEventType[] = [
  'conversation.started',
  'conversation.handed-off',
  'conversation.accepted',
  'conversation.abandoned',
  'conversation.bot-contained',
  'conversation.transferred',
];
const DURATIONS: DurationRow['type'][] = ['conversation.accepted', 'conversation.first-response', 'conversation.closed'];

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
    if (filter.conversationIds !== undefined) query = query.where('conversation_id', 'in', filter.conversationIds.length > 0 ? [...filter.conversationIds] : ['']);
    return query;
  }

  /** Everything `buildReport` needs for one report, grouped by `groupBy`. */
  async reportInputs(filter: ReportFilter, groupBy: InsightGroupBy) {
    const key = sql<string>`coalesce(${sql.ref(GROUP_COLUMN[groupBy])}, ${NO_KEY})`.as('key');
    const [counts, durations, surveys, sentiment, assist, synthetic] = await Promise.all([
      this.scoped(COUNTED, filter).select(['type', key, (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['type', 'key']).execute(),
      this.scoped(DURATIONS, filter).where('value', 'is not', null).select(['type', key, 'value']).execute(),
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
      this.scoped(['sentiment.scored'], filter).where('value', 'is not', null).select([key, 'conversation_id', 'value', 'seq']).execute(),
      this.scoped(['assist.rated'], filter)
        .select([key, (eb) => eb.fn.countAll<number>().as('rated'), sql<number>`sum(case when value > 0 then 1 else 0 end)`.as('accepted')])
        .groupBy('key')
        .execute(),
      this.db
        .selectFrom('insight_events')
        .select('seq')
        .where('synthetic', '=', 1)
        .where('day', '>=', filter.from)
        .where('day', '<=', filter.to)
        .limit(1)
        .executeTakeFirst(),
    ]);
    return {
      counts: counts as CountRow[],
      durations: durations as DurationRow[],
      surveys: surveys.map((r) => ({ ...r, csatAnswers: Number(r.csatAnswers), csatSatisfied: Number(r.csatSatisfied ?? 0), npsAnswers: Number(r.npsAnswers), promoters: Number(r.promoters ?? 0), detractors: Number(r.detractors ?? 0) })) as SurveyRow[],
      sentiment: sentiment.map((r) => ({ key: r.key, conversationId: r.conversation_id, value: r.value!, seq: r.seq })) as SentimentRow[],
      assist: assist.map((r) => ({ key: r.key, rated: Number(r.rated), accepted: Number(r.accepted ?? 0) })) as AssistRow[],
      includesSynthetic: synthetic !== undefined,
    };
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
