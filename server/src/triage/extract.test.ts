/** Extraction from free text, as tables: negation, misspellings, Spanish, lay phrasing, numbers. */
import { describe, expect, it } from 'vitest';
import { extract } from './extract.js';
import { SHIPPED_SYMPTOMS_FILE, Vocabulary } from './index.js';
import { editDistance, stem } from './text.js';

const vocabulary = Vocabulary.fromFile(SHIPPED_SYMPTOMS_FILE);
const findings = (text: string) => Object.fromEntries(extract(text, vocabulary).findings);

describe('negation', () => {
  it.each([
    ['no fever', { fever: false }],
    ['denies chest pain', { chest_pain: false }],
    ['without vomiting', { vomiting: false }],
    ["I don't have a cough but my throat hurts", { cough: false, sore_throat: true }],
    ['denies chest pain, shortness of breath or nausea', { chest_pain: false, shortness_of_breath: false, nausea: false }],
    ['no fever and my throat hurts', { fever: false, sore_throat: true }],
    ['No fever. Vomiting since this morning', { fever: false, vomiting: true }],
    ['she is not pregnant', { pregnant: false }],
    ["I haven't had any diarrhea, just a headache", { diarrhea: false, headache: true }],
    ['the pain is not severe', { severe_pain: false }],
    ["I'm not sure if it's a fever", { fever: true }],
    ['sin fiebre', { fever: false }],
    ['cough, afebrile', { cough: true, fever: false }],
    ['no tengo tos', { cough: false }],
    ['no tengo fiebre ni tos', { fever: false, cough: false }],
    ['sin fiebre, me duele la garganta', { fever: false, sore_throat: true }],
  ])('%s', (text, expected) => {
    expect(findings(text)).toMatchObject(expected);
  });

  it.each([
    ["I can't breathe", 'severe_breathing_difficulty'],
    ['he is not breathing', 'not_breathing'],
    ['my baby has no wet diapers today', 'no_urine'],
    ['not getting better', 'worsening'],
    ['bleeding that won’t stop', 'severe_bleeding'],
  ])('a cue inside the symptom’s own words is part of it: %s', (text, id) => {
    expect(findings(text)[id]).toBe(true);
  });
});

describe('misspellings and lay phrasing', () => {
  it.each([
    ['feaver and vomitting', ['fever', 'vomiting']],
    ['diarhea and nausia', ['diarrhea', 'nausea']],
    ['chest pian', ['chest_pain']],
    ['my stomache hurts', ['abdominal_pain']],
    ['breathng is hard, shortnes of breath', ['shortness_of_breath']],
    ['pain in my chest going down my left arm', ['chest_pain', 'pain_spreading_arm_jaw']],
    ['my testicle suddenly started hurting really badly', ['testicular_pain']],
    ['it hurts in my chest', ['chest_pain']],
    ['throwing up and the runs', ['vomiting']],
    ['threw up twice', ['vomiting']],
    ['my tummy is killing me', ['abdominal_pain']],
    ['sweaty and clammy', ['sweating']],
  ])('%s', (text, ids) => {
    const found = findings(text);
    for (const id of ids) expect(found[id], id).toBe(true);
  });

  it.each([
    ['I ate something sweet', 'sweating'],
    ['I was painting the house', 'fainting'],
    ['my nose runs', 'diarrhea'],
    ['I feel cold', 'common_cold'],
    ['burning pain in my chest', 'burn'],
    ['hay fever', 'fever'],
  ])('does not read more than was said: %s', (text, id) => {
    expect(findings(text)[id]).toBeUndefined();
  });
});

describe('Spanish', () => {
  it.each([
    ['tengo dolor de pecho y sudor frío', ['chest_pain', 'sweating']],
    ['me duele la cabeza y tengo fiebre', ['headache', 'fever']],
    ['mi bebé tiene diarrea y vómito', ['infant', 'diarrhea', 'vomiting']],
    ['no puedo respirar', ['severe_breathing_difficulty']],
  ])('%s', (text, ids) => {
    const e = extract(text, vocabulary);
    expect(e.language).toBe('es');
    for (const id of ids) expect(e.findings.get(id), id).toBe(true);
  });
});

describe('numbers', () => {
  it.each([
    ['fever of 103 F', { temperatureC: 39.4 }],
    ['temp 39.5', { temperatureC: 39.5 }],
    ['temperature of 98.6', { temperatureC: 37 }],
    ['38,5 grados de fiebre', { temperatureC: 38.5 }],
    ['blood pressure 180/100 and sugar 300', {}],
    ['cough for 3 days', { durationHours: 72 }],
    ['for two weeks', { durationHours: 336 }],
    ['since yesterday', { durationHours: 24 }],
    ['started 20 minutes ago', { durationHours: 1 / 3 }],
    ['desde hace 3 días', { durationHours: 72 }],
    ["I'm 67", { age: 67 }],
    ['a 45 year old man', { age: 45, sex: 'male' }],
    ['my 3 month old', { age: 0.25 }],
    ['6-week-old baby', { age: 0.115 }],
    ['tengo 30 años', { age: 30 }],
    ["I'm 38 weeks pregnant", { durationHours: undefined, age: undefined, pregnant: true }],
    ['my wife is pregnant', { sex: 'female', pregnant: true }],
  ])('%s', (text, expected) => {
    const e = extract(text, vocabulary);
    const got = { temperatureC: e.temperatureC, durationHours: e.durationHours, age: e.age, sex: e.sex, pregnant: e.pregnant };
    for (const [key, value] of Object.entries(expected)) {
      if (typeof value === 'number') expect(got[key as keyof typeof got], key).toBeCloseTo(value, 2);
      else expect(got[key as keyof typeof got], key).toBe(value);
    }
  });

  it('a reading decides the fever: 98.6 °F is none, 38.5 °C is one', () => {
    expect(findings('temperature of 98.6').fever).toBe(false);
    expect(findings('my temp is 38.5').fever).toBe(true);
  });
});

describe('text helpers', () => {
  it.each([
    ['vomiting', 'vomited'],
    ['breathing', 'breathe'],
    ['headaches', 'headache'],
    ['bleeding', 'bleed'],
    ['running', 'run'],
    ['aching', 'ache'],
  ])('%s and %s share a stem', (a, b) => {
    expect(stem(a)).toBe(stem(b));
  });

  it.each([
    ['fever', 'feaver', 1],
    ['pain', 'pian', 1],
    ['cough', 'could', 2],
    ['abc', 'abcdef', 3],
  ])('edit distance %s → %s is %i', (a, b, d) => {
    expect(editDistance(a, b, 2)).toBe(Math.min(d, 3));
  });
});
