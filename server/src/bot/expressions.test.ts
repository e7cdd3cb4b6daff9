import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateNatively, templateNatively, type ExpressionScopes } from './expressions.js';
import { ScriptSandbox, displayString } from './sandbox.js';

const root = path.resolve(import.meta.dirname, '../../..');

function scopes(): ExpressionScopes {
  return {
    scenario: {
      age: 42,
      name: 'Ana',
      request: '  Billing ',
      sex: { index: 0, entity: 'Female' },
      answers: { q1: true, q2: false },
      doctors: { doctors: [{ name: 'Dr. Lee' }, { name: 'Dr. Ruiz' }] },
      empty: '',
      nothing: null,
      list: [1, 2, 3],
      scenarioArgs: { quiet: true },
      dictionary: { responses: { hello: 'Hello there' } },
    },
    conversation: { visits: 2 },
    user: { language: 'en' },
    global: {},
    session: { language: 'es', userText: 'I have a cough', displayName: 'Ana', signedIn: true, recognized: { intent: 'triage', entities: [{ type: 'symptom', text: 'cough' }], alternatives: [] } },
  };
}

/** Expressions of every shape the fast path takes, and some it must leave to the VM. */
const EXPRESSIONS = [
  '1',
  '"text"',
  'scenario.age >= 18 && scenario.age <= 120',
  'scenario.age < 18 ? "child" : "adult"',
  "session.language === 'es' ? \"¿Quiere hablar con una persona?\" : \"Would you like to talk to a person?\"",
  'Boolean(scenario.scenarioArgs && scenario.scenarioArgs.quiet)',
  'Boolean(scenario.missing)',
  'Boolean(session.signedIn)',
  'scenario.sex.index === 0 ? "female" : scenario.sex.index === 1 ? "male" : ""',
  'scenario.doctors && scenario.doctors.doctors && scenario.doctors.doctors.length > 0',
  'scenario.doctors.doctors[1].name',
  'scenario.answers',
  'scenario.list',
  "{ specialty: scenario.name, language: scenario.scenarioArgs && scenario.scenarioArgs.language || 'en', n: [1, 'two', null] }",
  'scenario.dictionary.responses.hello',
  "({ \"1\": 'triage', \"billing\": 'billing_insurance' })[String(scenario.request || '').trim().toLowerCase()] || (session.recognized && session.recognized.intent) || ''",
  "({ \"1\": 'triage' })['toString']",
  "({ \"1\": 'triage' })['constructor']",
  'scenario.name + " is " + scenario.age',
  'scenario.age + 1',
  'scenario.age - "1"',
  'scenario.age == "42"',
  'scenario.nothing == undefined',
  'scenario.nothing === undefined',
  'scenario.empty || "fallback"',
  'scenario.nothing ?? "default"',
  'scenario.missing?.deep',
  'scenario.missing.deep',
  'scenario.name.length',
  'scenario.name[0]',
  'scenario.name.toUpperCase()',
  "scenario.request.trim().startsWith('Bill')",
  'scenario.list.map(function (x) { return x * 2; })',
  'scenario.list.length',
  '!scenario.empty',
  '-scenario.age',
  'typeof scenario.age',
  'typeof scenario.list',
  'scenario.age % 5',
  'scenario.age / 0',
  'scenario.list + ""',
  '`Hi ${scenario.name}`',
  'session.trace',
  'session.recognized.entities.filter(function (e) { return e.type === "symptom"; }).length',
  'getEnv("X")',
  'Math.max(1, 2)',
  'unknownName',
  '/a+/.test(scenario.name)',
  'scenario.name.replace(/a/g, "o")',
  '"a" < "b"',
  'scenario.list < 5',
  'null',
  'undefined',
  'scenario.__proto__',
  "scenario['__proto__']",
];

const TEXTS = [
  'Pick one, or tell me in other words.',
  'Hello ${scenario.name}, you are ${scenario.age}.',
  "Hi${session.displayName ? ' ' + session.displayName : ''}, I'm the assistant.",
  'Back\\slash and `tick` and ${scenario.list.length} items',
  'Object: ${scenario.answers}',
  'Nested ${`inner ${scenario.name}`}',
  'Unclosed ${scenario.name',
  '$ and { and } alone',
];

describe('expression fast path', () => {
  let sandbox: ScriptSandbox;
  beforeAll(async () => {
    sandbox = await ScriptSandbox.create({ timeoutMs: 200 });
  });

  /** What the VM gives: its value, or the error it throws. */
  function inVm(run: (s: ReturnType<ScriptSandbox['session']>) => unknown): { value?: unknown; error?: string } {
    const session = sandbox.session(scopes(), { strings: () => '{}', session: scopes().session });
    try {
      return { value: run(session) };
    } catch (err) {
      return { error: (err as Error).name };
    } finally {
      session.dispose();
    }
  }

  it('gives exactly the value the sandbox gives, whenever it does not step aside', () => {
    let taken = 0;
    for (const expression of EXPRESSIONS) {
      const native = evaluateNatively(expression, scopes());
      if (!native) continue;
      taken++;
      const vm = inVm((s) => s.evaluate(expression));
      expect(vm.error, expression).toBeUndefined();
      expect(native.value, expression).toEqual(vm.value);
    }
    // The point of it: the common shapes do not need the VM.
    expect(taken).toBeGreaterThanOrEqual(35);
  });

  it('leaves functions, regular expressions, unknown names, builtins, errors and prototype properties to the sandbox', () => {
    for (const expression of [
      'scenario.list.map(function (x) { return x * 2; })',
      'session.trace',
      'getEnv("X")',
      'Math.max(1, 2)',
      'unknownName',
      '/a+/.test(scenario.name)',
      'scenario.name.replace(/a/g, "o")',
      'scenario.missing.deep',
      "({ \"1\": 'triage' })['toString']",
      'scenario.__proto__',
      'scenario.list + ""',
      'scenario.age - "1"',
      'scenario.age == "42"',
      'scenario.list < 5',
      '(function () { while (true) {} })()',
      'scenario.x = 1',
      'a; b',
      'not javascript at all',
    ]) {
      expect(evaluateNatively(expression, scopes()), expression).toBeUndefined();
    }
  });

  it('evaluates template texts as the sandbox does', () => {
    for (const text of TEXTS) {
      const native = templateNatively(text, scopes());
      if (!native) continue;
      const vm = inVm((s) => s.text(text));
      expect(displayString(native.value), text).toBe(vm.value);
    }
    expect(templateNatively('Hello ${scenario.name}, you are ${scenario.age}.', scopes())?.value).toBe('Hello Ana, you are 42.');
    expect(templateNatively('Object: ${scenario.answers}', scopes())).toBeUndefined();
  });

  it('hands back copies, never the scopes themselves', () => {
    const data = scopes();
    const native = evaluateNatively('scenario.answers', data);
    (native!.value as Record<string, unknown>).q1 = 'changed';
    expect(data.scenario.answers).toEqual({ q1: true, q2: false });
  });

  it('agrees with the sandbox on every expression of the shipped scenarios and the CDC export it can take', () => {
    const files = [
      ...fs.readdirSync(path.join(root, 'health-bot/scenarios')).filter((f) => f.endsWith('.json')).map((f) => path.join(root, 'health-bot/scenarios', f)),
      ...fs.readdirSync(path.join(root, '../shared/fixtures/azure-health-bot/cdc-covid19')).filter((f) => f.startsWith('covid')).map((f) => path.join(root, '../shared/fixtures/azure-health-bot/cdc-covid19', f)),
    ];
    const expressions = new Set<string>();
    for (const file of files) {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { code: unknown };
      const code = (typeof parsed.code === 'string' ? JSON.parse(parsed.code) : parsed.code) as { steps: Record<string, unknown>[] };
      for (const step of code.steps) {
        for (const key of ['condition', 'visible', 'args', 'returnValue', 'validation', 'suggestions', 'choices', 'query', 'body', 'age', 'sex', 'pregnant', 'answers']) {
          if (typeof step[key] === 'string' && step[key] !== '') expressions.add(step[key]);
        }
      }
    }
    expect(expressions.size).toBeGreaterThan(50);
    let taken = 0;
    for (const expression of expressions) {
      const native = evaluateNatively(expression, scopes());
      if (!native) continue;
      taken++;
      const vm = inVm((s) => s.evaluate(expression));
      expect(vm.error, expression).toBeUndefined();
      expect(native.value, expression).toEqual(vm.value);
    }
    expect(taken / expressions.size).toBeGreaterThan(0.5);
  });
});
