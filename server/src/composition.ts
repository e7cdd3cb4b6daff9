/**
 * The composition root: builds every service once, in dependency order, hands each module only the
 * narrow interfaces it needs, and registers every module's listeners on the one event bus. app.ts
 * (REST), platform/realtime (sockets) and main.ts only loop over `modules`.
 *
 * Listener order is the order of `modules` below, and within a module the order of its list. The
 * bus dispatches run-to-completion (platform/events.ts), so what a listener publishes waits until
 * every listener of the current event has run: e.g. on `conversation.updated` the desks and the patient
 * hear of the closed chat (conversations), routing frees the agent (assignment), the supervisors'
 * snapshot is marked stale (supervision), and the survey is offered (surveys) — and the new offer
 * routing makes and the survey's chat line both follow, in that order.
 *
 * Adding a domain: write `server/src/<domain>/index.ts` with its factory, and add one line to
 * `modules` here (see docs/architecture.md, "Add a domain").
 */
import { AuditLog } from './platform/audit/audit.js';
import { AuditBatch, DisclosureLog } from './platform/audit/batch.js';
import { loadAuditKey } from './platform/audit/key.js';
import { registerAuditRoutes } from './platform/audit/routes.js';
import { accessSession, createActorResolver, type ActorResolver } from './platform/auth/actor.js';
import { SessionVersions } from './platform/auth/sessions.js';
import { TokenService, signingKeyFor } from './platform/auth/tokens.js';
import { VisitorTokens } from './platform/auth/visitor-tokens.js';
import type { Config } from './platform/config.js';
import { createGroupCommit, type DatabaseHandle } from './platform/db/index.js';
import { createEventBus, type EventBus } from './platform/events.js';
import { JobQueue, JobWorker } from './platform/jobs/index.js';
import { OpenApiRegistry } from './platform/http/openapi.js';
import type { Logger } from './platform/logging.js';
import type { DomainModule } from './platform/module.js';
import { createRealtimeHub, type BindableHub } from './platform/realtime/hub.js';
import type { RealtimeSetup } from './platform/realtime/index.js';
import { REALTIME_AUTH_ERRORS } from './contracts/realtime.js';
import { PATIENT_REALTIME_AUTH_ERRORS } from './contracts/conversations.js';
import { createFhirModule } from './fhir/index.js';
import { createAccountsModule } from './accounts/index.js';
import { createPresenceModule } from './presence/index.js';
import { createRoutingModule, routingConfigFor, type Clock, type Scheduler } from './routing/index.js';
import { routingConfigSchema, type RoutingConfigInput } from './contracts/routing.js';
import { createConversationsModule, loadConversationSettings } from './conversations/index.js';
import { createAssignmentModule } from './assignment/index.js';
import { createSupervisionModule } from './supervision/index.js';
import { createSentimentModule } from './sentiment/index.js';
import { createAttachmentsModule } from './attachments/index.js';
import { createSurveysModule, surveyDefinitionFor } from './surveys/index.js';
import { createHealthModule } from './health/index.js';
import { createDeskModule } from './desk/index.js';
import { createPortalModule, loadWidgetConfig, realtimeCorsOrigin } from './portal/index.js';
import { ClinicSettings, createClinicSettingsModule } from './clinic-settings/index.js';
import { routingFailure } from './routing/index.js';
import { createPatientsModule } from './patients/index.js';
import { createSchedulingModule } from './scheduling/index.js';
import { createAgentScriptsModule, DEFAULT_CLINIC_NAME } from './agent-scripts/index.js';
import { createKnowledgeModule } from './knowledge/index.js';
import { createTriageModule } from './triage/index.js';
import { ClinicConnection, createBotEngine, createBotModule, createLanguageModels } from './bot/index.js';
import { createAssistModule, resolvedOf } from './assist/index.js';
import { conversationRoom } from './conversations/index.js';
import { SUPERVISORS_ROOM } from './supervision/index.js';
import { createInsightsModule } from './insights/index.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
}

/** What tests (and benchmarks) may swap: routing's queues and clock. */
export interface CompositionOverrides {
  routing?: { config?: RoutingConfigInput; clock?: Clock; scheduler?: Scheduler };
  /** Scheduling's clock (hold expiry). */
  scheduling?: { now?: () => number };
}

export type Composition = ReturnType<typeof compose>;

export function compose(deps: AppDeps, overrides: CompositionOverrides = {}) {
  const { config, logger, database } = deps;
  const { sqlite, db } = database;
  const startedAt = Date.now();

  // Platform services every module may get a narrow part of.
  const bus: EventBus = createEventBus((err, event, listener) => logger.error({ err, event, listener }, 'event listener failed'));
  const hub: BindableHub = createRealtimeHub();
  const openapi = new OpenApiRegistry();
  // Throws (the server does not start) in production without AUDIT_KEY or AUDIT_KEY_FILE.
  const auditKey = loadAuditKey(config)!;
  if (auditKey.generated) logger.warn({ file: auditKey.file }, 'generated a development audit key file: set AUDIT_KEY or AUDIT_KEY_FILE in production');
  const audit = new AuditLog(sqlite, {
    key: auditKey.key,
    legacySecret: config.JWT_SECRET,
    onNotice: (level, message, details) => logger[level](details, message),
  });
  /** Group-committed audit rows, and the once-per-purpose record of chat content reaching staff. */
  // One transaction per event-loop turn for chat messages and audit rows, its WAL fsync off the loop.
  const commits = createGroupCommit(sqlite);
  const auditBatch = new AuditBatch(audit, commits, (err, entries) => logger.error({ err, entries }, 'audit rows could not be recorded'));
  const disclosures = new DisclosureLog(auditBatch);
  const signingKey = signingKeyFor(sqlite, config.JWT_SECRET);
  // Access tokens carry their account's session version; the accounts domain (built below) says what
  // is current, and its `accounts.session-revoked` event moves it on (see the accounts module).
  const sessions = new SessionVersions((userId) => accounts.api.sessionVersionOf(userId));
  const tokens = new TokenService(signingKey, config.ACCESS_TOKEN_TTL_SECONDS, sessions);
  const visitorTokens = new VisitorTokens(signingKey);
  const actors: ActorResolver = createActorResolver(tokens, visitorTokens);
  /** Durable work: modules that enqueue get `jobs`; the worker runs every module's job types. */
  const jobs = new JobQueue({ db });
  const worker = new JobWorker({ db, logger });

  // Domains, in dependency order.
  const fhir = createFhirModule({ sqlite, audit, auditBatch, commits, logger, openapi, config, tokens });
  const accounts = createAccountsModule({ database, config, tokens, sessions, audit, events: bus, hub, openapi, logger, fhir: fhir.api.system });
  const { directory, agentProfiles } = accounts.api;
  const presence = createPresenceModule({ disconnectGraceMs: config.PRESENCE_GRACE_MS, events: bus, hub, openapi, logger });
  // What the admin workspace saved is in force; the files (or built-in defaults) until it first does.
  const clinicSettings = new ClinicSettings({
    sqlite,
    audit,
    logger,
    defaults: {
      routing: routingConfigSchema.parse(overrides.routing?.config ?? routingConfigFor(config)),
      conversations: loadConversationSettings(config.CONVERSATIONS_CONFIG),
      survey: surveyDefinitionFor(config),
    },
    displayNameOf: (userId) => directory.displayNameOf(userId),
    events: bus,
  });
  const routing = createRoutingModule({ events: bus, logger, ...overrides.routing, config: clinicSettings.value('routing') });
  // The health bot: its participant owns every new conversation (the channel API is added below, once conversations exist).
  const language = createLanguageModels({ sqlite, openapi, audit, logger });
  // The clinic's own services for the built-in scenarios, acting as the signed-in patient (built below; called only during turns).
  const clinic = new ClinicConnection({
    knowledge: { search: (viewer, query) => knowledge.api.search(viewer, query) },
    scheduling: {
      options: () => scheduling.api.options(),
      availability: (holder, query) => scheduling.api.availability(holder, { ...query, limit: query.limit }),
      list: (actor, patientId) => scheduling.api.list(actor, patientId),
      book: (actor, input) => scheduling.api.book(actor, input),
      cancel: (actor, id, input) => scheduling.api.cancel(actor, id, input),
      reschedule: (actor, id, slotId) => scheduling.api.reschedule(actor, id, slotId),
    },
    fhir: fhir.api.system,
    forgetUser: (userKey) => botEngine.store.deleteUserVars(userKey),
    timeZone: config.CLINIC_TIME_ZONE,
    logger,
  });
  const botEngine = createBotEngine({
    db,
    sqlite,
    commits,
    audit,
    logger,
    publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
    connections: { ...config.BOT_DATA_CONNECTIONS, clinic },
    language,
    // The triage module is built below; the bot only calls it during turns, after composition.
    assessor: { assess: (input) => triage.api.assess(input) },
    scenariosDir: config.BOT_SCENARIOS_DIR === 'none' ? null : config.BOT_SCENARIOS_DIR,
  });
  const conversations = createConversationsModule({
    bot: botEngine.participant,
    sqlite,
    db,
    commits,
    audit,
    auditBatch,
    disclosures,
    logger,
    events: bus,
    hub,
    openapi,
    visitorTokens,
    directory,
    settings: clinicSettings.value('conversations'),
    queues: () => routing.api.config.queues.map((q) => ({ id: q.id, name: q.name, priority: q.priority })),
    queuesServedBy: (userId) => {
      const skills = new Set(agentProfiles.get(userId).skills);
      return routing.api.config.queues.filter((q) => q.skills.every((s) => skills.has(s))).map((q) => q.id);
    },
    // Required agent-script steps left refuse wrap-up and close (agentScripts is built below).
    closeGuards: [(conversationId) => agentScripts.api.assertMayClose(conversationId)],
  });
  const assignment = createAssignmentModule({
    engine: routing.api,
    conversations: conversations.api,
    presence: presence.api,
    profiles: agentProfiles,
    directory,
    events: bus,
    hub,
    openapi,
    logger,
    reclaimAfterMs: config.PRESENCE_GRACE_MS,
  });
  const supervision = createSupervisionModule({
    conversations: conversations.api,
    assignment: assignment.api,
    routing: routing.api,
    presence: presence.api,
    directory,
    audit,
    hub,
    logger,
  });
  const attachments = createAttachmentsModule({ sqlite, conversations: conversations.api.core, audit, openapi, actors });
  const surveys = createSurveysModule({
    sqlite,
    db,
    conversations: conversations.api,
    fhir: fhir.api.system,
    audit,
    events: bus,
    hub,
    openapi,
    logger,
    definition: clinicSettings.value('survey'),
    publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
  });
  clinicSettings.applyWith({
    routing: (value) => {
      const result = routing.api.reconfigure(value);
      if (!result.ok) throw routingFailure(result.error);
    },
    conversations: (value) => conversations.api.updateSettings(value),
    survey: (value) => surveys.api.updateDefinition(value),
  });
  const patients = createPatientsModule({
    sqlite,
    audit,
    openapi,
    fhir: fhir.api.service,
    readPatient: (id) => fhir.api.system.read('Patient', id),
    conversations: {
      patientOf: (conversationId) => {
        const row = conversations.api.core.get(conversationId);
        return row === undefined ? undefined : row.patient_id;
      },
      isStaffIn: (conversationId, userId) => {
        const row = conversations.api.core.get(conversationId);
        return row !== undefined && (row.agent_id === userId || conversations.api.core.repo.participants(conversationId).some((p) => p.user_id === userId && p.left_at === null));
      },
    },
    displayNameOf: (userId) => directory.displayNameOf(userId),
    previousConversations: (patientId, limit, except) => conversations.api.history.ofPatient(patientId, limit, except),
    dispositionLabel: (code) => conversations.api.settings.dispositions.find((d) => d.code === code)?.label,
  });
  const scheduling = createSchedulingModule({
    sqlite,
    fhir: fhir.api.system,
    audit,
    auditBatch,
    commits,
    openapi,
    conversations: { requireVerifiedPatient: (actor, conversationId, patientId) => patients.api.identities.requireVerifiedPatient(actor, conversationId, patientId) },
    holdMinutes: config.SCHEDULING_HOLD_MINUTES,
    timeZone: config.CLINIC_TIME_ZONE,
    ...overrides.scheduling,
  });
  const agentScripts = createAgentScriptsModule({
    sqlite,
    audit,
    logger,
    openapi,
    dir: config.AGENT_SCRIPTS_DIR,
    conversations: {
      view: (conversationId) => conversations.api.core.staffView(conversationId),
      isStaffIn: (conversationId, userId) => conversations.api.core.activeStaff(conversationId).some((p) => p.user_id === userId),
    },
    verifiedPatientOf: (conversationId) => patients.api.identities.verifiedPatientOf(conversationId),
    readPatient: (id) => fhir.api.system.read('Patient', id),
    displayNameOf: (userId) => directory.displayNameOf(userId),
    queues: () => routing.api.config.queues.map((q) => ({ id: q.id, name: q.name })),
    dispositions: () => conversations.api.settings.dispositions,
    clinicName: DEFAULT_CLINIC_NAME,
  });
  const knowledge = createKnowledgeModule({
    sqlite,
    audit,
    openapi,
    logger,
    contentDir: config.KNOWLEDGE_DIR === 'none' ? null : config.KNOWLEDGE_DIR,
    synonymsFile: config.MEDICAL_SYNONYMS_FILE === 'none' ? null : config.MEDICAL_SYNONYMS_FILE,
  });
  const triage = createTriageModule({ openapi });
  const bot = createBotModule(botEngine, {
    conversations: conversations.api,
    actors,
    visitorTokens,
    openapi,
    logger,
    startsPerMinute: config.BOT_STARTS_PER_MINUTE,
  });
  const dispositionLabel = (code: string) => conversations.api.settings.dispositions.find((d) => d.code === code)?.label;
  const assist = createAssistModule({
    enabled: config.SMART_ASSIST === 'on',
    cpuShare: config.SMART_ASSIST_CPU_SHARE,
    sqlite,
    logger,
    openapi,
    conversation: (id) => {
      const row = conversations.api.core.get(id);
      if (!row) return undefined;
      const handoff = row.handoff ? (JSON.parse(row.handoff) as { intent: string; summary: string; language: string; triageDisposition?: string }) : null;
      return { id: row.id, state: row.state, patientId: row.patient_id, agentId: row.agent_id, queue: row.queue, handoff };
    },
    resolved: async (limit) =>
      (await conversations.api.history.recentResolved(limit)).map((row) =>
        resolvedOf(
          { id: row.id, closedAt: row.closed_at, queue: row.queue, handoff: row.handoff ? (JSON.parse(row.handoff) as { intent: string; summary: string }) : null, wrapup: { disposition: row.disposition, notes: row.notes } },
          dispositionLabel,
        ),
      ),
    dispositionLabel,
    knowledge: { search: (query) => knowledge.api.search({ kind: 'staff', userId: 'smart-assist', role: 'agent' }, { ...query, limit: query.limit ?? 3 }) },
    triage: triage.api,
    language,
    scripts: {
      published: () => agentScripts.api.list().filter((s) => s.publishedVersion !== null),
      loadForAlert: (conversationId, scriptId, reason) => agentScripts.api.loadForAlert(conversationId, scriptId, reason),
    },
    emit: {
      toConversationStaff: (conversationId, update) => hub.emit('staff', conversationRoom(conversationId), 'assist:suggestions', update),
      toSupervisors: (notice) => hub.emit('staff', SUPERVISORS_ROOM, 'supervisor:red-flag', notice),
    },
    isStaffIn: (conversationId, userId) => {
      const row = conversations.api.core.get(conversationId);
      return row !== undefined && (row.agent_id === userId || conversations.api.core.activeStaff(conversationId).some((p) => p.user_id === userId));
    },
    transcript: (conversationId) => conversations.api.core.transcript(conversationId, { includeNotes: true }),
    disclose: (staff, conversationId, origin) => {
      const row = conversations.api.core.get(conversationId);
      return row ? conversations.api.core.disclose(staff, row, 'conversation.sync', origin) : Promise.resolve();
    },
    onRated: (conversationId, kind, rating, at) => insights.api.record('assist.rated', conversationId, at, { value: rating === 'not-helpful' ? 0 : 1, kind }),
  });
  const insights = createInsightsModule({
    sqlite,
    db,
    commits,
    conversations: conversations.api.core,
    snapshot: () => supervision.api.service.snapshot(),
    displayNameOf: (userId) => directory.displayNameOf(userId),
    queueName: (queueId) => routing.api.config.queues.find((q) => q.id === queueId)?.name,
    timeZone: config.CLINIC_TIME_ZONE,
    openapi,
    logger,
  });
  const auditRoutes: DomainModule = { name: 'audit', routes: (api) => registerAuditRoutes(api, { db, openapi, audit }) };

  /** Every module, in the order routes are mounted, sockets bound and listeners registered. */
  const modules: readonly DomainModule[] = [
    createHealthModule({ openapi, db, startedAt }),
    fhir,
    accounts,
    auditRoutes,
    presence,
    routing,
    conversations,
    createSentimentModule({ sqlite, commits, events: bus, hub, openapi, auditBatch, logger, jobs, conversations: conversations.api, config }),
    assignment,
    supervision,
    attachments,
    surveys,
    insights,
    createClinicSettingsModule({ settings: clinicSettings, openapi, hub }),
    patients,
    scheduling,
    agentScripts,
    knowledge,
    triage,
    language.module,
    bot,
    assist,
    createDeskModule({ config }),
    createPortalModule({
      config,
      openapi,
      widget: loadWidgetConfig(config.WIDGET_CONFIG),
      availability: () => routing.api.availability(),
      fhir: fhir.api.system,
      displayNameOf: (userId) => directory.displayNameOf(userId),
    }),
  ];
  for (const module of modules) for (const registration of module.listeners ?? []) bus.register(registration);
  const jobDefinitions = modules.flatMap((m) => m.jobs ?? []);
  for (const job of jobDefinitions) worker.register(job);
  const jobTypes = jobDefinitions.length;

  const realtime: RealtimeSetup = {
    hub,
    logger,
    corsOrigin: realtimeCorsOrigin(config),
    namespaces: {
      staff: {
        // Staff sockets carry an access token (never a visitor token). Staff are signed in, and a
        // contact center shares one address: per-user budgets only.
        resolve: (token) => accessSession(tokens, token),
        admits: ['staff'],
        errors: { missingToken: REALTIME_AUTH_ERRORS.missingToken, invalidToken: REALTIME_AUTH_ERRORS.invalidToken, wrongKind: REALTIME_AUTH_ERRORS.notStaff },
      },
      patient: {
        resolve: (token) => actors.sessionForToken(token),
        admits: ['patient', 'visitor'],
        addressBudgetFactor: config.SOCKET_ADDRESS_BUDGET_FACTOR,
        errors: {
          missingToken: PATIENT_REALTIME_AUTH_ERRORS.missingToken,
          invalidToken: PATIENT_REALTIME_AUTH_ERRORS.invalidToken,
          wrongKind: PATIENT_REALTIME_AUTH_ERRORS.notPatient,
        },
      },
    },
    contributions: modules.flatMap((m) => m.sockets ?? []),
  };

  return {
    config,
    logger,
    database,
    startedAt,
    bus,
    hub,
    openapi,
    audit,
    auditBatch,
    tokens,
    sessions,
    visitorTokens,
    modules,
    realtime,
    jobs,
    // Module APIs, for main.ts (demo data) and tests.
    fhir: fhir.api,
    store: fhir.api.store,
    accounts: accounts.api,
    agentProfiles,
    presence: presence.api,
    routing: routing.api,
    conversations: conversations.api,
    assignment: assignment.api,
    supervision: supervision.api,
    surveys: surveys.api,
    insights: insights.api,
    clinicSettings,
    patients: patients.api,
    scheduling: scheduling.api,
    agentScripts: agentScripts.api,
    knowledge: knowledge.api,
    triage: triage.api,
    bot: bot.api,
    assist: assist.api,
    /** Runs every module's start hook, in order (after all listeners are on the bus). */
    async start(): Promise<void> {
      for (const module of modules) await module.start?.();
      // No module runs jobs yet: no polling until one does.
      if (jobTypes > 0) worker.start();
    },
    /** Stops the job worker (waiting for running jobs) and every module, in reverse order; the caller closes the database. */
    async close(): Promise<void> {
      if (jobTypes > 0) await worker.stop();
      for (const module of [...modules].reverse()) await module.close?.();
      // Messages and audit rows still queued are committed before the caller closes the database.
      commits.close();
    },
  };
}
