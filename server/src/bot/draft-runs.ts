/**
 * Test chats of a scenario's draft, for bot authors (the desk's bot studio): a Direct Line
 * conversation started with `{ trigger, draft: true }` begins the scenario's open draft instead of its
 * published version. Everything else is a normal conversation on the `api` channel.
 *
 * How, without touching the engine: the draft is compiled and remembered in the library under its own
 * version number, and the conversation's first turn runs inside `run(draft, …)`, where the library
 * view answers `current(trigger)` with the draft. The frame it pushes keeps that version, so every
 * later turn of the conversation finds the draft again by version (`ensureVersion` reloads it from the
 * database after a restart). Other conversations never see it: they start from `current()` outside
 * the test chat's turn.
 *
 * A test chat never reaches a person: `TestChatParticipant` drops a hand-off and says what it would
 * have been (the test chats are remembered in memory; after a restart a test chat's hand-off is a
 * real one, so authors start a new test chat).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { BotContext, BotParticipant, BotTurn } from '../conversations/index.js';
import type { MessageView } from '../contracts/conversations.js';
import { notFound } from '../platform/errors.js';
import { compileScenario, type CompiledScenario, type ScenarioLibrary } from './library.js';
import { checkScenarioCode } from './scenario-format.js';
import type { BotStore } from './store.js';

const MAX_TEST_CHATS = 10_000;

export class DraftRuns {
  private readonly running = new AsyncLocalStorage<CompiledScenario>();
  private readonly testChats = new Set<string>();

  constructor(private readonly deps: { library: ScenarioLibrary; store: Pick<BotStore, 'scenarioByTrigger' | 'versions'> }) {}

  /** What the engine and the participant read: the library, with the draft under test in force during its first turn. */
  readonly library: Pick<ScenarioLibrary, 'current' | 'has' | 'version'> = {
    current: (trigger) => {
      const draft = this.running.getStore();
      return draft?.trigger === trigger ? draft : this.deps.library.current(trigger);
    },
    has: (trigger) => this.running.getStore()?.trigger === trigger || this.deps.library.has(trigger),
    version: (trigger, version) => this.deps.library.version(trigger, version),
  };

  /** The scenario's open draft (else its published version), compiled and runnable by version; 404 when the trigger is unknown. */
  async load(trigger: string): Promise<CompiledScenario> {
    const scenario = await this.deps.store.scenarioByTrigger(trigger);
    const versions = scenario ? await this.deps.store.versions(scenario.id) : [];
    const row = versions.find((v) => v.status === 'draft') ?? versions.find((v) => v.status === 'published');
    if (!scenario || !row) throw notFound('Scenario with the trigger', trigger);
    const checked = checkScenarioCode(JSON.parse(row.code) as unknown, { scenarioExists: () => true, loopsAreErrors: false });
    if (!checked.code) throw notFound('Runnable version of the scenario', trigger);
    const compiled = compileScenario({ id: scenario.id, trigger, name: scenario.name, version: row.version }, checked.code);
    // A draft is saved again under the same version number: the latest save is what the test chat runs.
    this.deps.library.remember(compiled);
    return compiled;
  }

  /** Runs a test chat's start with `draft` in force (the conversation is a test chat from then on). */
  run<T>(draft: CompiledScenario, start: () => Promise<T>): Promise<T> {
    return this.running.run(draft, start);
  }

  /** The bot participant, with test chats kept away from agents. */
  participant(inner: BotParticipant): BotParticipant {
    return new TestChatParticipant(inner, this);
  }

  /** @internal */
  markIfTesting(conversationId: string): void {
    if (!this.running.getStore()) return;
    if (this.testChats.size >= MAX_TEST_CHATS) this.testChats.clear();
    this.testChats.add(conversationId);
  }

  isTestChat(conversationId: string): boolean {
    return this.testChats.has(conversationId);
  }
}

class TestChatParticipant implements BotParticipant {
  readonly id: string;
  readonly displayName: string;

  constructor(
    private readonly inner: BotParticipant,
    private readonly drafts: DraftRuns,
  ) {
    this.id = inner.id;
    this.displayName = inner.displayName;
  }

  async onConversationStart(ctx: BotContext): Promise<BotTurn> {
    this.drafts.markIfTesting(ctx.conversationId);
    return this.withoutHandoff(ctx.conversationId, await this.inner.onConversationStart(ctx));
  }

  async onPatientMessage(ctx: BotContext, message: MessageView): Promise<BotTurn> {
    return this.withoutHandoff(ctx.conversationId, await this.inner.onPatientMessage(ctx, message));
  }

  private withoutHandoff(conversationId: string, turn: BotTurn): BotTurn {
    if (!turn.handoff || !this.drafts.isTestChat(conversationId)) return turn;
    const { reason, intent, priority } = turn.handoff;
    return {
      replies: [...turn.replies, { body: `Test chat: here the bot hands off to a person (reason ${reason}, intent ${intent}${priority !== undefined ? `, priority ${priority}` : ''}). No agent is offered a test chat.` }],
    };
  }
}
