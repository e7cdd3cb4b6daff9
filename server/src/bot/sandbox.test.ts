/**
 * The sandbox: scenario JavaScript sees only its scopes — no require, process, file system or
 * network — and a runaway script (an endless loop, a huge allocation, deep recursion) fails alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ScriptError, ScriptSandbox, type Scopes } from './sandbox.js';

const scopes = (): Scopes => ({ scenario: { n: 1 }, conversation: {}, user: { name: 'Ada' }, global: {} });
const env = { strings: () => JSON.stringify({ 'CDC/yes_no': '["Yes","No"]', plain: 'Hello' }), env: { IsNotProd: 'false' } };

describe('ScriptSandbox', () => {
  let sandbox: ScriptSandbox;
  beforeAll(async () => {
    sandbox = await ScriptSandbox.create({ timeoutMs: 200 });
  });

  it('evaluates expressions and actions over the scopes and hands the scopes back', () => {
    const s = sandbox.session(scopes(), env);
    expect(s.evaluate('scenario.n + 1')).toBe(2);
    s.run('const x = customLocalizedStrings["CDC/yes_no"]; scenario.choices = x; conversation.seen = true; session.trace("hi")');
    s.run('const x = 2; scenario.again = x'); // each action has its own scope: no redeclaration error
    const { scopes: out, log } = s.close();
    expect(out.scenario).toEqual({ n: 1, choices: ['Yes', 'No'], again: 2 });
    expect(out.conversation).toEqual({ seen: true });
    expect(log).toEqual([{ kind: 'trace', data: 'hi' }]);
  });

  it.each([
    ['Hello', 'Hello'],
    ['Hi there, ${user.name}!', 'Hi there, Ada!'],
    ['"Hi " + user.name', 'Hi Ada'],
    ['user.name', 'Ada'],
    ['Use `code` here', 'Use `code` here'],
    ["I'm fine.", "I'm fine."],
  ])('text %j → %j', (source, shown) => {
    const s = sandbox.session(scopes(), env);
    expect(s.text(source)).toBe(shown);
    s.close();
  });

  it.each(['require("fs")', 'process.exit(1)', 'fetch("http://127.0.0.1")', 'import("fs")', 'setTimeout(() => 1, 1)'])('has no host capability: %s', (code) => {
    const s = sandbox.session(scopes(), env);
    let error: unknown;
    try {
      const value = s.evaluate(code);
      // import() gives a promise that never resolves to a module: nothing reached the host.
      expect(value).not.toHaveProperty('readFileSync');
    } catch (err) {
      error = err;
    }
    if (error) expect(error).toBeInstanceOf(ScriptError);
    s.dispose();
  });

  it.each([
    ['while (true) {}', 'timeout'],
    ['for (;;) { Math.random(); }', 'timeout'],
    ['"x".repeat(1e9)', 'memory'],
    ['new Array(1e7).fill(0)', 'memory'],
    ['const a = []; for (;;) a.push({ n: a.length });', 'memory'],
    ['function f() { return f(); } f()', 'memory'],
  ] as const)('stops a runaway script: %s', (code, kind) => {
    const s = sandbox.session(scopes(), env);
    const started = Date.now();
    try {
      expect(() => s.run(code)).toThrow(expect.objectContaining({ kind: expect.stringMatching(kind === 'memory' ? /memory|timeout/ : /timeout/) }));
      // Allocation right up to the memory limit makes QuickJS collect garbage hard before it fails: bounded, not instant.
      expect(Date.now() - started).toBeLessThan(kind === 'memory' ? 10_000 : 2_000);
      // The session is poisoned: closing it reports the failure and frees it.
      expect(() => s.close()).toThrow(ScriptError);
    } finally {
      s.dispose();
    }
    // The next session works.
    const next = sandbox.session(scopes(), env);
    expect(next.evaluate('1 + 1')).toBe(2);
    next.close();
  });

  it('refuses scopes that grew past the state limit', async () => {
    const small = await ScriptSandbox.create({ maxStateBytes: 10_000 });
    const s = small.session(scopes(), env);
    s.run('scenario.big = "x".repeat(20000)');
    expect(() => s.close()).toThrow(/grew past/);
  });

  it('getEnv reads only what is configured, as in Azure Health Bot', () => {
    const s = sandbox.session(scopes(), env);
    expect(s.evaluate('getEnv("IsNotProd")')).toBe('false');
    expect(() => s.evaluate('getEnv("DATABASE_URL")')).toThrow(/not defined/);
    s.close();
  });

  it('evaluates quickly (one session, several evaluations)', () => {
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      const s = sandbox.session(scopes(), env);
      s.evaluate('scenario.n > 0');
      s.text('Hello ${user.name}');
      s.close();
    }
    expect((performance.now() - started) / 200).toBeLessThan(5);
  });
});
