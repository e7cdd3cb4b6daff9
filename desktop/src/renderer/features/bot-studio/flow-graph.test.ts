import { describe, expect, it } from 'vitest';
import { buildFlowGraph, stepJumps } from './flow-graph.js';
import { STEP_TYPES } from '@carebridge/server/contracts/bot';
import { parseCodeText, scenarioJsonSchema, stepLines } from './scenario-text.js';

const step = (id: string, type: string, extra: object = {}, next?: string) => ({ id, type, designer: { ...(next ? { next } : {}) }, ...extra });

describe('the flow graph', () => {
  it('lays steps out in layers by distance from the first step, with the unreachable ones last', () => {
    const graph = buildFlowGraph([
      step('ask', 'yesno', { text: 'Are you OK?', variable: 'ok' }, 'check'),
      step('check', 'branch', { condition: 'scenario.ok', targetStepId: 'good' }, 'bad'),
      step('good', 'statement', { text: 'Great' }),
      step('bad', 'handoff', { text: 'Let me find someone' }),
      step('orphan', 'statement', { text: 'Nobody comes here' }),
    ]);
    expect(graph.nodes.map((n) => [n.id, n.layer, n.index, n.reachable])).toEqual([
      ['ask', 0, 0, true],
      ['check', 1, 0, true],
      ['good', 2, 0, true],
      ['bad', 2, 1, true],
      ['orphan', 3, 0, false],
    ]);
    expect(graph.edges).toEqual([
      { from: 'ask', to: 'check', label: 'next', dangling: false },
      { from: 'check', to: 'good', label: 'true', dangling: false },
      { from: 'check', to: 'bad', label: 'false', dangling: false },
    ]);
    expect([graph.layers, graph.widest]).toEqual([4, 2]);
  });

  it.each([
    ['switch cases and otherwise', step('s', 'switch', { condition: 'x', cases: [{ value: '1', targetStepId: 'a' }, { value: '2', targetStepId: 'b' }] }, 'c'), ['a:= 1', 'b:= 2', 'c:otherwise']],
    ['a prompt’s retry target', step('p', 'prompt', { retryFailedStepId: 'r' }, 'n'), ['n:next', 'r:retries used up']],
    ['a data connection’s error step', step('d', 'dataConnection', { errorStepId: 'e' }, 'n'), ['n:next', 'e:on error']],
    ['a red flag', step('f', 'redFlag', { targetStepId: 'er' }, 'n'), ['er:red flag', 'n:no red flag']],
    ['an end step', step('x', 'end'), []],
  ])('names the jumps of %s', (_what, s, jumps) => {
    expect(stepJumps(s).map((j) => `${j.to}:${j.label}`)).toEqual(jumps);
  });

  it('marks a jump to a step that does not exist, and survives a loop', () => {
    const graph = buildFlowGraph([step('a', 'statement', {}, 'b'), step('b', 'branch', { condition: 'true', targetStepId: 'a' }, 'missing')]);
    expect(graph.edges.map((e) => [e.to, e.dangling])).toEqual([
      ['b', false],
      ['a', false],
      ['missing', true],
    ]);
    expect(graph.nodes.map((n) => n.layer)).toEqual([0, 1]);
  });
});

describe('the scenario text', () => {
  it('finds each step’s line, and where the JSON is broken', () => {
    const text = '{\n  "steps": [\n    {\n      "id": "first",\n      "type": "statement"\n    },\n    {\n      "id": "sec\\"ond"\n    }\n  ]\n}\n';
    expect([...stepLines(text)]).toEqual([
      ['first', 4],
      ['sec"ond', 8],
    ]);
    const broken = parseCodeText('{\n  "steps": [\n    { "id": "a", }\n  ]\n}');
    expect(broken.ok).toBe(false);
    expect(broken.ok ? 0 : broken.line).toBe(3);
    expect(parseCodeText('{ "steps": [] }')).toMatchObject({ ok: false, message: expect.stringContaining('steps') });
    expect(parseCodeText('{ "steps": [{ "id": "a" }] }')).toMatchObject({ ok: true });
  });
});

describe('the editor’s JSON schema', () => {
  it('describes every step type of the contract and offers each as a snippet', () => {
    const schema = scenarioJsonSchema() as { properties: { steps: { items: { oneOf: { properties: { type: { const: string; description?: string } } }[]; defaultSnippets: { label: string; body: { type: string } }[] } } } };
    const items = schema.properties.steps.items;
    expect(items.oneOf.map((v) => v.properties.type.const)).toEqual([...STEP_TYPES]);
    expect(items.oneOf.every((v) => (v.properties.type.description ?? '').length > 10)).toBe(true);
    expect(items.defaultSnippets.map((s) => s.body.type)).toEqual([...STEP_TYPES]);
  });
});
