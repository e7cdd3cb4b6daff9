/**
 * The scenario engine: runs a conversation's scenario stack step by step until it needs the
 * patient (a prompt) or ends, with Azure Health Bot's step semantics (bot/README.md). One call is one
 * turn: `begin` a scenario (breaking: the stack is cleared first), `interrupt` the one in progress
 * (it resumes with its returningMessage and re-asks its prompt when the interruption ends), or
 * `answer` the pending prompt. The state (`SessionState`) is plain JSON the caller checkpoints after
 * every turn; the engine keeps nothing between turns.
 *
 * Scripts run in the sandbox. A script that throws, loops or allocates without bound, a loop of steps
 * that never asks anything (the per-turn step budget) or a missing scenario ends the conversation's
 * scenarios with a logged error and a polite message — never an exception out of a turn.
 */
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  BASE_LOCALE,
  HERO_CARD_CONTENT_TYPE,
  MAX_ANSWER_CHARS,
  MAX_BOT_TEXT_CHARS,
  PROMPT_DATA_TYPES,
  type BotAttachment,
  type ScenarioStep,
  type StepOf,
} from '../contracts/bot.js';
import type { BotContent } from '../contracts/conversations.js';
import type { BotReply, HandoffRequest } from '../conversations/index.js';
import type { Logger } from '../platform/logging.js';
import { answerFromCard, cardInputs, choiceList, matchChoice, matchChoices, parseBoolean, parseDate, parseNumber, parseTime } from './answers.js';
import { engineText, truncateText, type EngineTextKey } from './engine-text.js';
import type { CompiledScenario, ScenarioLibrary } from './library.js';
import { evaluateNatively, templateNatively, type ExpressionScopes } from './expressions.js';
import { ScriptError, displayString, textKindOf, type SandboxSession, type ScopeName, type ScriptLog, type ScriptSandbox } from './sandbox.js';
import type { StringCatalog } from './strings.js';

export interface Frame {
  trigger: string;
  version: number;
  /** The step to run next; null once the scenario has run off its last step. */
  at: string | null;
  /** Scenario-scope variables (`scenario.*`; the args a scenario began with are `scenario.scenarioArgs`). */
  vars: Record<string, unknown>;
  /** Where this scenario's `end` value goes in the scenario below it. */
  resultVariable?: string;
  /** The prompt waiting for the patient, the wrong answers so far, and the choices it offered (if any). */
  pending?: { stepId: string; retries: number; choices?: string[] };
  /** Paused by an interrupting scenario: says its returningMessage and re-asks when it resumes. */
  interrupted?: boolean;
}

export interface SessionState {
  v: 1;
  locale: string;
  /** Set when the locale was chosen (Direct Line `locale`), so language detection leaves it alone. */
  localeFixed?: boolean;
  stack: Frame[];
  conversation: Record<string, unknown>;
  /** Answers to labelled prompts, for the hand-off packet (label → answer as text). */
  answers: Record<string, string>;
}

export function emptyState(locale: string = BASE_LOCALE): SessionState {
  return { v: 1, locale, stack: [], conversation: {}, answers: {} };
}

/** What a turn knows besides the state: the read-only `session` facts and the user and global scopes. */
export interface TurnEnv {
  conversationId: string;
  /** The signed-in patient (in-process connections act for them); absent for a visitor. */
  patientId?: string | null;
  /** The account (patient or visitor) talking. */
  userId?: string | null;
  /** Whose user-scope variables these are (`patient:…`, `user:…`). */
  userKey?: string | null;
  /** Exposed to scripts as `session.*` (userText, displayName, channel, recognized, topics…). */
  session: Record<string, unknown>;
  user: Record<string, unknown>;
  global: Record<string, unknown>;
  /** The packet fields the conversation knows (first and last message, topics) for a hand-off step. */
  handoffDefaults(reason: string): { intent: string; language: string; collectedAnswers: Record<string, string>; summary: (intent: string) => string };
}

export interface TurnOutcome {
  replies: BotReply[];
  handoff?: HandoffRequest;
  /** The user and global scopes changed (the caller saves them). */
  userChanged: boolean;
  globalChanged: boolean;
  log: ScriptLog[];
  /** Why the turn ended the scenarios, when it did (already logged). */
  failure?: { kind: string; message: string; stepId: string | null; trigger: string | null };
}

/** An HTTP connection (allowlisted base URL) or one served in this process (the clinic's own services). */
export type DataConnection = HttpConnection | InProcessConnection;

export interface HttpConnection {
  baseUrl: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** What a dataConnection step asks an in-process connection, with who is asking. */
export interface ConnectionRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query: Record<string, string>;
  body: unknown;
  conversationId: string;
  /** The signed-in patient the conversation belongs to (null: an anonymous visitor). */
  patientId: string | null;
  /** Their account (a patient's user id or a visitor's id). */
  userId: string | null;
  /** Whose user-scope variables the bot keeps. */
  userKey: string | null;
  locale: string;
}

export interface InProcessConnection {
  handle(request: ConnectionRequest): Promise<{ status: number; body: unknown }>;
  timeoutMs?: number;
}

/** What the triage module answers (its other fields — instruction, advice, level… — are kept for scripts). */
export interface Assessment {
  disposition: string;
  reasons: unknown[];
  findings: unknown[];
  instruction?: string;
}

/** The triage module's one-call assessment (the `triage` and `redFlag` steps, and the participant's red-flag check). */
export interface Assessor {
  assess(input: { text: string; age?: number; sex?: 'female' | 'male'; pregnant?: boolean; language?: 'en' | 'es'; answers?: Record<string, boolean> }): Assessment | Promise<Assessment>;
}

export interface EngineDeps {
  library: Pick<ScenarioLibrary, 'current' | 'version'>;
  sandbox: ScriptSandbox;
  strings: Pick<StringCatalog, 'lookup' | 'scriptTable'>;
  logger: Logger;
  /** Allowlisted data connections by name: the only hosts a dataConnection step may call. */
  connections?: ReadonlyMap<string, DataConnection>;
  assessor?: Assessor;
  /** Steps one turn may run before it is a runaway loop. */
  stepBudget?: number;
  /** The longest a wait step pauses. */
  maxWaitMs?: number;
  /** getEnv() values. */
  env?: Record<string, string>;
  fetch?: typeof fetch;
}

/** Dispositions the redFlag step treats as a red flag. */
export const EMERGENCY_DISPOSITIONS = new Set(['emergency_ambulance', 'emergency']);

class LoopError extends Error {}
class MissingScenarioError extends Error {}

export class ScenarioEngine {
  private readonly stepBudget: number;

  constructor(private readonly deps: EngineDeps) {
    this.stepBudget = deps.stepBudget ?? 1_000;
  }

  /** Begins `trigger` (after clearing the stack: a breaking start) and runs to the first prompt or the end. */
  begin(state: SessionState, trigger: string, env: TurnEnv, args: unknown = {}): Promise<TurnOutcome> {
    return new Turn(this.deps, this.stepBudget, state, env).run((turn) => {
      state.stack = [];
      turn.push(trigger, args, undefined);
    });
  }

  /** Pauses the scenario in progress for `trigger`; it resumes (returningMessage, the prompt again) once `trigger` ends. */
  interrupt(state: SessionState, trigger: string, env: TurnEnv): Promise<TurnOutcome> {
    return new Turn(this.deps, this.stepBudget, state, env).run((turn) => {
      const top = state.stack.at(-1);
      if (top) top.interrupted = true;
      turn.push(trigger, {}, undefined);
    });
  }

  /** The patient's answer to the pending prompt (text, or a card's submitted `value`). */
  answer(state: SessionState, input: { text: string; value?: unknown }, env: TurnEnv): Promise<TurnOutcome> {
    return new Turn(this.deps, this.stepBudget, state, env).run((turn) => turn.answer(input));
  }

  /** Whether a scenario waits for the patient. */
  static waiting(state: SessionState): boolean {
    return state.stack.at(-1)?.pending !== undefined;
  }

  /** Whether the text is exactly one of the choices the waiting prompt offered (a tapped suggested action). */
  static picksOffered(state: SessionState, text: string): boolean {
    const choices = state.stack.at(-1)?.pending?.choices;
    if (!choices) return false;
    const found = matchChoice(text, choices);
    return found !== undefined && found.score === 1;
  }
}

/**
 * Values set on the host data without the VM stay under this size (larger ones go through the VM,
 * whose close() checks the scopes' total); names that would reach an object's prototype never do.
 */
const MAX_HOST_ASSIGN_CHARS = 64 * 1024;
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** One turn: the replies so far, the open sandbox session, the step count. */
class Turn {
  private readonly replies: BotReply[] = [];
  private handoff: HandoffRequest | undefined;
  private vm: SandboxSession | undefined;
  private vmFrame: Frame | undefined;
  private readonly log: ScriptLog[] = [];
  private steps = 0;
  private readonly userBefore: string;
  private readonly globalBefore: string;
  private current: { stepId: string | null; trigger: string | null } = { stepId: null, trigger: null };

  constructor(
    private readonly deps: EngineDeps,
    private readonly budget: number,
    private readonly state: SessionState,
    private readonly env: TurnEnv,
  ) {
    this.userBefore = JSON.stringify(env.user);
    this.globalBefore = JSON.stringify(env.global);
  }

  async run(start: (turn: Turn) => void | Promise<void>): Promise<TurnOutcome> {
    let failure: TurnOutcome['failure'];
    try {
      await start(this);
      await this.loop();
      this.settle();
    } catch (err) {
      failure = this.fail(err);
    }
    return {
      replies: this.replies,
      ...(this.handoff ? { handoff: this.handoff } : {}),
      userChanged: JSON.stringify(this.env.user) !== this.userBefore,
      globalChanged: JSON.stringify(this.env.global) !== this.globalBefore,
      log: this.log,
      ...(failure ? { failure } : {}),
    };
  }

  // --- the stack ---

  private top(): Frame | undefined {
    return this.state.stack.at(-1);
  }

  private scenarioOf(frame: Frame): CompiledScenario {
    const scenario = this.deps.library.version(frame.trigger, frame.version);
    if (!scenario) throw new MissingScenarioError(`Scenario "${frame.trigger}" version ${frame.version} is not available.`);
    return scenario;
  }

  /** Pushes a new frame for `trigger`'s current version (the VM is settled first: the scenario scope changes). */
  push(trigger: string, args: unknown, resultVariable: string | undefined): void {
    const scenario = this.deps.library.current(trigger);
    if (!scenario) throw new MissingScenarioError(`Scenario "${trigger}" is not present.`);
    this.settle();
    this.state.stack.push({
      trigger,
      version: scenario.version,
      at: scenario.first,
      vars: { scenarioArgs: args ?? {} },
      ...(resultVariable ? { resultVariable } : {}),
    });
  }

  /** Pops the top frame with its return value; true when the scenario below waits for the patient again. */
  private pop(returnValue: unknown): boolean {
    this.settle();
    const done = this.state.stack.pop();
    const parent = this.top();
    if (!parent || !done) return false;
    if (done.resultVariable) parent.vars[done.resultVariable] = returnValue ?? null;
    if (parent.interrupted) {
      parent.interrupted = false;
      const scenario = this.scenarioOf(parent);
      if (scenario.returningMessage) this.say(this.textOf(scenario.returningMessage), {});
      if (parent.pending) {
        const step = scenario.steps.get(parent.pending.stepId);
        if (step && (step.type === 'prompt' || step.type === 'yesno')) this.ask(step);
        return true;
      }
    }
    return false;
  }

  // --- the sandbox ---

  private session(): SandboxSession {
    const frame = this.top();
    if (this.vm && this.vmFrame === frame) return this.vm;
    this.settle();
    const locale = this.state.locale;
    this.vm = this.deps.sandbox.session(
      { scenario: frame?.vars ?? {}, conversation: this.state.conversation, user: this.env.user, global: this.env.global },
      { strings: () => this.deps.strings.scriptTable(locale), env: this.deps.env ?? {}, session: { ...this.env.session, locale, conversationId: this.env.conversationId } },
    );
    this.vmFrame = frame;
    return this.vm;
  }

  /** Reads the scopes back from the VM into the state and frees it (before anything asynchronous, and at frame changes). */
  private settle(): void {
    const vm = this.vm;
    if (!vm) return;
    this.vm = undefined;
    const frame = this.vmFrame;
    this.vmFrame = undefined;
    const { scopes, log } = vm.close();
    if (frame) frame.vars = scopes.scenario;
    this.state.conversation = scopes.conversation;
    replaceContents(this.env.user, scopes.user);
    replaceContents(this.env.global, scopes.global);
    this.log.push(...log);
  }

  /**
   * The scopes as host data, for expressions the fast path (expressions.ts) can read without the VM:
   * undefined while a VM session holds this frame's scopes (they may have changed inside it).
   */
  private hostScopes(): ExpressionScopes | undefined {
    const frame = this.top();
    if (this.vm) {
      if (this.vmFrame === frame) return undefined;
      this.settle();
    }
    const locale = this.state.locale;
    return { scenario: frame?.vars ?? {}, conversation: this.state.conversation, user: this.env.user, global: this.env.global, session: { ...this.env.session, locale, conversationId: this.env.conversationId } };
  }

  private evaluate(expression: string): unknown {
    const scopes = this.hostScopes();
    const native = scopes && evaluateNatively(expression, scopes);
    if (native) return native.value;
    return this.session().evaluate(expression);
  }

  /** `scope[variable] = value`: on the host data when no VM session is open for the frame, else inside it. */
  private setVariable(scope: ScopeName, variable: string, value: unknown): void {
    const frame = this.top();
    const json = JSON.stringify(value ?? null);
    if (frame && (!this.vm || this.vmFrame !== frame) && json.length <= MAX_HOST_ASSIGN_CHARS && !UNSAFE_KEYS.has(variable)) {
      this.settle();
      const target = scope === 'scenario' ? frame.vars : scope === 'conversation' ? this.state.conversation : scope === 'user' ? this.env.user : this.env.global;
      target[variable] = JSON.parse(json) as unknown;
      return;
    }
    this.session().assign(scope, variable, value);
  }

  /** An expression that may also be a bare word (`"74"` → 74, `hello` → "hello"), as assignVariable values are written. */
  private valueOf(expression: string): unknown {
    try {
      return this.evaluate(expression);
    } catch (err) {
      if (err instanceof ScriptError && err.kind === 'error' && (err.errorName === 'ReferenceError' || err.errorName === 'SyntaxError')) return expression;
      throw err;
    }
  }

  private textOf(source: string): string {
    // Once the sandbox has told what kind of text this is, a plain or data-only one needs no VM.
    const kind = textKindOf(source);
    if (kind === 'template' && !source.includes('${') && !source.includes('\r')) return source;
    if (kind) {
      const scopes = this.hostScopes();
      const native = scopes && (kind === 'template' ? templateNatively(source, scopes) : evaluateNatively(source, scopes));
      if (native) return displayString(native.value);
    }
    return this.session().text(source);
  }

  // --- the loop ---

  private async loop(): Promise<void> {
    for (;;) {
      const frame = this.top();
      if (!frame || frame.pending || this.handoff) return;
      if (frame.at === null) {
        if (this.pop(undefined)) return;
        continue;
      }
      this.steps += 1;
      if (this.steps > this.budget) throw new LoopError(`More than ${this.budget} steps ran without asking the patient anything.`);
      const scenario = this.scenarioOf(frame);
      const step = scenario.steps.get(frame.at);
      if (!step) throw new MissingScenarioError(`Step "${frame.at}" is not in scenario "${frame.trigger}".`);
      this.current = { stepId: step.id, trigger: frame.trigger };
      const pending = this.execute(step, frame);
      if (pending) await pending;
    }
  }

  private next(frame: Frame, step: ScenarioStep, target?: string): void {
    frame.at = target ?? step.designer.next ?? null;
  }

  private execute(step: ScenarioStep, frame: Frame): void | Promise<void> {
    switch (step.type) {
      case 'statement':
        this.statement(step);
        return this.next(frame, step);
      case 'prompt':
      case 'yesno': {
        const choices = this.ask(step);
        frame.pending = { stepId: step.id, retries: 0, ...(choices.length > 0 ? { choices: choices.slice(0, 100).map((c) => c.slice(0, 300)) } : {}) };
        return;
      }
      case 'branch':
        return this.next(frame, step, truthy(this.evaluate(step.condition)) ? step.targetStepId : undefined);
      case 'switch': {
        const value = this.evaluate(step.condition);
        const match = step.cases.find((c) => String(c.value) === displayValue(value));
        return this.next(frame, step, match?.targetStepId);
      }
      case 'assignVariable':
        this.assign(step);
        return this.next(frame, step);
      case 'action':
        this.session().run(step.onInit);
        return this.next(frame, step);
      case 'beginScenario': {
        const args = step.args ? this.evaluate(step.args) : {};
        this.next(frame, step);
        return this.push(step.scenario, args, step.variable);
      }
      case 'replaceScenario': {
        const args = step.args ? this.evaluate(step.args) : {};
        const replaced = frame.resultVariable;
        this.settle();
        this.state.stack.pop();
        return this.push(step.scenario, args, replaced);
      }
      case 'end': {
        const value = step.returnValue ? this.evaluate(step.returnValue) : undefined;
        frame.at = null;
        this.pop(value);
        // The loop continues below with the parent (or stops: it waits again, or nothing is left).
        return;
      }
      case 'wait':
        this.settle();
        this.next(frame, step);
        return sleep(Math.min(step.duration, this.deps.maxWaitMs ?? 3_000));
      case 'dataConnection':
        return this.dataConnection(step, frame);
      case 'handoff':
        return this.handoffStep(step);
      case 'triage':
      case 'redFlag':
        return this.triage(step, frame);
      default: {
        const never: never = step;
        throw new Error(`Unknown step type ${(never as { type: string }).type}`);
      }
    }
  }

  // --- steps ---

  /** The step's text for this locale: its `stringId` in the locale's table, else its own text. */
  private localized(step: { text?: string | undefined; stringId?: string | undefined }): string | undefined {
    if (step.stringId) {
      const text = this.deps.strings.lookup(this.state.locale, step.stringId);
      if (text !== undefined) return text;
    }
    return step.text;
  }

  private statement(step: StepOf<'statement'>): void {
    const visible = (step as { visible?: unknown }).visible;
    if (typeof visible === 'string' && visible.trim() !== '' && !truthy(this.evaluate(visible))) return;
    const source = this.localized(step);
    const text = source ? this.textOf(source) : '';
    const attachments = this.cards(step.attachment);
    if (text.trim() === '' && attachments.length === 0) return;
    this.say(text, { ...(attachments.length ? { attachments } : {}) });
  }

  private say(text: string, extra: BotContent): void {
    const body = truncateText(text.trim() !== '' ? text : cardsText(extra.attachments ?? []), MAX_BOT_TEXT_CHARS, this.state.locale);
    this.replies.push({ body, bot: { textFormat: 'markdown', ...extra } });
  }

  private cards(attachments: StepOf<'statement'>['attachment']): BotAttachment[] {
    const out: BotAttachment[] = [];
    for (const attachment of attachments ?? []) {
      if (!attachment.cardCode) continue;
      const contentType = /hero/i.test(attachment.type) ? HERO_CARD_CONTENT_TYPE : /adaptive/i.test(attachment.type) ? ADAPTIVE_CARD_CONTENT_TYPE : null;
      if (!contentType) continue;
      const content = this.template(this.evaluate(attachment.cardCode), 0);
      if (content && typeof content === 'object' && !Array.isArray(content)) out.push({ contentType, content: content as Record<string, unknown> });
    }
    return out;
  }

  /** Adaptive Card templating: strings with `${…}` inside a card are evaluated as template strings. */
  private template(value: unknown, depth: number): unknown {
    if (depth > 30) return value;
    if (typeof value === 'string') return value.includes('${') ? this.textOf(value) : value;
    if (Array.isArray(value)) return value.map((v) => this.template(v, depth + 1));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.template(v, depth + 1)]));
    return value;
  }

  /** What kind of answer a prompt takes, and its choices when it has some. */
  private promptShape(step: StepOf<'prompt'> | StepOf<'yesno'>): { kind: string; choices: string[]; multi: boolean } {
    if (step.type === 'yesno') return { kind: 'boolean', choices: [], multi: false };
    const declared = step.dataType.trim().toLowerCase();
    const multi = (step.choiceType ?? '').toLowerCase().startsWith('multi');
    if ((PROMPT_DATA_TYPES as readonly string[]).includes(declared) && declared !== 'choice') return { kind: declared, choices: [], multi: false };
    const source = declared === 'choice' ? step.choices : step.dataType;
    return { kind: 'choice', choices: source ? choiceList(this.evaluate(source)) : [], multi };
  }

  /** Asks the prompt; returns the choices it offered. */
  private ask(step: StepOf<'prompt'> | StepOf<'yesno'>): string[] {
    const source = this.localized(step);
    const text = source ? this.textOf(source) : '';
    const shape = this.promptShape(step);
    const attachments = this.cards(step.attachment);
    const locale = this.state.locale;
    let choices = shape.choices;
    if (shape.kind === 'boolean') choices = [engineText(locale, 'yes'), engineText(locale, 'no')];
    // A free-text prompt may suggest answers (the menu): buttons to tap, not a list to pick from.
    if (shape.kind === 'string' && step.type === 'prompt' && step.suggestions) choices = choiceList(this.evaluate(step.suggestions));
    if (text.trim() === '' && choices.length === 0 && attachments.length === 0) return choices;
    const listed = shape.kind === 'choice' && choices.length > 0 ? `\n${choices.map((c, i) => `${i + 1}. ${c}`).join('\n')}${shape.multi ? `\n${engineText(locale, 'pickSeveral')}` : ''}` : '';
    this.say(`${text}${listed}`, {
      expectingInput: true,
      ...(choices.length > 0 ? { suggestedActions: choices.map((c) => ({ title: c, value: c })) } : {}),
      ...(attachments.length ? { attachments } : {}),
    });
    return choices;
  }

  /** The pending prompt's answer: read by data type, validated, stored; a wrong one is re-asked, then a way out. */
  async answer(input: { text: string; value?: unknown }): Promise<void> {
    const frame = this.top();
    if (!frame?.pending) return;
    const scenario = this.scenarioOf(frame);
    const step = scenario.steps.get(frame.pending.stepId);
    if (!step || (step.type !== 'prompt' && step.type !== 'yesno')) {
      frame.pending = undefined;
      return;
    }
    this.current = { stepId: step.id, trigger: frame.trigger };
    const text = input.text.slice(0, MAX_ANSWER_CHARS);
    const shape = this.promptShape(step);
    let value = this.read(step, shape, text, input.value);
    if (value !== undefined && step.type === 'prompt' && step.validation) {
      this.setVariable('scenario', step.variable, value);
      if (!truthy(this.evaluate(step.validation))) value = undefined;
    }
    if (value === undefined) {
      frame.pending.retries += 1;
      const allowed = step.retries ?? 2;
      const locale = this.state.locale;
      if (frame.pending.retries <= allowed) {
        const custom = step.type === 'prompt' && step.validationErrorMessage ? this.textOf(step.validationErrorMessage) : '';
        this.say(custom || `${engineText(locale, 'invalid')} ${engineText(locale, helpKey(shape))}`, {});
        this.ask(step);
        return;
      }
      frame.pending = undefined;
      if (step.type === 'prompt' && step.retryFailedStepId) {
        frame.at = step.retryFailedStepId;
        return;
      }
      this.say(engineText(locale, 'wayOut'), {});
      this.settle();
      this.state.stack = [];
      return;
    }
    this.setVariable('scenario', step.variable, value);
    if (step.label) this.record(step.label, value);
    frame.pending = undefined;
    frame.at = step.designer.next ?? null;
  }

  private read(step: StepOf<'prompt'> | StepOf<'yesno'>, shape: { kind: string; choices: string[]; multi: boolean }, text: string, value: unknown): unknown {
    const typed = typeof value === 'string' ? value : text;
    switch (shape.kind) {
      case 'number':
        return typeof value === 'number' ? value : parseNumber(typed);
      case 'boolean':
        return typeof value === 'boolean' ? value : parseBoolean(typed);
      case 'date':
        return parseDate(typed);
      case 'time':
        return parseTime(typed);
      case 'string':
      case 'attachment':
        return typed.trim() !== '' ? typed.trim() : undefined;
      case 'object': {
        if (value && typeof value === 'object') return value;
        const trimmed = typed.trim();
        if (trimmed.startsWith('{')) {
          try {
            return JSON.parse(trimmed) as unknown;
          } catch {
            // Not JSON: read it against the card's inputs below.
          }
        }
        if (step.type !== 'prompt') return undefined;
        for (const card of this.cards(step.attachment)) {
          const answer = answerFromCard(trimmed, cardInputs(card.content));
          if (answer) return answer;
        }
        return undefined;
      }
      default: {
        if (shape.multi) {
          const picked = Array.isArray(value) ? matchChoices(value, shape.choices) : matchChoices(typed, shape.choices);
          return picked?.map(({ entity, index }) => ({ entity, index }));
        }
        const found = matchChoice(typed, shape.choices);
        return found ? { entity: found.entity, index: found.index, score: found.score } : undefined;
      }
    }
  }

  private record(label: string, value: unknown): void {
    const keys = Object.keys(this.state.answers);
    if (keys.length >= 50 && !(label in this.state.answers)) return;
    const shown = Array.isArray(value)
      ? value.map((v) => (v && typeof v === 'object' && 'entity' in v ? String((v as { entity: unknown }).entity) : String(v))).join(', ')
      : value && typeof value === 'object' && 'entity' in value
        ? String((value as { entity: unknown }).entity)
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
    this.state.answers[label.slice(0, 100)] = shown.slice(0, 500);
  }

  private assign(step: StepOf<'assignVariable'>): void {
    const target = `${step.scope}.${step.variable}`;
    if (step.operation === 'set') {
      this.setVariable(step.scope, step.variable, step.value === undefined ? null : this.valueOf(step.value));
      return;
    }
    const vm = this.session();
    switch (step.operation) {
      case 'incrementBy':
      case 'decrementBy': {
        const by = Number(step.value === undefined ? 1 : this.valueOf(step.value)) || 0;
        vm.run(`${target} = (Number(${target}) || 0) ${step.operation === 'incrementBy' ? '+' : '-'} ${JSON.stringify(by)};`);
        return;
      }
      case 'push':
        vm.run(`if (!Array.isArray(${target})) ${target} = []; ${target}.push(${JSON.stringify(step.value === undefined ? null : this.valueOf(step.value))});`);
        return;
      case 'pop':
        vm.run(`if (Array.isArray(${target})) ${target}.pop();`);
        return;
      case 'delete':
        vm.run(`delete ${target};`);
        return;
      default:
        return;
    }
  }

  private handoffStep(step: StepOf<'handoff'>): void {
    const source = this.localized(step);
    const text = source ? this.textOf(source) : '';
    const reason = step.reason ?? 'patient-asked';
    const defaults = this.env.handoffDefaults(reason);
    const intent = step.intent ? this.textOf(step.intent).trim() || defaults.intent : defaults.intent;
    const disposition = step.triageDisposition ? this.textOf(step.triageDisposition).trim() : '';
    const summary = step.summary ? this.textOf(step.summary).trim() : '';
    if (text.trim() !== '') this.say(text, {});
    this.handoff = {
      reason,
      intent,
      language: defaults.language,
      collectedAnswers: { ...this.state.answers, ...defaults.collectedAnswers },
      ...(disposition ? { triageDisposition: disposition } : {}),
      ...(step.priority !== undefined ? { priority: step.priority } : {}),
      summary: (summary || defaults.summary(intent)).slice(0, 1_000),
    };
    this.settle();
    this.state.stack = [];
  }

  private async dataConnection(step: StepOf<'dataConnection'>, frame: Frame): Promise<void> {
    const connection = this.deps.connections?.get(step.connection);
    const path = this.textOf(step.path).trim();
    const query = step.query ? this.evaluate(step.query) : undefined;
    const body = step.body ? this.evaluate(step.body) : undefined;
    this.settle();
    let result: unknown = null;
    let status = 0;
    let failed = true;
    if (connection && 'handle' in connection) {
      try {
        const request: ConnectionRequest = {
          method: step.method,
          path,
          query: stringRecord(query),
          body: body === undefined ? null : (JSON.parse(JSON.stringify(body)) as unknown),
          conversationId: this.env.conversationId,
          patientId: this.env.patientId ?? null,
          userId: this.env.userId ?? null,
          userKey: this.env.userKey ?? null,
          locale: this.state.locale,
        };
        const reply = await withTimeout(connection.handle(request), step.timeoutMs ?? connection.timeoutMs ?? 5_000);
        status = reply.status;
        result = reply.body === undefined ? null : (JSON.parse(JSON.stringify(reply.body)) as unknown);
        failed = status < 200 || status >= 300;
      } catch (err) {
        this.deps.logger.warn({ err, connection: step.connection, stepId: step.id, trigger: frame.trigger }, 'bot data connection failed');
      }
    } else {
      const url = connection ? connectionUrl(connection.baseUrl, path, query) : undefined;
      if (!connection || !url) {
        this.deps.logger.warn({ connection: step.connection, path, stepId: step.id, trigger: frame.trigger }, 'bot data connection refused: not a configured connection or path');
      } else {
        try {
          const response = await (this.deps.fetch ?? fetch)(url, {
            method: step.method,
            headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...connection.headers },
            ...(body !== undefined && step.method !== 'GET' ? { body: JSON.stringify(body) } : {}),
            signal: AbortSignal.timeout(step.timeoutMs ?? connection.timeoutMs ?? 5_000),
            redirect: 'error',
          });
          status = response.status;
          const raw = (await response.text()).slice(0, 1_000_000);
          try {
            result = raw === '' ? null : (JSON.parse(raw) as unknown);
          } catch {
            result = raw;
          }
          failed = !response.ok;
        } catch (err) {
          this.deps.logger.warn({ err, connection: step.connection, stepId: step.id, trigger: frame.trigger }, 'bot data connection failed');
        }
      }
    }
    if (this.top() !== frame) return;
    this.setVariable('scenario', step.variable, result);
    this.setVariable('scenario', `${step.variable}_status`, status);
    this.next(frame, step, failed && step.errorStepId ? step.errorStepId : undefined);
  }

  /**
   * `triage`: the assessment into the variable. `redFlag`: the same, and an emergency disposition
   * goes to `targetStepId`. Without an assessor (or when it fails) the variable is null and the
   * scenario goes on: a red-flag scenario must still reach its advice.
   */
  private async triage(step: StepOf<'triage'> | StepOf<'redFlag'>, frame: Frame): Promise<void> {
    const text = step.input ? this.textOf(step.input) : String(this.env.session.userText ?? '');
    const age = step.age ? Number(this.evaluate(step.age)) : undefined;
    const sexValue = step.sex ? String(this.evaluate(step.sex) ?? '').toLowerCase() : '';
    const pregnant = step.pregnant ? truthy(this.evaluate(step.pregnant)) : undefined;
    const answers = step.answers ? booleanRecord(this.evaluate(step.answers)) : undefined;
    this.settle();
    let assessment: Assessment | null = null;
    if (!this.deps.assessor) {
      this.deps.logger.warn({ stepId: step.id, trigger: frame.trigger }, 'bot triage step without a triage assessor');
    } else if (text.trim() !== '') {
      try {
        assessment = await this.deps.assessor.assess({
          text: text.slice(0, MAX_ANSWER_CHARS),
          language: this.state.locale.startsWith('es') ? 'es' : 'en',
          ...(age !== undefined && Number.isFinite(age) ? { age } : {}),
          ...(sexValue === 'female' || sexValue === 'male' ? { sex: sexValue } : {}),
          ...(pregnant !== undefined ? { pregnant } : {}),
          ...(answers ? { answers } : {}),
        });
      } catch (err) {
        this.deps.logger.error({ err, stepId: step.id, trigger: frame.trigger }, 'bot triage assessment failed');
      }
    }
    if (this.top() !== frame) return;
    this.setVariable('scenario', step.variable, assessment ? (JSON.parse(JSON.stringify(assessment)) as unknown) : null);
    if (assessment) this.state.answers.triageDisposition = assessment.disposition;
    const red = step.type === 'redFlag' && assessment !== null && EMERGENCY_DISPOSITIONS.has(assessment.disposition);
    this.next(frame, step, red ? step.targetStepId : undefined);
  }

  // --- failure ---

  private fail(err: unknown): TurnOutcome['failure'] {
    const vm = this.vm;
    this.vm = undefined;
    this.vmFrame = undefined;
    vm?.dispose();
    const { stepId, trigger } = this.current;
    const kind = err instanceof ScriptError ? `script-${err.kind}` : err instanceof LoopError ? 'loop' : err instanceof MissingScenarioError ? 'missing-scenario' : 'internal';
    const message = err instanceof Error ? err.message : String(err);
    this.deps.logger.error({ err, kind, stepId, trigger, conversationId: this.env.conversationId }, 'bot scenario ended by an error');
    this.state.stack = [];
    this.say(engineText(this.state.locale, kind === 'missing-scenario' ? 'missingScenario' : 'failed'), {});
    return { kind, message, stepId, trigger };
  }
}

function replaceContents(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(target)) if (!(key in source)) delete target[key];
  Object.assign(target, source);
}

function truthy(value: unknown): boolean {
  return Boolean(value);
}

/** How a switch compares its value with a case's: as text (`0` matches `"0"`). */
function displayValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function helpKey(shape: { kind: string; multi: boolean }): EngineTextKey {
  if (shape.kind === 'choice') return shape.multi ? 'multiChoice' : 'choice';
  if (shape.kind === 'number' || shape.kind === 'boolean' || shape.kind === 'date' || shape.kind === 'time' || shape.kind === 'object') return shape.kind;
  return 'string';
}

/** The words of a card (its TextBlocks and titles), for a message that is only a card. */
function cardsText(attachments: readonly BotAttachment[]): string {
  const words: string[] = [];
  const walk = (node: unknown, depth: number) => {
    if (depth > 20 || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => walk(n, depth + 1));
    const element = node as Record<string, unknown>;
    for (const key of ['title', 'subtitle', 'text']) if (typeof element[key] === 'string' && element[key] !== '') words.push(element[key]);
    for (const value of Object.values(element)) if (value && typeof value === 'object') walk(value, depth + 1);
  };
  for (const a of attachments) walk(a.content, 0);
  return words.join('\n\n');
}

/** The URL under a connection's base for a path a scenario gave; undefined when the path would leave it. */
export function connectionUrl(baseUrl: string, path: string, query: unknown): URL | undefined {
  if (!path.startsWith('/') || path.startsWith('//') || path.includes('\\') || /^[a-z][a-z0-9+.-]*:/i.test(path)) return undefined;
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/$/, '');
  let url: URL;
  try {
    url = new URL(`${basePath}${path}`, base.origin);
  } catch {
    return undefined;
  }
  if (url.origin !== base.origin || !url.pathname.startsWith(`${basePath}/`) || url.pathname.split('/').includes('..')) return undefined;
  for (const [key, value] of Object.entries(stringRecord(query))) url.searchParams.set(key, value);
  return url;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A step's query object as strings (null and undefined values left out). */
function stringRecord(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (query && typeof query === 'object' && !Array.isArray(query)) {
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) out[key] = String(value);
  }
  return out;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** `{ id: boolean }` from a script value (other values left out; at most 50 answers). */
function booleanRecord(value: unknown): Record<string, boolean> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, boolean> = {};
  for (const [key, v] of Object.entries(value).slice(0, 50)) if (typeof v === 'boolean' && /^[a-z0-9_]{1,64}$/.test(key)) out[key] = v;
  return out;
}
