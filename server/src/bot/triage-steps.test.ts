/**
 * The `triage` and `redFlag` steps with the real triage module: the assessment lands in the
 * variable, an emergency takes the red-flag path, and a scenario still reaches its advice when the
 * text says nothing alarming.
 */
import { describe, expect, it } from 'vitest';
import { OpenApiRegistry } from '../platform/http/openapi.js';
import { createTriageModule } from '../triage/index.js';
import { engineHarness, libraryOf } from './test-support.js';

const triage = createTriageModule({ openapi: new OpenApiRegistry() }).api;
const step = (id: string, type: string, extra: object = {}, next?: string) => ({ id, type, designer: { xLocation: 0, yLocation: 0, ...(next ? { next } : {}) }, ...extra });
const library = libraryOf([
  {
    name: 'Symptoms',
    scenario_trigger: 'symptoms',
    code: {
      steps: [
        step('ask', 'prompt', { text: 'What is bothering you?', variable: 'complaint', dataType: 'string' }, 'check'),
        step('check', 'redFlag', { input: 'scenario.complaint', variable: 'assessment', targetStepId: 'urgent' }, 'assess'),
        step('assess', 'triage', { input: 'scenario.complaint', age: '34', variable: 'assessment' }, 'advice'),
        step('advice', 'statement', { text: 'Advice: ${scenario.assessment.disposition}' }),
        step('urgent', 'statement', { text: 'URGENT ${scenario.assessment.disposition}: ${scenario.assessment.instruction}' }),
      ],
    },
  },
]);

describe('triage and redFlag steps', () => {
  it.each([
    ['crushing chest pain and I am sweating', /^URGENT emergency(_ambulance)?: /],
    ['I have a runny nose and a mild sore throat since yesterday', /^Advice: (self_care|consultation)/],
  ])('%j', async (complaint, shown) => {
    const bot = await engineHarness(library, undefined, { assessor: triage });
    await bot.begin('symptoms');
    const turn = await bot.say(complaint);
    expect(turn.failure).toBeUndefined();
    expect(turn.replies.at(-1)!.body).toMatch(shown);
    expect(bot.state.answers.triageDisposition).toBeTruthy();
  });

  it('goes on without an assessor (the variable is null), so advice is still given', async () => {
    const bot = await engineHarness(library);
    await bot.begin('symptoms');
    const turn = await bot.say('crushing chest pain');
    expect(turn.failure).toBeUndefined();
    expect(turn.replies.at(-1)!.body).toMatch(/^Advice/);
  });
});
