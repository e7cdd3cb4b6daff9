/**
 * The insights domain's public door: the stored event log (bus listeners and `record` for later
 * parts such as sentiment and smart assist), historical reports over it (JSON and CSV) and the live
 * supervisor picture, for supervisors and admins. See README.md for the metric definitions.
 */
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { SupervisorSnapshot } from '../contracts/supervision.js';
import type { InsightEventType } from '../contracts/insights.js';
import type { ConversationsApi } from '../conversations/index.js';
import type { Database, GroupCommit } from '../platform/db/index.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { Logger } from '../platform/logging.js';
import type { DomainModule } from '../platform/module.js';
import { clinicDays } from './days.js';
import { InsightsRecorder, type RecordData } from './recorder.js';
import { InsightsRepository } from './repository.js';
import { registerInsightsRoutes } from './routes.js';
import { generateHistory, type SeedAgent } from './seed.js';
import { InsightsService } from './service.js';

export { InsightsRepository, type InsightEvent } from './repository.js';
export { InsightsService, reportCsv } from './service.js';
export { generateHistory, type SeedAgent } from './seed.js';
export { clinicDays, addDays } from './days.js';
export type { RecordData } from './recorder.js';

export interface InsightsModuleDeps {
  sqlite: SQLite.Database;
  db: Kysely<Database>;
  /** The turn's group commit: appends from listeners never fsync on their own. */
  commits: Pick<GroupCommit, 'run'>;
  conversations: Pick<ConversationsApi['core'], 'get'>;
  /** Supervision's live snapshot (queues, agents, open conversations). */
  snapshot: () => SupervisorSnapshot;
  displayNameOf: (userId: string) => string | undefined;
  queueName: (queueId: string) => string | undefined;
  timeZone: string;
  openapi: OpenApiRegistry;
  logger: Logger;
  now?: () => Date;
}

export interface InsightsApi {
  /** Appends an event of a conversation to the log, its channel, queue and agent filled in. */
  record(type: InsightEventType, conversationId: string, at: string, data?: RecordData): void;
  service: InsightsService;
  repository: InsightsRepository;
  /**
   * Demo mode on an empty event log: `days` of synthetic history up to now (deterministic with
   * `seed`), marked synthetic. Returns the number of events written (0 when the log had any).
   */
  seedDemoHistory(options: { seed: number; agents: readonly SeedAgent[]; days?: number; perWeekday?: number }): Promise<number>;
}

export type InsightsModule = DomainModule & { api: InsightsApi };

export function createInsightsModule(deps: InsightsModuleDeps): InsightsModule {
  const dayOf = clinicDays(deps.timeZone);
  const repository = new InsightsRepository(deps.sqlite, deps.db, deps.commits);
  const recorder = new InsightsRecorder({ repo: repository, conversations: deps.conversations, dayOf, logger: deps.logger });
  const service = new InsightsService({
    repo: repository,
    dayOf,
    timeZone: deps.timeZone,
    snapshot: deps.snapshot,
    scaleOf: (conversationId) => recorder.scaleOf(conversationId),
    displayNameOf: deps.displayNameOf,
    queueName: deps.queueName,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const api: InsightsApi = {
    record: (type, conversationId, at, data) => recorder.record(type, conversationId, at, data),
    service,
    repository,
    async seedDemoHistory({ seed, agents, days = 90, perWeekday = 140 }) {
      if (!(await repository.isEmpty())) return 0;
      const end = deps.now?.() ?? new Date();
      return repository.appendMany(generateHistory({ seed, days, perWeekday, end, agents, timeZone: deps.timeZone, dayOf }));
    },
  };
  return {
    name: 'insights',
    api,
    routes: (router) => registerInsightsRoutes(router, { openapi: deps.openapi, insights: service }),
    listeners: recorder.listeners(),
  };
}
