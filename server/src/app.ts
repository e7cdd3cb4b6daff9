/**
 * The Express application, assembled from its dependencies without listening, so tests run it on an
 * ephemeral port and main.ts on the configured one.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { loadJsonConfigFile, type Config } from './platform/config.js';
import type { Logger } from './platform/logging.js';
import type { DatabaseHandle } from './platform/db/index.js';
import { AuditLog } from './platform/audit/audit.js';
import { OpenApiRegistry } from './platform/http/openapi.js';
import { apiNotFound, jsonErrorHandler } from './platform/http/middleware.js';
import { requestLogger } from './platform/http/request-log.js';
import { allowedOrigins, cors } from './platform/http/cors.js';
import { ResourceStore } from './fhir/store.js';
import { registerHealthRoutes } from './health/routes.js';
import { registerAccountRoutes } from './accounts/routes.js';
import { registerAuditRoutes } from './platform/audit/routes.js';
import { createFhirErrorHandler, createFhirRouter } from './fhir/routes.js';
import { TokenService, signingKeyFor } from './platform/auth/tokens.js';
import { authenticate } from './platform/auth/middleware.js';
import { PresenceService } from './presence/service.js';
import { registerPresenceRoutes } from './presence/routes.js';
import { registerDeskRoutes } from './desk/routes.js';
import { registerPortalRoutes } from './portal/routes.js';
import { WIDGET_API_PATHS, redactTokenPath, widgetCors, widgetOriginPolicy } from './portal/cors.js';
import { ConversationService } from './conversations/service.js';
import { GreetingMenuBot } from './conversations/bot.js';
import { VisitorTokens } from './conversations/visitor-tokens.js';
import { registerConversationRoutes } from './conversations/routes.js';
import { RoutingEngine } from './routing/engine.js';
import { createSystemScheduler, systemClock } from './routing/clock.js';
import { DEFAULT_ROUTING_CONFIG_INPUT } from './routing/queues.js';
import { routingConfigSchema, type RoutingConfigInput } from './contracts/routing.js';
import { AssignmentService } from './assignment/service.js';
import { loadConversationSettings } from './conversations/settings.js';
import { AgentProfiles as StoredAgentProfiles } from './accounts/routing-profiles.js';
import { SurveyService } from './surveys/service.js';
import { surveyDefinitionFor } from './surveys/config.js';
import { registerSurveyRoutes } from './surveys/routes.js';
import { createConversationFileRouter } from './attachments/routes.js';

export const VERSION = '0.1.0';

export interface AppDeps {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
}

/** What route modules receive: the dependencies and the shared services built from them. */
export interface AppContext extends AppDeps {
  store: ResourceStore;
  audit: AuditLog;
  openapi: OpenApiRegistry;
  tokens: TokenService;
  presence: PresenceService;
  conversations: ConversationService;
  /** Who gets which conversation (in memory; rebuilt from the waiting conversations at start). */
  routing: RoutingEngine;
  /** Connects conversations, presence and routing; the realtime layer listens to its events. */
  assignment: AssignmentService;
  visitorTokens: VisitorTokens;
  /** Agents' routing skills and capacity (stored per account; defaults when none). */
  agentProfiles: StoredAgentProfiles;
  /** Follow-up surveys after a chat with an agent. */
  surveys: SurveyService;
  startedAt: number;
}

export function createContext(deps: AppDeps): AppContext {
  const signingKey = signingKeyFor(deps.database.sqlite, deps.config.JWT_SECRET);
  const audit = new AuditLog(deps.database.sqlite, { checkpointSecret: deps.config.JWT_SECRET });
  const presence = new PresenceService({ disconnectGraceMs: deps.config.PRESENCE_GRACE_MS });
  const storedAgentProfiles = new StoredAgentProfiles({
    sqlite: deps.database.sqlite,
    audit,
    onListenerError: (err) => deps.logger.error({ err }, 'routing profile listener failed'),
  });
  const conversationSettings = loadConversationSettings(deps.config.CONVERSATIONS_CONFIG);
  const conversations = new ConversationService({ sqlite: deps.database.sqlite, audit, logger: deps.logger, bot: new GreetingMenuBot(), settings: conversationSettings });
  const routing = new RoutingEngine({ config: routingConfigFor(deps.config), clock: systemClock, scheduler: createSystemScheduler() });
  // Agents' skills and capacity as stored per account; an admin's edit reaches a signed-in agent at once.
  const assignment = new AssignmentService({ engine: routing, conversations, presence, profiles: storedAgentProfiles, sqlite: deps.database.sqlite, logger: deps.logger });
  // Routing state is in memory: agents get back the load of the chats they still have, then waiting chats queue again.
  const owned = assignment.restoreLoad({ reclaimAfterMs: deps.config.PRESENCE_GRACE_MS });
  const restored = assignment.restore();
  if (restored + owned > 0) deps.logger.info({ restored, owned }, 'routing rebuilt from the conversations table');
  const store = new ResourceStore(deps.database.sqlite);
  const surveys = new SurveyService({
    sqlite: deps.database.sqlite,
    db: deps.database.db,
    conversations,
    store,
    audit,
    logger: deps.logger,
    definition: surveyDefinitionFor(deps.config),
    publicUrl: deps.config.PUBLIC_URL ?? `http://localhost:${deps.config.PORT}`,
  });
  return {
    ...deps,
    store,
    audit,
    openapi: new OpenApiRegistry(),
    tokens: new TokenService(signingKey, deps.config.ACCESS_TOKEN_TTL_SECONDS),
    presence,
    conversations,
    routing,
    assignment,
    visitorTokens: new VisitorTokens(signingKey),
    agentProfiles: storedAgentProfiles,
    surveys,
    startedAt: Date.now(),
  };
}

/**
 * The queues from `ROUTING_CONFIG` (a JSON file; a bad one stops the server naming the variable) or the
 * defaults, with the offer timeout and business hours the environment may override.
 */
export function routingConfigFor(config: Config): RoutingConfigInput {
  const base: RoutingConfigInput =
    config.ROUTING_CONFIG === undefined ? DEFAULT_ROUTING_CONFIG_INPUT : loadJsonConfigFile('ROUTING_CONFIG', config.ROUTING_CONFIG, routingConfigSchema);
  return {
    ...base,
    ...(config.ROUTING_OFFER_TIMEOUT_MS !== undefined ? { offerTimeoutMs: config.ROUTING_OFFER_TIMEOUT_MS } : {}),
    ...(config.ROUTING_ALWAYS_OPEN ? { queues: base.queues.map((q) => ({ ...q, businessHours: null })) } : {}),
  };
}

/** Stops the context's timers and listeners (server shutdown); the caller closes the database. */
export function closeContext(context: AppContext): void {
  context.surveys.close();
  context.assignment.close();
  context.routing.close();
  context.presence.close();
}

export function createApp(deps: AppDeps, context: AppContext = createContext(deps)): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'extended');

  // Survey links carry their token in the path: those requests are not logged at all.
  app.use(requestLogger(logger, { ignore: (path) => path === '/api/health', redact: redactTokenPath }));
  // The chat widget on clinic websites (WIDGET_ORIGINS) calls a few visitor endpoints cross-origin.
  app.use(WIDGET_API_PATHS, widgetCors(widgetOriginPolicy(config)));
  app.use(['/api', '/fhir/R4'], cors(allowedOrigins(config.CORS_ORIGINS)));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], objectSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  // Chat files and transcripts, before the JSON parser (uploads are raw bodies, read only once checked) and the
  // access-token middleware (visitors hold visitor tokens): these routes authenticate by themselves.
  app.use('/api', createConversationFileRouter(context));
  app.use(express.json({ limit: config.MAX_BODY_BYTES, type: ['application/json', 'application/*+json'], strict: true }));

  app.use(authenticate(context.tokens));

  const api = express.Router();
  registerHealthRoutes(api, context);
  registerAccountRoutes(api, context);
  registerAuditRoutes(api, context);
  registerPresenceRoutes(api, context);
  registerConversationRoutes(api, context);
  registerSurveyRoutes(api, context);
  api.get('/openapi.json', (_req, res) => {
    res.json(context.openapi.document({ version: VERSION, ...(config.PUBLIC_URL ? { serverUrl: config.PUBLIC_URL } : {}) }));
  });
  api.use(apiNotFound);
  app.use('/api', api);
  // The error handler also catches what fails before the router (body parser, token check), so
  // FHIR clients always get an OperationOutcome.
  app.use('/fhir/R4', createFhirRouter(context), createFhirErrorHandler(context));

  registerDeskRoutes(app, context);
  registerPortalRoutes(app, context);

  app.get('/', (_req, res) => {
    res.json({ name: 'Carebridge', version: VERSION, api: '/api', fhir: '/fhir/R4', openapi: '/api/openapi.json', desk: '/desk/', portal: '/portal/' });
  });
  app.use(jsonErrorHandler(logger, config.MAX_BODY_BYTES));
  return app;
}
