/**
 * The CDC COVID-19 self-checker, exactly as Azure Health Bot exported it, runs end to end in the
 * engine: the wrapper (disclaimer, US location with its Adaptive Card, ZIP card) begins the core
 * protocol, and three paths reach their outcomes — call 911, contact a provider, stay home. Every
 * turn starts from the checkpoint as JSON, as after a restart.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ScenarioExport } from '../contracts/bot.js';
import { StringCatalog } from './strings.js';
import { CDC_CORE, CDC_STRINGS, CDC_WRAPPER, engineHarness, libraryOf, readJson, type EngineHarness } from './test-support.js';

const library = libraryOf([readJson<ScenarioExport>(CDC_WRAPPER), readJson<ScenarioExport>(CDC_CORE)]);
const strings = new StringCatalog();
strings.set('en-US', readJson<Record<string, string>>(CDC_STRINGS));

/** Answers up to the life-threatening-symptoms question: an adult woman in Maine, vaccinated. */
const INTAKE = ['I agree', 'yes', 'Maine', 'skip', 'Myself', 'yes', '30-39', 'Female', 'Female', 'No', 'White'];

describe('the CDC COVID-19 self-checker', () => {
  let bot: EngineHarness;
  beforeEach(async () => {
    bot = await engineHarness(library, strings);
  });

  async function walk(answers: readonly string[]) {
    const first = await bot.begin('covid19');
    expect(first.failure).toBeUndefined();
    for (const answer of answers) {
      const turn = await bot.say(answer);
      expect(turn.failure, `after "${answer}"`).toBeUndefined();
    }
    return bot.transcript.join('\n\n');
  }

  it('opens with the disclaimer as a choice prompt that always carries suggested actions', async () => {
    const turn = await bot.begin('covid19');
    const disclaimer = turn.replies.at(-1)!;
    expect(disclaimer.body).toContain('The purpose of the Coronavirus Self-Checker');
    expect(disclaimer.bot?.suggestedActions).toEqual([
      { title: 'I agree', value: 'I agree' },
      { title: "I don't agree", value: "I don't agree" },
    ]);
    expect(disclaimer.body).toMatch(/1\. I agree\n2\. I don't agree/);
  });

  it('asks the disclaimer again on "I don\'t agree", then goes on on "I agree" with the intro card', async () => {
    await bot.begin('covid19');
    const declined = await bot.say("I don't agree");
    expect(declined.replies.map((r) => r.body).join('\n')).toContain('Please consent to use the Coronavirus Self-Checker.');
    const agreed = await bot.say('1');
    const intro = agreed.replies[0]!;
    expect(intro.bot?.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    // The card is templated: its expressions became the localized texts.
    expect(JSON.stringify(intro.bot?.attachments?.[0]?.content)).toContain('Hi, I’m Clara.');
    expect(intro.body).toContain('Hi, I’m Clara.');
    expect(agreed.replies.at(-1)!.body).toContain('Are you in the United States');
  });

  it('path 1: life-threatening symptoms → call 911', async () => {
    const transcript = await walk([...INTAKE, 'Yes']);
    expect(transcript).toContain('**Based on your symptoms, you may need urgent medical care.** Please call 911');
    // The core protocol's own outcome record (an action step) is in the conversation scope.
    expect((bot.state.conversation.core_outcome as { core_scenario_outcomes: unknown[] }).core_scenario_outcomes[0]).toBe('msg4');
  });

  it('path 2: symptoms and medical conditions → contact a provider', async () => {
    const transcript = await walk([...INTAKE, 'No', 'No', '4', '1', 'No', 'No', 'Asthma, Diabetes (type 1 or type 2)']);
    expect(transcript).toContain('**Call your medical provider, clinician advice line, or telemedicine provider as soon as possible.**');
    expect(transcript).not.toContain('you may need urgent medical care');
  });

  it('path 3: fever and no medical conditions → stay home', async () => {
    const transcript = await walk([...INTAKE, 'No', 'No', 'I have not been tested.', 'Fever or feeling feverish', 'No', 'No', 'None of the above']);
    expect(transcript).toContain('**Stay home except to get medical care and take care of yourself.**');
    // The wrapper resumes after the core protocol ends: its user-experience question comes next.
    expect(bot.transcript.at(-1)).toContain('Will you answer **two questions**');
    expect(bot.state.stack.map((f) => f.trigger)).toEqual(['covid19']);
  });

  it('re-asks a wrong answer with help, then offers a way out after the retries', async () => {
    await bot.begin('covid19');
    const wrong = await bot.say('purple');
    expect(wrong.replies[0]!.body).toMatch(/doesn't look right.*pick one of the options/);
    expect(wrong.replies.at(-1)!.bot?.suggestedActions).toHaveLength(2);
    await bot.say('purple');
    const out = await bot.say('purple');
    expect(out.replies.at(-1)!.body).toMatch(/restart.*agent/);
    expect(bot.state.stack).toEqual([]);
  });

  it('reads a card submission as the answer to an object prompt', async () => {
    await walk(['I agree', 'yes']);
    const turn = await bot.say('', { state: 'ME' });
    expect(turn.replies.at(-1)!.body).toContain('What is your ZIP code?');
  });

  it('ends politely at the pediatric branch, which is not part of these files', async () => {
    const transcript = await walk(['I agree', 'yes', 'Maine', 'skip', 'Myself', 'yes']);
    expect(transcript).toContain('What is your age?');
    const turn = await bot.say('13-17 years');
    expect(turn.failure).toMatchObject({ kind: 'missing-scenario' });
    expect(turn.replies.at(-1)!.body).toMatch(/isn't available here/);
    expect(bot.state.stack).toEqual([]);
  });
});
