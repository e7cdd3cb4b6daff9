/** Recognition with the built-in models, English and Spanish: intents, misspellings, low confidence, entities. */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLanguageModels, type LanguageModels } from './index.js';

let language: LanguageModels;
const NOW = new Date('2026-12-07T15:00:00Z');

beforeAll(async () => {
  language = createLanguageModels({ now: () => NOW });
  await language.ready();
}, 60_000);

describe('intents of the built-in models', () => {
  it.each([
    ['help', 'en-US', 'help', 'help'],
    ['ayuda', 'es-US', 'help', 'help'],
    ['cancel', 'en-US', 'cancel', 'cancel'],
    ['start over', 'en-US', 'restart', 'restart'],
    ['empezar de nuevo', 'es-US', 'restart', 'restart'],
    ['please forget me', 'en-US', 'forget_me', 'forget_me'],
    ['I want to talk to a real person', 'en-US', 'talk_to_person', 'agent'],
    ['quiero hablar con una persona', 'es-US', 'talk_to_person', 'agent'],
    ['hello', 'en-US', 'greeting', 'greeting'],
    ['buenos días', 'es-US', 'greeting', 'greeting'],
    ['crushing chest pain and I am sweating', 'en-US', 'triage', 'triage'],
    ['me duele mucho la cabeza y tengo fiebre', 'es-US', 'triage', 'triage'],
    ['what is asthma', 'en-US', 'condition_info', 'condition_information'],
    ['qué es la diabetes', 'es-US', 'condition_info', 'condition_information'],
    ['I need to book an appointment', 'en-US', 'book_appointment', 'book_appointment'],
    ['cancel my appointment for tomorrow', 'en-US', 'cancel_appointment', 'cancel_appointment'],
    ['quiero cambiar mi cita para el viernes', 'es-US', 'reschedule_appointment', 'reschedule_appointment'],
    ['find a pediatrician near me', 'en-US', 'find_doctor', 'find_doctor'],
    ['I need a refill of my inhaler', 'en-US', 'medication_refill', 'medication_refill'],
    ['necesito resurtir mi receta', 'es-US', 'medication_refill', 'medication_refill'],
    ['do you take my insurance', 'en-US', 'billing_insurance', 'billing_insurance'],
    ['cuánto debo de mi factura', 'es-US', 'billing_insurance', 'billing_insurance'],
    ['I want to file a complaint', 'en-US', 'feedback', 'feedback'],
    ['I was exposed to covid', 'en-US', 'covid_assessment', 'covid19'],
  ])('%s (%s) → %s', async (text, locale, intent, scenario) => {
    const r = await language.recognize(text, locale);
    expect(r.intent).toBe(intent);
    expect(r.scenario).toBe(scenario);
    expect(r.score).toBeGreaterThanOrEqual(language.threshold);
  });

  it.each([
    ['yes', 'en-US', 'yes'],
    ['sure', 'en-US', 'yes'],
    ['sí', 'es-US', 'yes'],
    ['de acuerdo', 'es-US', 'yes'],
    ['nope', 'en-US', 'no'],
    ['no', 'es-US', 'no'],
  ])('%s (%s) → %s, with no scenario', async (text, locale, intent) => {
    const r = await language.recognize(text, locale);
    expect(r.intent).toBe(intent);
    expect(r.scenario).toBeUndefined();
  });

  it('falls back to English models for another locale, Spanish ones for any Spanish', async () => {
    expect((await language.recognize('help', 'fr-FR')).intent).toBe('help');
    expect((await language.recognize('necesito una cita', 'es-MX')).intent).toBe('book_appointment');
  });
});

describe('misspelt medical words', () => {
  it.each([
    ['what is diabetis', 'en-US', 'type-2-diabetes', 'E11.9', false],
    ['i think im having a hart attack', 'en-US', 'heart-attack', 'I21.9', true],
    ['what is newmonia', 'en-US', 'pneumonia', 'J18.9', true],
    ['tell me about hypertention', 'en-US', 'hypertension', 'I10', false],
    ['what is astma', 'en-US', 'asthma', 'J45.909', true],
    ['qué es el asma', 'es-US', 'asthma', 'J45.909', false],
    ['tengo diabetis', 'es-US', 'type-2-diabetes', 'E11.9', false],
    ['información sobre la neumonia', 'es-US', 'pneumonia', 'J18.9', false],
  ])('%s finds %s (%s)', async (text, locale, id, icd10, corrected) => {
    const r = await language.recognize(text, locale);
    const condition = r.entities.find((e) => e.type === 'condition');
    expect(condition?.value).toMatchObject({ id, icd10, corrected });
    expect(text.slice(condition!.start, condition!.end)).toBe(condition!.text);
  });

  it('names both the symptom phrase and the condition inside it', async () => {
    const r = await language.recognize('i think im having a heart attack', 'en-US');
    expect(r.entities.map((e) => [e.type, e.text])).toEqual([
      ['symptom', 'having a heart attack'],
      ['condition', 'heart attack'],
    ]);
  });

  it('does not "correct" everyday words into medical ones', async () => {
    for (const text of ['I want to book an appointment', 'heat in my apartment is broken', 'my heart is fine, I need a bill']) {
      const r = await language.recognize(text, 'en-US');
      expect(r.entities.filter((e) => e.type === 'condition' && (e.value as { corrected: boolean }).corrected)).toEqual([]);
    }
  });
});

describe('list entities of the built-in models', () => {
  it.each([
    ['find me a cardiologist', 'en-US', 'cardiology', 'cardiologist'],
    ['I need a heart doctor', 'en-US', 'cardiology', 'heart doctor'],
    ['is there a pediatritian near me', 'en-US', 'pediatrics', 'pediatritian'],
    ['do you have a dermatoligist', 'en-US', 'dermatology', 'dermatoligist'],
    ['busco un cardiólogo', 'es-US', 'cardiology', 'cardiólogo'],
    ['necesito un médico de la piel', 'es-US', 'dermatology', 'médico de la piel'],
  ])('%s (%s): the specialty %s', async (text, locale, id, entityText) => {
    const r = await language.recognize(text, locale);
    expect(r.intent).toBe('find_doctor');
    expect(r.entities.find((e) => e.type === 'specialty')).toMatchObject({ text: entityText, value: { id } });
  });

  it('finds an unlisted specialty the way it finds a listed one', async () => {
    expect((await language.recognize('find an endocrinologist', 'en-US')).intent).toBe('find_doctor');
    expect((await language.recognize('tienen reumatólogo', 'es-US')).intent).toBe('find_doctor');
  });
});

describe('low confidence', () => {
  it.each([['asdf qwerty zxcv'], ['how tall is mount everest'], ['cuéntame un chiste'], ['']])('%j has no intent', async (text) => {
    const r = await language.recognize(text, /é/.test(text) ? 'es-US' : 'en-US');
    expect(r.intent).toBeNull();
    expect(r.score).toBeLessThan(language.threshold);
  });

  it('offers the best alternatives when unsure', async () => {
    const strict = createLanguageModels({ threshold: 0.99, entities: false });
    const r = await strict.recognize('i have a question about my appointment bill', 'en-US');
    expect(r.intent).toBeNull();
    expect(r.alternatives.length).toBeGreaterThan(0);
    expect(r.alternatives.length).toBeLessThanOrEqual(3);
    expect(r.alternatives.map((a) => a.intent)).toEqual(expect.arrayContaining(['billing_insurance']));
    expect(r.alternatives[0]!.score).toBeGreaterThanOrEqual(r.alternatives.at(-1)!.score);
  });

  it('cuts a very long text and still answers at once', async () => {
    const started = performance.now();
    const r = await language.recognize(`I need a refill ${'please '.repeat(20_000)}`, 'en-US');
    expect(r.intent).toBe('medication_refill');
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('entities', () => {
  it.each([
    ['book me for next tuesday at 3pm', 'en-US', 'datetime', 'next tuesday at 3pm', '2026-12-15 15:00:00'],
    ['can I come tomorrow', 'en-US', 'date', 'tomorrow', '2026-12-08'],
    ['at 10:30 am', 'en-US', 'time', '10:30 am', '10:30:00'],
    ['quiero una cita mañana a las 10', 'es-US', 'datetime', 'mañana a las 10', '2026-12-08 10:00:00'],
    ['el lunes', 'es-US', 'date', 'lunes', '2026-12-07'],
  ])('%s (%s): %s %s', async (text, locale, type, entityText, value) => {
    const r = await language.recognize(text, locale);
    const entity = r.entities.find((e) => e.type === type);
    expect(entity?.text).toBe(entityText);
    expect(JSON.stringify(entity?.value)).toContain(value);
    expect(text.slice(entity!.start, entity!.end)).toBe(entityText);
  });

  it.each([
    ['I need 2 refills', 'en-US', 2],
    ['I take thirty two pills a month', 'en-US', 32],
    ['tengo treinta y dos años', 'es-US', 32],
  ])('%s: the number %d', async (text, locale, value) => {
    const r = await language.recognize(text, locale);
    expect(r.entities.find((e) => e.type === 'number')?.value).toBe(value);
  });

  it.each([
    ['yes please', 'en-US', true],
    ['nope', 'en-US', false],
    ['sí', 'es-US', true],
    ['no', 'es-US', false],
  ])('%s: yes/no %s', async (text, locale, value) => {
    expect((await language.recognize(text, locale)).entities.find((e) => e.type === 'boolean')?.value).toBe(value);
  });

  it('says "una cita" is no number, and finds nothing in plain words', async () => {
    expect((await language.recognize('quiero una cita', 'es-US')).entities).toEqual([]);
    expect((await language.recognize('find a doctor', 'en-US')).entities).toEqual([]);
  });
});

describe('with a symptoms vocabulary', () => {
  it('finds symptoms as entities and sends an unsure symptom description to triage', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symptoms-'));
    const file = path.join(dir, 'symptoms.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        symptoms: [
          { id: 'pruritus', name: 'itching', terms: ['itchy', 'itching', 'itchiness'], es: ['comezón', 'picazón'] },
          { id: 'shortness_of_breath', name: 'shortness of breath', terms: ['short of breath', 'cant breathe'], es: ['falta de aire'], redFlag: true },
        ],
      }),
    );
    try {
      const withSymptoms = createLanguageModels({ symptomsFile: file, entities: false });
      const itchy = await withSymptoms.recognize('itchiness', 'en-US');
      expect(itchy.entities).toEqual([{ type: 'symptom', text: 'itchiness', start: 0, end: 9, value: { id: 'pruritus', name: 'itching', corrected: false } }]);
      expect(itchy).toMatchObject({ intent: 'triage', scenario: 'triage' });
      const breath = await withSymptoms.recognize('I am so short of breth', 'en-US');
      expect(breath.entities[0]).toMatchObject({ type: 'symptom', text: 'short of breth', value: { id: 'shortness_of_breath', corrected: true } });
      expect(breath.intent).toBe('triage');
      expect((await withSymptoms.recognize('tengo mucha picazón', 'es-US')).entities[0]).toMatchObject({ type: 'symptom', text: 'picazón' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a symptoms file of the wrong shape, naming the field', async () => {
    await expect(() => createLanguageModels({ symptomsFile: fileURLToPath(new URL('../../../../health-bot/vocabulary/synonyms.json', import.meta.url)) }).ready()).rejects.toThrow(/synonyms\.json: symptoms/);
  });
});
