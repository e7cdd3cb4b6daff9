/**
 * The conversations domain's public door. `createConversationsModule` builds the core, the staff
 * actions and the bot turns over one repository, and returns the module (REST routes, socket events
 * on both namespaces, listeners) with its API for other domains.
 */
import { PersonalQuickReplies } from './personal-quick-replies.js';
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { ConversationSettings, ConversationState } from '../contracts/conversations.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { AuditBatch, DisclosureLog } from '../platform/audit/batch.js';
import type { Actor } from '../platform/auth/actor.js';
import type { VisitorTokens } from '../platform/auth/visitor-tokens.js';
import type { Database, GroupCommit } from '../platform/db/index.js';
import { listen, type EventPublisher } from '../platform/events.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { Logger } from '../platform/logging.js';
import type { DomainModule } from '../platform/module.js';
import type { RealtimeHub } from '../platform/realtime/hub.js';
import type { StaffDirectory } from '../accounts/index.js';
import { GreetingMenuBot, type BotParticipant } from './bot.js';
import { BotTurns } from './bot-turns.js';
import { ConversationCore } from './core.js';
import { ConversationHistory } from './history.js';
import { isOpen } from './model.js';
import { requireSupervisor } from './policy.js';
import { conversationEmits, conversationSockets } from './realtime.js';
import { registerConversationRoutes } from './routes.js';
import { StaffActions, type CloseGuard } from './staff-actions.js';
import { ChatCards } from './cards.js';
import './events.js';

export type { BotContext, BotParticipant, BotReply, BotTurn, HandoffRequest } from './bot.js';
export type { ConversationCore, DisclosurePurpose, OpenConversation } from './core.js';
export { staffRecipient } from './core.js';
export type { CloseGuard, StaffActions } from './staff-actions.js';
export type { ChatCards } from './cards.js';
export type { ConversationHistory } from './history.js';
export type { BotTurns } from './bot-turns.js';
export type { ConversationRow } from './repository.js';
export type { StaffRemovalCause } from './events.js';
export { conversationRoom } from './realtime.js';
export { forPatient, toConversationView, toMessageView } from './presenters.js';
export { loadConversationSettings, DEFAULT_CONVERSATION_SETTINGS } from './settings.js';
export { GreetingMenuBot, classifyUtterance, normalizeUtterance, queueFor, type Classification } from './bot.js';

export interface ConversationsApi {
  core: ConversationCore;
  staff: StaffActions;
  bot: BotTurns;
  history: ConversationHistory;
  /** Cards staff send into a chat (appointment confirmations, article links). */
  cards: ChatCards;
  /** The settings in force. */
  readonly settings: ConversationSettings;
  updateSettings(next: ConversationSettings): void;
  /** Refuses (forbidden) anyone but supervisors and admins. */
  requireSupervisor(actor: Actor): void;
  /** Whether a conversation in this state still takes messages. */
  isOpenState(state: ConversationState): boolean;
  /** Resolves once pending bot turns have run (tests, shutdown). */
  idle(): Promise<void>;
}

export interface ConversationsModuleDeps {
  sqlite: SQLite.Database;
  /** Kysely over the same database: conversation history's queries. */
  db: Kysely<Database>;
  /** The server's group commit: a chat message is durable (and acknowledged) with its turn's transaction. */
  commits: GroupCommit;
  audit: AuditLog;
  auditBatch: AuditBatch;
  disclosures: DisclosureLog;
  logger: Logger;
  events: EventPublisher;
  hub: RealtimeHub;
  openapi: OpenApiRegistry;
  visitorTokens: VisitorTokens;
  directory: Pick<StaffDirectory, 'displayNameOf' | 'roleOf'>;
  settings: ConversationSettings;
  /** The queues staff may transfer to. */
  queues: () => { id: string; name: string; priority?: number | undefined }[];
  /** The queues whose skills this agent has (history's "my queues"). */
  queuesServedBy: (userId: string) => string[];
  bot?: BotParticipant;
  /** Asked before an agent wraps up or closes (the agent scripts' required steps); each may refuse. */
  closeGuards?: readonly CloseGuard[];
  now?: () => Date;
}

export type ConversationsModule = DomainModule & { api: ConversationsApi };

export function createConversationsModule(deps: ConversationsModuleDeps): ConversationsModule {
  const participant = deps.bot ?? new GreetingMenuBot();
  const { commits } = deps;
  const core = new ConversationCore({
    sqlite: deps.sqlite,
    commits,
    audit: deps.audit,
    auditBatch: deps.auditBatch,
    disclosures: deps.disclosures,
    logger: deps.logger,
    events: deps.events,
    directory: deps.directory,
    bot: { id: participant.id, displayName: participant.displayName },
    settings: deps.settings,
    queuePriority: (queueId) => deps.queues().find((q) => q.id === queueId)?.priority,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const staff = new StaffActions(core, deps.closeGuards ?? []);
  const bot = new BotTurns(core, participant, deps.logger);
  const history = new ConversationHistory({
    db: deps.db,
    core,
    auditBatch: deps.auditBatch,
    queuesServedBy: deps.queuesServedBy,
    dispositionLabel: (code) => core.settings.dispositions.find((d) => d.code === code)?.label ?? code,
  });
  const cards = new ChatCards(core);
  const api: ConversationsApi = {
    core,
    staff,
    bot,
    history,
    cards,
    get settings() {
      return core.settings;
    },
    updateSettings: (next) => core.updateSettings(next),
    requireSupervisor,
    isOpenState: isOpen,
    idle: () => bot.idle(),
  };
  return {
    name: 'conversations',
    api,
    routes: (router) => registerConversationRoutes(router, { openapi: deps.openapi, visitorTokens: deps.visitorTokens, settings: () => core.settings, queues: deps.queues, history, cards, personalQuickReplies: new PersonalQuickReplies(deps.db) }),
    sockets: conversationSockets({ core, staff, bot }),
    listeners: [
      bot.listener(),
      ...conversationEmits(deps.hub),
      // Out of the conversation: coming back later is a new disclosure.
      listen('conversation.staff-removed', 'conversations.audit', ({ conversationId, userId }) => core.forgetDisclosures(userId, conversationId)),
    ],
    close: async () => {
      commits.flush();
      await bot.idle();
    },
  };
}
