/** The pure logic of a run, in tables: which script is picked, sub-scripts inline, the path and what is left, answers, texts. */
import { describe, expect, it } from 'vitest';
import { agentScriptSchema, type AgentScript } from '../contracts/agent-scripts.js';
import { buildPlan, checkAnswer, fillText, pickScript, progressOf, type ConversationFacts } from './runner.js';

const facts = (over: Partial<ConversationFacts> = {}): ConversationFacts => ({ queue: 'general', intent: 'general', topics: [], specialties: [], words: ' ', ...over });
const candidates = [
  { id: 'scheduling', title: 'S', selection: { queues: ['scheduling'], intents: ['scheduling'], priority: 10 } },
  { id: 'cardiology', title: 'C', selection: { specialties: ['cardiology'], priority: 20 } },
  { id: 'results', title: 'R', selection: { topics: ['test-results'], priority: 5 } },
  { id: 'fallback', title: 'F', selection: {} },
];

describe('picking a script', () => {
  it.each([
    ['every stated criterion must hold', facts({ queue: 'scheduling', intent: 'billing' }), null],
    ['queue and intent', facts({ queue: 'scheduling', intent: 'scheduling' }), 'scheduling'],
    ['the higher priority wins', facts({ queue: 'scheduling', intent: 'scheduling', specialties: ['cardiology'] }), 'cardiology'],
    ['a topic in the patient’s words', facts({ words: ' i have a question about my test results ' }), 'results'],
    ['a topic named outright', facts({ topics: ['test-results'] }), 'results'],
    ['a script with no rules is never picked on its own', facts(), null],
  ])('%s', (_label, given, expected) => {
    expect(pickScript(candidates, given)?.id ?? null).toBe(expected);
  });
});

const script = (yaml: object): AgentScript => agentScriptSchema.parse(yaml);
const identity = script({
  id: 'identity',
  title: 'Identity',
  description: 'd',
  steps: [
    { id: 'verify', type: 'macro', action: 'verify-identity', required: true },
    { id: 'ok', type: 'question', text: 'Verified?', answer: 'yes-no', choices: [{ value: 'yes', label: 'Yes', next: 'end' }, { value: 'no', label: 'No' }] },
    { id: 'refuse', type: 'instruction', text: 'Share nothing.' },
  ],
});
const main = script({
  id: 'main',
  title: 'Main',
  description: 'd',
  steps: [
    { id: 'hello', type: 'instruction', text: 'Hi {{patient.firstName}}, I am {{agent.name}}.' },
    { id: 'who', type: 'sub-script', script: 'identity' },
    { id: 'what', type: 'question', text: 'What?', answer: 'choice', required: true, choices: [{ value: 'a', label: 'Apples', next: 'apples' }, { value: 'b', label: 'Bananas' }] },
    { id: 'bananas', type: 'instruction', text: 'Bananas: {{answers.what}}', required: true, next: 'end' },
    { id: 'apples', type: 'instruction', text: 'Apples' },
  ],
});
const plan = buildPlan(main, (id) => (id === 'identity' ? identity : undefined));
const at = '2026-01-01T00:00:00Z';
const answer = (value: string) => ({ value, by: null, at });

describe('a run’s path', () => {
  it('puts a sub-script’s steps inline, and its end continues after it', () => {
    expect(plan.steps.map((s) => s.id)).toEqual(['hello', 'who.verify', 'who.ok', 'who.refuse', 'what', 'bananas', 'apples']);
    expect(plan.steps.find((s) => s.id === 'who.ok')!.choices).toEqual([
      { value: 'yes', label: 'Yes', next: 'what' },
      { value: 'no', label: 'No', next: 'who.refuse' },
    ]);
  });

  it.each([
    ['nothing done', {}, [], 'hello', ['who.verify', 'what', 'bananas']],
    ['verified: the refusal step is skipped', { 'who.ok': answer('yes') }, ['hello', 'who.verify'], 'what', ['what', 'bananas']],
    ['apples: the bananas step is off the path', { 'who.ok': answer('yes'), what: answer('a') }, ['hello', 'who.verify'], 'apples', []],
    ['bananas', { 'who.ok': answer('no'), what: answer('b') }, ['hello', 'who.verify', 'who.refuse'], 'bananas', ['bananas']],
  ] as const)('%s', (_label, answers, completed, current, requiredLeft) => {
    const progress = progressOf(plan, answers, new Set(completed));
    expect(progress.current).toBe(current);
    expect(progress.requiredLeft).toEqual(requiredLeft);
  });
});

describe('answers and texts', () => {
  const step = (id: string) => plan.steps.find((s) => s.id === id)!;
  it.each([
    ['a choice', 'what', 'a', true],
    ['not a choice', 'what', 'c', false],
    ['no answer to a question', 'what', undefined, false],
    ['an answer to an instruction', 'hello', 'x', false],
    ['an instruction done', 'hello', undefined, true],
  ] as const)('%s', (_label, id, value, ok) => {
    expect(checkAnswer(step(id), value).ok).toBe(ok);
  });

  it('checks dates for real', () => {
    const date = buildPlan(script({ id: 'd', title: 'D', description: 'd', steps: [{ id: 'when', type: 'question', text: 'When?', answer: 'date' }] }), () => undefined).steps[0]!;
    expect(checkAnswer(date, '2026-02-28').ok).toBe(true);
    expect(checkAnswer(date, '2026-02-30').ok).toBe(false);
    expect(checkAnswer(date, 'tomorrow').ok).toBe(false);
  });

  it('fills known fields and marks unknown ones', () => {
    expect(fillText(step('hello').body.type === 'instruction' ? 'Hi {{patient.firstName}}, I am {{agent.name}}.' : '', step('hello'), { 'agent.name': 'Alex' }, () => null).text).toBe('Hi [patient first name], I am Alex.');
    expect(fillText('Bananas: {{answers.what}}', step('bananas'), {}, (id) => (id === 'what' ? 'Bananas' : null)).text).toBe('Bananas: Bananas');
  });
});
