/**
 * The conversations' `BotParticipant`, backed by the scenario engine. Per turn it loads the
 * conversation's checkpointed state, recognizes the utterance (an injected `Recognizer`; until the
 * language models are plugged in, the scenarios' triggers and a keyword table), decides between
 * starting a scenario, interrupting or breaking the one in progress, and answering its prompt, runs
 * the engine, and checkpoints the state before the replies are stored — so a dropped connection or
 * a restart resumes at the same prompt.
 */
import { BASE_LOCALE, BOT_LOCALES } from '../contracts/bot.js';
import type { MessageView } from '../contracts/conversations.js';
import { RED_FLAG_PRIORITY } from '../contracts/routing.js';
import { classifyUtterance, type BotContext, type BotParticipant, type BotTurn } from '../conversations/index.js';
import type { Logger } from '../platform/logging.js';
import { EMERGENCY_DISPOSITIONS, ScenarioEngine, emptyState, type Assessment, type Assessor, type SessionState, type TurnEnv, type TurnOutcome } from './engine.js';
import type { ScenarioLibrary } from './library.js';
import type { BotStore, CheckpointWriter } from './store.js';

export interface Recognition {
  /** The trigger of the scenario the utterance asks for (null: none, or below the threshold). */
  intent: string | null;
  score: number;
  entities: unknown[];
  /** Other scenarios it may have meant, best first (offered when the bot did not understand). */
  alternatives?: Array<{ trigger: string; score: number }>;
  /** The language model's intent behind `intent` (`talk_to_person` for `agent`). */
  languageIntent?: string;
}

/** Utterance → intent. The language-model module implements the same interface. */
export interface Recognizer {
  recognize(text: string, locale: string): Promise<Recognition>;
}

/** The scenario every conversation begins with, and the one a message outside any scenario goes to. */
export const DEFAULT_TRIGGER = 'greeting';

/** Intents that stand for a scenario of another name. */
const INTENT_TRIGGERS: Record<string, string> = { person: 'agent', 'red-flag': 'emergency' };

/** Command words (whole message) for the built-in help / cancel / restart scenarios. */
const COMMANDS: Record<string, string> = {
  help: 'help',
  ayuda: 'help',
  '?': 'help',
  cancel: 'cancel',
  stop: 'cancel',
  quit: 'cancel',
  cancelar: 'cancel',
  parar: 'cancel',
  restart: 'restart',
  'start over': 'restart',
  menu: 'restart',
  reiniciar: 'restart',
  'empezar de nuevo': 'restart',
  covid: 'covid19',
  'covid 19': 'covid19',
  coronavirus: 'covid19',
  feedback: 'feedback',
  opinion: 'feedback',
  'forget me': 'forget_me',
  olvidame: 'forget_me',
};

/**
 * The recognizer used until the language models land: exact scenario triggers and commands, then the
 * greeting bot's keyword table (menu numbers score low, so they answer a prompt instead of interrupting it).
 */
export class KeywordRecognizer implements Recognizer {
  constructor(private readonly triggers: () => Iterable<string>) {}

  /** A scenario's trigger or a command word, typed as the whole message. */
  exact(text: string): Recognition | null {
    const folded = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9?_]+/g, ' ').trim();
    for (const trigger of this.triggers()) if (folded === trigger.toLowerCase()) return { intent: trigger, score: 1, entities: [] };
    const command = COMMANDS[folded];
    return command ? { intent: command, score: 1, entities: [] } : null;
  }

  recognize(text: string, _locale: string): Promise<Recognition> {
    const exact = this.exact(text);
    if (exact) return Promise.resolve(exact);
    const c = classifyUtterance(text);
    if (c.intent === 'unknown') return Promise.resolve({ intent: null, score: 0, entities: [] });
    const menuNumber = /^\s*[1-4]\s*$/.test(text);
    return Promise.resolve({ intent: c.intent, score: menuNumber ? 0.6 : 0.9, entities: c.topic ? [{ type: 'topic', value: c.topic }] : [] });
  }
}

export interface EngineParticipantDeps {
  engine: ScenarioEngine;
  library: Pick<ScenarioLibrary, 'current' | 'has'>;
  store: Pick<BotStore, 'session' | 'userVars' | 'globals'>;
  checkpoints: Pick<CheckpointWriter, 'save'>;
  recognizer: Recognizer;
  /** The triage module: every free-text message is checked for red flags, whatever scenario is running. */
  assessor?: Assessor;
  logger: Logger;
  /** Loads a scenario version a conversation is still in (after a publish or a restart). */
  ensureVersion(trigger: string, version: number): Promise<boolean>;
  /** Resolves once the scenarios are loaded (the module's start hook normally did it already). */
  ready?: () => Promise<void>;
  now?: () => Date;
}

/** How sure an intent must be to interrupt a scenario waiting for an answer. */
const INTERRUPT_SCORE = 0.8;

export class EngineBotParticipant implements BotParticipant {
  readonly id = 'bot:greeting';
  readonly displayName = 'Carebridge assistant';
  /** Global-scope variables, shared by every conversation (this process is their only writer). */
  private globals: Record<string, unknown> | undefined;

  constructor(private readonly deps: EngineParticipantDeps) {}

  async onConversationStart(ctx: BotContext): Promise<BotTurn> {
    await this.deps.ready?.();
    const locale = ctx.start?.locale && (BOT_LOCALES as readonly string[]).includes(ctx.start.locale) ? ctx.start.locale : BASE_LOCALE;
    const state = emptyState(locale);
    if (ctx.start?.locale) state.localeFixed = true;
    const trigger = ctx.start?.trigger && this.deps.library.has(ctx.start.trigger) ? ctx.start.trigger : DEFAULT_TRIGGER;
    const env = await this.env(ctx, state, undefined, { intent: null, score: 0, entities: [] });
    const outcome = await this.deps.engine.begin(state, trigger, env.turn);
    return this.finish(ctx, state, env, outcome);
  }

  async onPatientMessage(ctx: BotContext, message: MessageView): Promise<BotTurn> {
    await this.deps.ready?.();
    const state = await this.load(ctx.conversationId);
    if (!state.localeFixed && state.locale !== 'es-US' && classifyUtterance(message.body).language === 'es') state.locale = 'es-US';
    const recognized = await this.deps.recognizer.recognize(message.body, state.locale);
    const env = await this.env(ctx, state, message, recognized);
    const input = { text: message.body, ...(message.bot?.value !== undefined ? { value: message.bot.value } : {}) };
    const waiting = ScenarioEngine.waiting(state);
    // A tapped choice or a card submission answers the question asked; anything typed freely is checked for red flags.
    const picked = message.bot?.value !== undefined || ScenarioEngine.picksOffered(state, message.body);
    const redFlag = picked ? undefined : await this.redFlag(message.body, state);
    const trigger = redFlag ? 'emergency' : recognized.intent ? (INTENT_TRIGGERS[recognized.intent] ?? recognized.intent) : null;
    const scenario = trigger ? this.deps.library.current(trigger) : undefined;
    let outcome: TurnOutcome;
    if (redFlag && scenario) {
      // A red flag is never skipped: the emergency scenario breaks into whatever is running.
      outcome = await this.deps.engine.begin(state, scenario.trigger, env.turn, { assessment: redFlag });
    } else if (scenario && (!waiting || recognized.score >= INTERRUPT_SCORE) && (!waiting || scenario.breaking || scenario.interrupting)) {
      outcome = waiting && !scenario.breaking ? await this.deps.engine.interrupt(state, scenario.trigger, env.turn) : await this.deps.engine.begin(state, scenario.trigger, env.turn);
    } else if (waiting) {
      outcome = await this.deps.engine.answer(state, input, env.turn);
    } else {
      // Outside any scenario: the menu, quietly (no second greeting), then the message as its answer.
      outcome = await this.deps.engine.begin(state, DEFAULT_TRIGGER, env.turn, { quiet: true });
      if (!outcome.failure && !outcome.handoff && ScenarioEngine.waiting(state)) {
        const answered = await this.deps.engine.answer(state, input, env.turn);
        outcome = merge(outcome, answered);
      }
    }
    return this.finish(ctx, state, env, outcome);
  }

  /** The triage assessment of a free-text message when it is an emergency (short answers like "yes" are not assessed). */
  private async redFlag(text: string, state: SessionState): Promise<Assessment | undefined> {
    if (!this.deps.assessor || text.trim().split(/\s+/).length < 2) return undefined;
    try {
      const assessment = await this.deps.assessor.assess({ text: text.slice(0, 2_000), language: state.locale.startsWith('es') ? 'es' : 'en' });
      return EMERGENCY_DISPOSITIONS.has(assessment.disposition) ? assessment : undefined;
    } catch (err) {
      this.deps.logger.error({ err }, 'red-flag check failed');
      return undefined;
    }
  }

  private async load(conversationId: string): Promise<SessionState> {
    const saved = await this.deps.store.session(conversationId);
    const state = saved ? (JSON.parse(saved) as SessionState) : emptyState();
    for (const frame of state.stack) {
      if (!(await this.deps.ensureVersion(frame.trigger, frame.version))) {
        this.deps.logger.warn({ conversationId, trigger: frame.trigger, version: frame.version }, 'bot scenario version gone: the conversation starts over');
        state.stack = [];
        break;
      }
    }
    return state;
  }

  private async env(ctx: BotContext, state: SessionState, message: MessageView | undefined, recognized: Recognition) {
    const userKey = ctx.patientId ? `patient:${ctx.patientId}` : ctx.userId ? `user:${ctx.userId}` : null;
    const savedUser = userKey ? await this.deps.store.userVars(userKey) : undefined;
    const user = savedUser ? (JSON.parse(savedUser) as Record<string, unknown>) : {};
    const global = await this.globalScope();
    const c = message ? classifyUtterance(message.body) : undefined;
    const turn: TurnEnv = {
      conversationId: ctx.conversationId,
      patientId: ctx.patientId ?? null,
      userId: ctx.userId ?? null,
      userKey,
      session: {
        userText: message?.body ?? '',
        displayName: ctx.displayName,
        channel: ctx.channel,
        language: state.locale.slice(0, 2),
        recognized: { ...recognized, topic: c?.topic ?? null },
        signedIn: Boolean(ctx.patientId),
      },
      user,
      global,
      handoffDefaults: (reason) => this.handoffDefaults(ctx, state, message, reason),
    };
    return { turn, userKey };
  }

  private async globalScope(): Promise<Record<string, unknown>> {
    if (!this.globals) {
      const rows = await this.deps.store.globals();
      this.globals = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown]));
    }
    // Each turn works on a copy: a failed turn leaves the shared values as they were.
    return structuredClone(this.globals);
  }

  /** The packet the greeting bot built: first and last message, topics discussed, the language. */
  private handoffDefaults(ctx: BotContext, state: SessionState, message: MessageView | undefined, reason: string) {
    const patientTurns = ctx.history().filter((m) => m.sender.kind === 'patient' || m.sender.kind === 'visitor');
    const topics = patientTurns.map((m) => classifyUtterance(m.body).topic).filter((t): t is string => t !== null);
    const current = message ? classifyUtterance(message.body).topic : null;
    const language = state.locale.startsWith('es') ? 'es' : 'en';
    const collectedAnswers: Record<string, string> = {};
    const first = patientTurns.find((m) => m.id !== message?.id);
    if (first) collectedAnswers.firstMessage = first.body.slice(0, 500);
    if (message) collectedAnswers.lastMessage = message.body.slice(0, 500);
    if (topics.length > 0) collectedAnswers.topicsDiscussed = [...new Set(topics)].join(', ');
    const last = message?.body ?? '';
    return {
      intent: current ?? topics.at(-1) ?? 'general',
      language,
      collectedAnswers,
      summary: (intent: string) =>
        `${reason === 'red-flag' ? 'Possible emergency' : 'Patient asked for a person'} (${intent}, ${language === 'es' ? 'Spanish' : 'English'}) after ${patientTurns.length} message(s): "${last.slice(0, 200)}"`,
    };
  }

  /** Checkpoints the state (and changed user and global variables), then hands the replies back. */
  private async finish(ctx: BotContext, state: SessionState, env: { turn: TurnEnv; userKey: string | null }, outcome: TurnOutcome): Promise<BotTurn> {
    const at = (this.deps.now?.() ?? new Date()).toISOString();
    let globals: { set: Record<string, string>; deleted: string[] } | undefined;
    const after = env.turn.global;
    if (outcome.globalChanged && !outcome.failure) {
      const before = this.globals ?? {};
      globals = {
        set: Object.fromEntries(Object.entries(after).filter(([k, v]) => JSON.stringify(before[k]) !== JSON.stringify(v)).map(([k, v]) => [k, JSON.stringify(v)])),
        deleted: Object.keys(before).filter((k) => !(k in after)),
      };
    }
    await this.deps.checkpoints.save({
      conversationId: ctx.conversationId,
      state: JSON.stringify(state),
      ...(outcome.userChanged && env.userKey ? { user: { key: env.userKey, vars: JSON.stringify(env.turn.user) } } : {}),
      ...(globals ? { globals } : {}),
      at,
    });
    if (globals) this.globals = after;
    const handoff = outcome.handoff && outcome.handoff.reason === 'red-flag' && outcome.handoff.priority === undefined ? { ...outcome.handoff, priority: RED_FLAG_PRIORITY } : outcome.handoff;
    return { replies: outcome.replies, ...(handoff ? { handoff } : {}) };
  }
}

function merge(a: TurnOutcome, b: TurnOutcome): TurnOutcome {
  return {
    replies: [...a.replies, ...b.replies],
    ...(b.handoff ? { handoff: b.handoff } : {}),
    userChanged: a.userChanged || b.userChanged,
    globalChanged: a.globalChanged || b.globalChanged,
    log: [...a.log, ...b.log],
    ...(b.failure ? { failure: b.failure } : {}),
  };
}
