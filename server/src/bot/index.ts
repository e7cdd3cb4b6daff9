/**
 * The health bot's public door (README.md). Built in two parts because the conversations module
 * needs the bot participant and the bot's channel API needs the conversations module:
 *
 *   const bot = createBotEngine({ db, audit, logger, … });            // before conversations
 *   createConversationsModule({ …, bot: bot.participant });
 *   const botModule = createBotModule(bot, { conversations, actors, … }); // after
 *
 * `createBotEngine` builds the sandbox, the scenario library and string tables, the engine and the
 * `EngineBotParticipant`; `createBotModule` adds the authoring routes, the Direct Line–shaped channel
 * API and the start hook (QuickJS loaded, the stored scenarios loaded, the built-ins imported).
 */
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { BotParticipant, ConversationsApi } from '../conversations/index.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { ActorResolver } from '../platform/auth/actor.js';
import type { VisitorTokens } from '../platform/auth/visitor-tokens.js';
import type { Database, GroupCommit } from '../platform/db/index.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { Logger } from '../platform/logging.js';
import type { DomainModule } from '../platform/module.js';
import { createDirectLineRouter } from './direct-line.js';
import { DraftRuns } from './draft-runs.js';
import { ScenarioEngine, type Assessor, type DataConnection } from './engine.js';
import { ScenarioLibrary } from './library.js';
import { EngineBotParticipant, KeywordRecognizer, type Recognizer } from './participant.js';
import { CombinedRecognizer, type LanguageRecognizer } from './recognizers.js';
import { registerBotRoutes } from './routes.js';
import { ScriptSandbox, type SandboxLimits } from './sandbox.js';
import { ScenarioService } from './scenarios.js';
import { BotStore, CheckpointWriter } from './store.js';
import { StringCatalog } from './strings.js';

export { ScenarioEngine, emptyState, type Assessor, type Assessment, type SessionState, type TurnEnv, type TurnOutcome } from './engine.js';
export { EngineBotParticipant, KeywordRecognizer, DEFAULT_TRIGGER, type Recognizer, type Recognition } from './participant.js';
export { ScenarioLibrary, compileScenario, type CompiledScenario } from './library.js';
export { ScriptSandbox, ScriptError, type SandboxLimits } from './sandbox.js';
export { StringCatalog } from './strings.js';
export { ScenarioService } from './scenarios.js';
export { checkScenarioCode, parseCodeText, toExport } from './scenario-format.js';
export { CombinedRecognizer, type LanguageRecognizer } from './recognizers.js';
export { createLanguageModels, type LanguageModels } from './language/index.js';
export { ClinicConnection, REFILL_TASK_CODE, BOT_FEEDBACK_QUESTIONNAIRE, type ClinicConnectionDeps } from './clinic-connection.js';
export type { DataConnection, InProcessConnection, ConnectionRequest } from './engine.js';

export interface BotEngineDeps {
  db: Kysely<Database>;
  /** The per-turn checkpoint joins the server's group commit on the raw connection. */
  sqlite: SQLite.Database;
  commits: GroupCommit;
  audit: Pick<AuditLog, 'record'>;
  logger: Logger;
  /** Carebridge's own API (the `carebridge` data connection). */
  publicUrl: string;
  /** Other allowlisted data connections by name. */
  connections?: Record<string, DataConnection>;
  /** Utterance → intent (default: triggers, then `language` when given, then a keyword table). */
  recognizer?: Recognizer;
  /** The language models (intents → scenarios). */
  language?: LanguageRecognizer;
  /** The triage module's assessment, for `triage` and `redFlag` steps. */
  assessor?: Assessor;
  sandboxLimits?: Partial<SandboxLimits>;
  stepBudget?: number;
  env?: Record<string, string>;
  /** The built-in scenarios' folder (null: none). */
  scenariosDir?: string | null;
}

export interface BotEngine {
  /** The engine's participant, with bot studio's test chats kept away from agents (`draft-runs.ts`). */
  participant: BotParticipant;
  engine: ScenarioEngine;
  scenarios: ScenarioService;
  library: ScenarioLibrary;
  strings: StringCatalog;
  store: BotStore;
  /** Test chats of drafts (`POST /api/bot/conversations { trigger, draft: true }`). */
  drafts: DraftRuns;
  /** Loads QuickJS and the scenarios, once (the module's start hook; the first turn waits for it too). */
  ready(): Promise<void>;
}

export function createBotEngine(deps: BotEngineDeps): BotEngine {
  const store = new BotStore(deps.db);
  const library = new ScenarioLibrary();
  const strings = new StringCatalog();
  const drafts = new DraftRuns({ library, store });
  const sandbox = new ScriptSandbox(deps.sandboxLimits);
  const connections = new Map<string, DataConnection>([['carebridge', { baseUrl: `${deps.publicUrl.replace(/\/$/, '')}/api` }]]);
  for (const [name, connection] of Object.entries(deps.connections ?? {})) connections.set(name, connection);
  const engine = new ScenarioEngine({
    library: drafts.library,
    sandbox,
    strings,
    logger: deps.logger,
    connections,
    ...(deps.assessor ? { assessor: deps.assessor } : {}),
    ...(deps.stepBudget !== undefined ? { stepBudget: deps.stepBudget } : {}),
    ...(deps.env ? { env: deps.env } : {}),
  });
  const scenarios = new ScenarioService({ store, library, strings, audit: deps.audit, logger: deps.logger });
  let started: Promise<void> | undefined;
  const ready = () =>
    (started ??= (async () => {
      await ScriptSandbox.preload();
      await scenarios.load();
      if (deps.scenariosDir) {
        const report = await scenarios.importDirectory(deps.scenariosDir);
        if (report.imported.length > 0 || report.failed.length > 0) deps.logger.info(report, 'bot scenarios imported');
      }
    })());
  const participant = new EngineBotParticipant({
    engine,
    library: drafts.library,
    store,
    checkpoints: new CheckpointWriter(deps.sqlite, deps.commits),
    ...(deps.assessor ? { assessor: deps.assessor } : {}),
    recognizer: deps.recognizer ?? recognizerFor(library, deps.language),
    logger: deps.logger,
    ensureVersion: (trigger, version) => scenarios.ensureVersion(trigger, version),
    ready,
  });
  return { participant: drafts.participant(participant), engine, scenarios, library, strings, store, drafts, ready };
}

function recognizerFor(library: ScenarioLibrary, language: LanguageRecognizer | undefined): Recognizer {
  const keywords = new KeywordRecognizer(() => library.triggers());
  return language ? new CombinedRecognizer(language, keywords, (trigger) => library.has(trigger)) : keywords;
}

export interface BotModuleDeps {
  conversations: Pick<ConversationsApi, 'bot' | 'core'>;
  actors: ActorResolver;
  visitorTokens: VisitorTokens;
  openapi: OpenApiRegistry;
  logger: Logger;
  /** Channel-API conversations one address may start per minute. */
  startsPerMinute?: number;
}

export type BotModule = DomainModule & { api: BotEngine };

export function createBotModule(bot: BotEngine, deps: BotModuleDeps): BotModule {
  return {
    name: 'bot',
    api: bot,
    routes: (api) => registerBotRoutes(api, { openapi: deps.openapi, scenarios: bot.scenarios, strings: bot.strings }),
    mounts: [
      {
        phase: 'pre-body',
        mount: (app) =>
          app.use(
            createDirectLineRouter({
              conversations: deps.conversations,
              actors: deps.actors,
              visitorTokens: deps.visitorTokens,
              openapi: deps.openapi,
              drafts: bot.drafts,
              startsPerMinute: deps.startsPerMinute ?? 30,
            }),
          ),
      },
    ],
    start: () => bot.ready(),
  };
}
