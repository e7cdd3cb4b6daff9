/**
 * The scenario script sandbox: every piece of scenario JavaScript (conditions, text expressions,
 * `onInit` actions, beginScenario args, card templates) runs in QuickJS compiled to WebAssembly,
 * never in Node. The VM has no `require`, `process`, file system, network or timers — only the
 * language and the scopes we hand it as JSON.
 *
 * One runtime serves the whole process (creating one costs milliseconds; a context costs far less).
 * A turn opens a `SandboxSession` (one context): the scopes go in as JSON once, every evaluation of the
 * turn runs against them, and `close()` reads the scopes back. Sessions never overlap on the runtime
 * (the engine closes one before anything asynchronous), so the runtime's memory limit is the limit of
 * one turn's scripts. Each evaluation gets its own CPU deadline through the interrupt handler; a
 * runaway script (an endless loop, a huge allocation, runaway recursion) fails with a `ScriptError`
 * and poisons the session, which the engine ends with a polite message — the server never notices.
 */
import { getQuickJS, getQuickJSSync, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from 'quickjs-emscripten';

export interface SandboxLimits {
  /** CPU time one evaluation may take. */
  timeoutMs: number;
  /** Memory the runtime may hold (all of one turn's scripts and scopes). */
  memoryBytes: number;
  /** The VM's stack: deep recursion fails inside QuickJS (below the host's own stack limit). */
  stackBytes: number;
  /** The largest the scopes may grow (they are checkpointed after every turn). */
  maxStateBytes: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { timeoutMs: 250, memoryBytes: 64 * 1024 * 1024, stackBytes: 256 * 1024, maxStateBytes: 2 * 1024 * 1024 };

export type ScriptErrorKind = 'timeout' | 'memory' | 'error';

/** A script that threw, ran out of time or memory. `kind` says which; `message` is the VM's. */
export class ScriptError extends Error {
  constructor(
    readonly kind: ScriptErrorKind,
    message: string,
    /** The JavaScript error name inside the VM (`ReferenceError`, `SyntaxError`, …). */
    readonly errorName = 'Error',
  ) {
    super(message);
    this.name = 'ScriptError';
  }
}

export type ScopeName = 'scenario' | 'conversation' | 'user' | 'global';
export const SCOPE_NAMES: readonly ScopeName[] = ['scenario', 'conversation', 'user', 'global'];
export type Scopes = Record<ScopeName, Record<string, unknown>>;

export interface SandboxEnv {
  /** `customLocalizedStrings` for the conversation's locale, as JSON text (values that are JSON arrays or objects arrive parsed). */
  strings: () => string;
  /** `getEnv(name)`: environment values a scenario may read; anything else throws, as in Azure Health Bot. */
  env?: Record<string, string>;
  /** Read-only facts about the conversation (`session.locale`, `session.channel`, `session.userText`). */
  session?: Record<string, unknown>;
}

/** What a script logged with `session.trace`, `session.logCustomEvent` or `session.logOutcomeEvent`. */
export interface ScriptLog {
  kind: 'trace' | 'event' | 'outcome';
  name?: string;
  data?: unknown;
}

/**
 * Defined once per context: the `session` helpers of Azure Health Bot (logging goes to an array the
 * host reads at the end), `getEnv`, and `customLocalizedStrings` fetched from the host on first use.
 */
const SETUP = `
(function (g) {
  var log = [];
  var setup = JSON.parse(__setupJson);
  delete g.__setupJson;
  var facts = setup.session;
  var env = setup.env;
  g.scenario = setup.scopes.scenario;
  g.conversation = setup.scopes.conversation;
  g.user = setup.scopes.user;
  g.global = setup.scopes.global;
  g.__log = log;
  g.session = Object.assign(facts, {
    trace: function (data, level) { if (log.length < 200) log.push({ kind: 'trace', data: data, level: level }); },
    logCustomEvent: function (name, data) { if (log.length < 200) log.push({ kind: 'event', name: String(name), data: data }); },
    logOutcomeEvent: function (name) { if (log.length < 200) log.push({ kind: 'outcome', name: String(name) }); },
    saveFeedback: function (data) { if (log.length < 200) log.push({ kind: 'event', name: 'feedback', data: data }); }
  });
  g.getEnv = function (name) {
    if (Object.prototype.hasOwnProperty.call(env, name)) return env[name];
    throw new Error('Environment variable ' + name + ' is not defined');
  };
  var strings;
  Object.defineProperty(g, 'customLocalizedStrings', {
    get: function () {
      if (strings === undefined) {
        var raw = JSON.parse(__hostStrings());
        strings = {};
        for (var key in raw) {
          var value = raw[key];
          var head = typeof value === 'string' ? value.trim().charAt(0) : '';
          if (head === '[' || head === '{') { try { value = JSON.parse(value); } catch (e) { /* plain text after all */ } }
          strings[key] = value;
        }
      }
      return strings;
    }
  });
})(globalThis);
`;

let deadline = 0;

export class ScriptSandbox {
  private open = false;
  private runtimeHandle: QuickJSRuntime | undefined;
  readonly limits: SandboxLimits;

  /** Build it any time; `preload()` (at start) must have resolved before the first session. */
  constructor(limits: Partial<SandboxLimits> = {}) {
    this.limits = { ...DEFAULT_SANDBOX_LIMITS, ...limits };
  }

  /** Loads the QuickJS WebAssembly module (once per process). */
  static async preload(): Promise<void> {
    await getQuickJS();
  }

  static async create(limits: Partial<SandboxLimits> = {}): Promise<ScriptSandbox> {
    await ScriptSandbox.preload();
    return new ScriptSandbox(limits);
  }

  private get runtime(): QuickJSRuntime {
    if (!this.runtimeHandle) {
      const runtime = getQuickJSSync().newRuntime();
      runtime.setMemoryLimit(this.limits.memoryBytes);
      runtime.setMaxStackSize(this.limits.stackBytes);
      // Checked by QuickJS every few thousand bytecodes: cheap, and it stops `while (true) {}`.
      runtime.setInterruptHandler(() => Date.now() > deadline);
      this.runtimeHandle = runtime;
    }
    return this.runtimeHandle;
  }

  /** Opens a session over these scopes. Sessions must not overlap (the engine closes one before awaiting). */
  session(scopes: Scopes, env: SandboxEnv): SandboxSession {
    if (this.open) throw new Error('A sandbox session is already open: close it before opening another.');
    this.open = true;
    try {
      return new SandboxSession(this.runtime.newContext(), scopes, env, this.limits, () => {
        this.open = false;
      });
    } catch (err) {
      this.open = false;
      throw err;
    }
  }

  /** The runtime's memory use, for diagnostics and tests. */
  memoryUsage(): string {
    return this.runtime.dumpMemoryUsage();
  }
}

export class SandboxSession {
  private failure: ScriptError | undefined;
  private closed = false;

  constructor(
    private readonly context: QuickJSContext,
    scopes: Scopes,
    env: SandboxEnv,
    private readonly limits: SandboxLimits,
    private readonly onClose: () => void,
  ) {
    const vm = context;
    try {
      const hostStrings = vm.newFunction('__hostStrings', () => vm.newString(env.strings()));
      vm.setProp(vm.global, '__hostStrings', hostStrings);
      hostStrings.dispose();
      // One string in, one evaluation: the prelude and the scopes (setup is most of a short turn's cost).
      this.setGlobalString('__setupJson', JSON.stringify({ session: env.session ?? {}, env: env.env ?? {}, scopes }));
      this.exec(SETUP);
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  /** Whether a runaway or failed script has poisoned this session. */
  get failed(): ScriptError | undefined {
    return this.failure;
  }

  /** The value of a JavaScript expression over the scopes (JSON-like: objects and arrays come out copied). */
  evaluate(expression: string): unknown {
    return this.exec(`(\n${expression}\n)`);
  }

  /** Runs statements (an action's `onInit`) in their own function scope, as each action has its own. */
  run(code: string): void {
    this.exec(`(function () {\n${code}\n}).call(globalThis);`);
  }

  /**
   * A display text: a JavaScript expression (`scenario.messages.hello`, `"Hi " + user.name`) when it
   * is one, else a template string (`Hello ${scenario.name}`), else the text as written. Azure Health
   * Bot authors write both, so both work.
   */
  text(source: string): string {
    const kind = textKinds.get(source);
    if (kind !== 'template') {
      try {
        const value = this.evaluate(source);
        if (kind === undefined) rememberKind(source, 'expression');
        return displayString(value);
      } catch (err) {
        if (!(err instanceof ScriptError) || err.kind !== 'error' || (err.errorName !== 'SyntaxError' && err.errorName !== 'ReferenceError')) throw err;
        if (err.errorName === 'SyntaxError') rememberKind(source, 'template');
      }
    }
    try {
      return displayString(this.exec(`\`${source.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``));
    } catch (err) {
      if (err instanceof ScriptError && err.kind !== 'error') throw err;
      return source;
    }
  }

  /** Sets `scope[variable] = value` inside the VM (a prompt's answer, a step's result). */
  assign(scope: ScopeName, variable: string, value: unknown): void {
    this.setGlobalString('__valueJson', JSON.stringify(value ?? null));
    this.exec(`globalThis.${scope}[${JSON.stringify(variable)}] = JSON.parse(__valueJson); delete globalThis.__valueJson;`);
  }

  /** Reads the scopes and the scripts' log back, and frees the context. Throws the session's failure if it had one. */
  close(): { scopes: Scopes; log: ScriptLog[] } {
    try {
      if (this.failure) throw this.failure;
      const json = this.exec('JSON.stringify({ scenario: scenario, conversation: conversation, user: user, global: global, log: __log })');
      const text = String(json);
      if (text.length > this.limits.maxStateBytes) throw this.poison(new ScriptError('memory', `The scenario's variables grew past ${this.limits.maxStateBytes} bytes.`, 'RangeError'));
      const out = JSON.parse(text) as Scopes & { log: ScriptLog[] };
      const { log, ...scopes } = out;
      return { scopes: scopes as Scopes, log };
    } finally {
      this.dispose();
    }
  }

  /** Frees the context without reading anything back (the turn failed). */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.context.dispose();
    } finally {
      this.onClose();
    }
  }

  private setGlobalString(name: string, value: string): void {
    const handle = this.context.newString(value);
    this.context.setProp(this.context.global, name, handle);
    handle.dispose();
  }

  private exec(code: string): unknown {
    if (this.failure) throw this.failure;
    if (this.closed) throw new ScriptError('error', 'The sandbox session is closed.');
    deadline = Date.now() + this.limits.timeoutMs;
    let result;
    try {
      result = this.context.evalCode(code, 'scenario.js', { type: 'global' });
    } catch (err) {
      // The VM itself failed (out of memory while building the error): treat as a runaway script.
      throw this.poison(new ScriptError('memory', err instanceof Error ? err.message : String(err), 'InternalError'));
    } finally {
      deadline = 0;
    }
    if (result.error) {
      const error = this.describe(result.error);
      result.error.dispose();
      if (error.kind !== 'error') throw this.poison(error);
      throw error;
    }
    const handle: QuickJSHandle = result.value;
    try {
      return this.context.dump(handle);
    } finally {
      if (handle.alive) handle.dispose();
      this.drainJobs();
    }
  }

  /** Runs promise callbacks a script queued (under a fresh deadline), so none is left when the context is freed. */
  private drainJobs(): void {
    const runtime = this.context.runtime;
    if (!runtime.hasPendingJob()) return;
    deadline = Date.now() + this.limits.timeoutMs;
    try {
      const jobs = runtime.executePendingJobs(1_000);
      if (jobs.error) {
        const error = this.describe(jobs.error);
        jobs.error.dispose();
        if (error.kind !== 'error') throw this.poison(error);
      }
    } finally {
      deadline = 0;
    }
  }

  private describe(handle: QuickJSHandle): ScriptError {
    let dumped: unknown;
    try {
      dumped = this.context.dump(handle);
    } catch {
      dumped = null;
    }
    const name = dumped && typeof dumped === 'object' && 'name' in dumped ? String((dumped as { name: unknown }).name) : 'Error';
    const message = dumped && typeof dumped === 'object' && 'message' in dumped ? String((dumped as { message: unknown }).message) : String(dumped);
    if (name === 'InternalError' && message === 'interrupted') return new ScriptError('timeout', `The script ran longer than ${this.limits.timeoutMs} ms.`, name);
    if (/out of memory/i.test(message) || dumped === null) return new ScriptError('memory', 'The script used more memory than allowed.', 'InternalError');
    if (name === 'InternalError' && /stack overflow/i.test(message)) return new ScriptError('memory', 'The script recursed too deeply.', name);
    return new ScriptError('error', message, name);
  }

  private poison(error: ScriptError): ScriptError {
    this.failure = error;
    return error;
  }
}

/** How a text field was last found to evaluate, so a plain sentence is not re-parsed as JavaScript every turn. */
const textKinds = new Map<string, 'expression' | 'template'>();
/** What the sandbox found a display text to be (undefined until it has evaluated it once). */
export function textKindOf(source: string): 'expression' | 'template' | undefined {
  return textKinds.get(source);
}
function rememberKind(source: string, kind: 'expression' | 'template'): void {
  if (textKinds.size > 20_000) textKinds.clear();
  textKinds.set(source, kind);
}

/** What a text expression shows: strings as they are, nothing for null/undefined, JSON for the rest. */
export function displayString(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
