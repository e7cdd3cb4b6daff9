/**
 * The sentiment domain's public door. `createSentimentModule` scores every patient message with the
 * local lexicon model as it is delivered (`conversation.message` listener), keeps each
 * conversation's 7-point value over its last 6 patient messages, alerts once per crossing of
 * `SENTIMENT_ALERT_SCALE`, pushes `conversation:sentiment` / `supervisor:sentiment` (and the
 * alerts) to staff, serves `GET /api/conversations/:id/sentiment` and `POST /api/sentiment`, and —
 * when `AZURE_LANGUAGE_ENDPOINT` and `AZURE_LANGUAGE_KEY` are set — rescoring by Azure AI Language
 * on the job worker. See README.md.
 */
import type SQLite from 'better-sqlite3';
import type { ConversationsApi } from '../conversations/index.js';
import type { AuditBatch } from '../platform/audit/batch.js';
import type { Config } from '../platform/config.js';
import type { GroupCommit } from '../platform/db/index.js';
import { listen, type EventPublisher } from '../platform/events.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { JobQueue } from '../platform/jobs/index.js';
import type { Logger } from '../platform/logging.js';
import type { DomainModule } from '../platform/module.js';
import type { RealtimeHub } from '../platform/realtime/hub.js';
import { createAzureProvider } from './azure.js';
import { AZURE_JOB, azureSentimentJob } from './jobs.js';
import { createLocalModel, type LocalModel } from './model.js';
import { createLocalProvider } from './provider.js';
import { sentimentEmits } from './realtime.js';
import { SentimentRepository } from './repository.js';
import { registerLiveSentimentRoute } from './live.js';
import { registerSentimentRoutes } from './routes.js';
import { SentimentService } from './service.js';
import './events.js';

export { createLocalModel, loadLexicon, scaleOf, labelOfScale, DEFAULT_THRESHOLDS, type LocalModel, type ScaleThresholds } from './model.js';
export { createLocalProvider, type LocalSentimentProvider, type ScoredText, type SentimentProvider } from './provider.js';
export { createAzureProvider } from './azure.js';
export { conversationValue, nextAlertState, CONVERSATION_WINDOW } from './conversation.js';
export type { SentimentService } from './service.js';

export interface SentimentModuleDeps {
  sqlite: SQLite.Database;
  commits: Pick<GroupCommit, 'run'>;
  events: EventPublisher;
  hub: Pick<RealtimeHub, 'emit'>;
  openapi: OpenApiRegistry;
  auditBatch: Pick<AuditBatch, 'record'>;
  logger: Logger;
  jobs: Pick<JobQueue, 'enqueue'>;
  conversations: Pick<ConversationsApi, 'core' | 'history'>;
  config: Pick<Config, 'SENTIMENT_ENABLED' | 'SENTIMENT_ALERT_SCALE' | 'AZURE_LANGUAGE_ENDPOINT' | 'AZURE_LANGUAGE_KEY' | 'SENTIMENT_AZURE_TIMEOUT_MS'>;
  /** The local model (tests may pass one with other thresholds). */
  model?: LocalModel;
}

export type SentimentModule = DomainModule & { api: SentimentService };

const PAGE = 500;

export function createSentimentModule(deps: SentimentModuleDeps): SentimentModule {
  const { config, conversations } = deps;
  const model = deps.model ?? createLocalModel();
  const local = createLocalProvider(model);
  const repo = new SentimentRepository(deps.sqlite);
  const azureConfigured = config.AZURE_LANGUAGE_ENDPOINT !== undefined && config.AZURE_LANGUAGE_KEY !== undefined;

  const patientMessageBodies = (conversationId: string): Map<string, string> => {
    const bodies = new Map<string, string>();
    for (let after = 0; ; ) {
      const batch = conversations.core.repo.messagesAfter(conversationId, after, PAGE, { includeNotes: false });
      for (const m of batch) if (m.sender_kind === 'patient' || m.sender_kind === 'visitor') bodies.set(m.id, m.body);
      if (batch.length < PAGE) break;
      after = batch.at(-1)!.seq;
    }
    return bodies;
  };

  const service = new SentimentService({
    repo,
    local,
    commits: deps.commits,
    events: deps.events,
    logger: deps.logger,
    alertScale: config.SENTIMENT_ALERT_SCALE,
    ...(azureConfigured
      ? {
          requestAzure: (conversationId: string, messageId: string) => {
            deps.jobs
              .enqueue(AZURE_JOB, { conversationId }, { idempotencyKey: `sentiment:azure:${messageId}` })
              .catch((err: unknown) => deps.logger.error({ err, conversationId, messageId }, 'sentiment: the Azure job could not be queued'));
          },
        }
      : {}),
  });

  const jobs = azureConfigured
    ? [
        azureSentimentJob({
          provider: createAzureProvider({ endpoint: config.AZURE_LANGUAGE_ENDPOINT!, key: config.AZURE_LANGUAGE_KEY!, timeoutMs: config.SENTIMENT_AZURE_TIMEOUT_MS, local: model, logger: deps.logger }),
          repo,
          service,
          patientMessageBodies,
        }),
      ]
    : [];

  return {
    name: 'sentiment',
    api: service,
    routes: (api) => {
      registerLiveSentimentRoute(api, { openapi: deps.openapi, service, openConversationIds: () => conversations.core.openConversations().map((c) => c.view.id) });
      registerSentimentRoutes(api, {
        openapi: deps.openapi,
        service,
        auditBatch: deps.auditBatch,
        conversations: {
          find: (conversationId) => {
            const row = conversations.core.get(conversationId);
            return row ? { patientId: row.patient_id } : undefined;
          },
          mayRead: (actor, conversationId) => conversations.history.canRead(actor, conversationId),
          patientMessageBodies,
        },
      });
    },
    // SENTIMENT_ENABLED=0: nothing is scored live (batch scoring and stored trends still answer).
    listeners: config.SENTIMENT_ENABLED
      ? [
          // Beside delivery: synchronous and a few microseconds; the store joins the next group commit.
          listen('conversation.message', 'sentiment.score', ({ message }) => service.onMessage(message)),
          listen('conversation.updated', 'sentiment.forget', ({ conversation }) => {
            if (conversation.state === 'closed') service.forget(conversation.id);
          }),
          ...sentimentEmits(deps.hub),
        ]
      : [],
    jobs: config.SENTIMENT_ENABLED ? jobs : [],
    // Before the composition root's last group commit: the pending batch of scores is stored.
    close: () => service.flush(),
  };
}
