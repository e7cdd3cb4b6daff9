/**
 * The server's recognizer over the real built-in language models: intents reported as the triggers
 * of published scenarios, a request for a person always winning, numbers and yes/no left to the
 * waiting prompt, and the keyword table as the last resort.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createLanguageModels, type LanguageModels } from './language/index.js';
import { KeywordRecognizer } from './participant.js';
import { CombinedRecognizer } from './recognizers.js';

let language: LanguageModels;
const published = new Set(['greeting', 'help', 'cancel', 'restart', 'agent', 'emergency', 'triage', 'book_appointment', 'reschedule_appointment', 'billing_insurance', 'condition_information', 'covid19', 'feedback', 'goodbye']);
const recognizer = () => new CombinedRecognizer(language, new KeywordRecognizer(() => published), (t) => published.has(t));

beforeAll(async () => {
  language = createLanguageModels({ entities: false });
  await language.ready();
});

describe('CombinedRecognizer', () => {
  it.each([
    ['I need to book an appointment', 'book_appointment'],
    ['necesito una cita', 'book_appointment'],
    ['what is astma', 'condition_information'],
    ['my throat hurts and I have a fever', 'triage'],
    ['help', 'help'],
    ['covid', 'covid19'],
    ['thanks', 'goodbye'],
    ['ok thank you so much', 'goodbye'],
    ['thanks for the great care', 'feedback'],
  ])('"%s" → %s', async (text, trigger) => {
    expect((await recognizer().recognize(text, 'en-US')).intent).toBe(trigger);
  });

  it('hears thanks in Spanish as a goodbye', async () => {
    expect((await recognizer().recognize('muchas gracias', 'es-US')).intent).toBe('goodbye');
  });

  it('gives a person to whoever asks for one, even about something the bot could do', async () => {
    for (const text of ['I would like to talk to a person about moving my appointment', 'can I speak with a real person', 'quiero hablar con una persona', 'agent']) {
      expect((await recognizer().recognize(text, 'en-US')).intent, text).toBe('agent');
    }
    // A mention is not a request.
    expect((await recognizer().recognize('a person at work coughed on me and now I have a sore throat', 'en-US')).intent).not.toBe('agent');
  });

  it('leaves numbers and yes/no to the prompt that is waiting', async () => {
    for (const text of ['4', 'yes', 'no']) expect((await recognizer().recognize(text, 'en-US')).intent, text).toBeNull();
  });

  it('reports no intent for a scenario that is not published, and offers the published alternatives', async () => {
    const r = await recognizer().recognize('I want to cancel my appointment', 'en-US');
    expect(r.intent).not.toBe('cancel_appointment');
    expect(r.alternatives?.every((a) => published.has(a.trigger))).toBe(true);
  });
});
