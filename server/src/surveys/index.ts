/**
 * The surveys domain's public door: follow-up surveys after a chat with an agent. REST (the survey
 * by its link's token, answers by link, results for supervisors), `survey:submit` and
 * `survey:pending` on `/patient`, `survey:offer` pushed to the patient's chat, and the listener that
 * offers a survey when a chat ends.
 */
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { surveyPendingSchema, surveySubmitSchema, type SurveyDefinition } from '../contracts/surveys.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Database } from '../platform/db/schema.js';
import { listen, type EventPublisher } from '../platform/events.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { Logger } from '../platform/logging.js';
import type { DomainModule } from '../platform/module.js';
import { onEvent } from '../platform/realtime/binder.js';
import type { RealtimeHub } from '../platform/realtime/hub.js';
import { conversationRoom, type ConversationsApi } from '../conversations/index.js';
import type { SystemFhir } from '../fhir/index.js';
import { registerSurveyRoutes } from './routes.js';
import { SurveyService } from './service.js';

export { SurveyService, hashSurveyToken } from './service.js';
export { surveyDefinitionFor } from './config.js';
export { DEFAULT_SURVEY } from './definition.js';

export interface SurveysModuleDeps {
  sqlite: SQLite.Database;
  db: Kysely<Database>;
  conversations: ConversationsApi;
  fhir: Pick<SystemFhir, 'exists' | 'write'>;
  audit: AuditLog;
  events: EventPublisher;
  hub: RealtimeHub;
  openapi: OpenApiRegistry;
  logger: Logger;
  definition: SurveyDefinition;
  /** Base of the survey link, e.g. `https://clinic.example` (PUBLIC_URL). */
  publicUrl: string;
}

export type SurveysModule = DomainModule & { api: SurveyService };

export function createSurveysModule(deps: SurveysModuleDeps): SurveysModule {
  const surveys = new SurveyService({
    ...deps,
    conversations: deps.conversations.core,
    mayReadConversation: (actor, conversationId) => deps.conversations.history.canRead(actor, conversationId),
  });
  return {
    name: 'surveys',
    api: surveys,
    routes: (api) => registerSurveyRoutes(api, { openapi: deps.openapi, surveys }),
    sockets: [
      {
        namespace: 'patient',
        group: {
          rateLimit: { limit: 10, windowMs: 60_000, message: 'Too many survey requests: wait {s} s.' },
          events: {
            'survey:submit': onEvent(
              surveySubmitSchema,
              (socket, p) => {
                // `/patient` admits only patients and visitors.
                const { actor } = socket.data;
                return { ok: true, ...surveys.submit(p.token, p.answers, { via: 'chat', userId: actor.userId, role: actor.kind as 'patient' | 'visitor' }) };
              },
              { internalMessage: 'The server could not store your answers.' },
            ),
            'survey:pending': onEvent(
              surveyPendingSchema,
              (socket, p) => ({ ok: true, offer: surveys.pendingFor(socket.data.actor.userId, p.conversationId) }),
              { internalMessage: 'The server could not look up the survey.' },
            ),
          },
        },
      },
    ],
    listeners: [
      surveys.listener(),
      listen('survey.offered', 'surveys.realtime', (offer) => deps.hub.emit('patient', conversationRoom(offer.conversationId), 'survey:offer', offer)),
    ],
  };
}
