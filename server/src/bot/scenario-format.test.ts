import { describe, expect, it } from 'vitest';
import { checkScenarioCode, parseCodeText, toExport } from './scenario-format.js';

const step = (id: string, type: string, extra: object = {}, next?: string) => ({ id, type, designer: { xLocation: 0, yLocation: 0, ...(next ? { next } : {}) }, ...extra });
const check = (steps: unknown[], loopsAreErrors = true) => checkScenarioCode({ steps }, { scenarioExists: (t) => t === 'known', loopsAreErrors });

describe('checkScenarioCode', () => {
  it.each([
    ['no steps', [], null, /expected array to have >=1/],
    ['a step that is not an object', [42], null, /not an object/],
    ['a step without id', [{ type: 'statement', designer: {} }], null, /has no id/],
    ['an unknown type', [step('x', 'teleport')], 'x', /unknown type "teleport"/],
    ['a missing field', [step('b', 'branch', { targetStepId: 'b' })], 'b', /condition/],
    ['a bad scope', [step('a', 'assignVariable', { scope: 'planet', operation: 'set', variable: 'v', value: '1' })], 'a', /scope/],
    ['a bad variable name', [step('p', 'prompt', { variable: 'not valid!', dataType: 'string' })], 'p', /identifier/],
    ['a dangling next', [step('s', 'statement', { text: 'hi' }, 'gone')], 's', /"gone"/],
    ['a dangling case', [step('w', 'switch', { condition: '1', cases: [{ value: '1', targetStepId: 'nope' }] })], 'w', /cases\.0\.targetStepId/],
    ['a self-loop', [step('l', 'action', { onInit: '' }, 'l')], 'l', /loop/],
  ])('refuses %s, naming the step', (_name, steps, stepId, message) => {
    const { errors, code } = check(steps as unknown[]);
    expect(code).toBeUndefined();
    expect(errors[0]).toMatchObject({ stepId, message: expect.stringMatching(message) });
  });

  it('accepts a loop through a prompt, and warns about unknown scenarios and unreachable steps', () => {
    const { errors, warnings, code } = check([
      step('ask', 'prompt', { variable: 'x', dataType: 'number' }, 'again'),
      step('again', 'branch', { condition: 'scenario.x > 3', targetStepId: 'child' }, 'ask'),
      step('child', 'beginScenario', { scenario: 'elsewhere' }),
      step('island', 'statement', { text: 'never' }),
    ]);
    expect(errors).toEqual([]);
    expect(code?.steps).toHaveLength(4);
    expect(warnings.map((w) => w.stepId)).toEqual(['child', 'island']);
  });

  it('only warns about a loop on a draft', () => {
    const { errors, warnings } = check([step('l', 'action', { onInit: '' }, 'l')], false);
    expect(errors).toEqual([]);
    expect(warnings[0]!.message).toMatch(/loop/);
  });

  it('reads code text and writes the export back with unknown fields kept', () => {
    expect(parseCodeText('{"steps": [').error).toMatchObject({ field: 'code', message: expect.stringMatching(/not valid JSON/) });
    const raw = { steps: [step('s', 'statement', { text: 'hi', layout: 'vertical' })], version: 3 };
    const out = toExport({ id: 'i', name: 'n', trigger: 't', description: 'd', active: true, updated: 'u', userDisplayName: 'who', extra: { custom: 1 } }, raw);
    expect(out).toEqual({ name: 'n', id: 'i', scenario_trigger: 't', description: 'd', active: true, updated: 'u', userDisplayName: 'who', custom: 1, code: JSON.stringify(raw) });
  });
});
