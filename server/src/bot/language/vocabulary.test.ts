/** Misspelling tolerance and vocabulary matching, as tables. */
import { describe, expect, it } from 'vitest';
import { FuzzyWords, allowedEdits, boundedDistance } from './fuzzy.js';
import { foldedText, languageOf, tokenize } from './text.js';
import { MedicalVocabulary } from './vocabulary.js';

describe('boundedDistance', () => {
  it.each([
    ['diabetes', 'diabetes', 2, 0],
    ['diabetis', 'diabetes', 2, 1],
    ['diabtees', 'diabetes', 2, 1], // a swap is one edit
    ['numonia', 'pneumonia', 2, 2],
    ['asma', 'asthma', 2, 2],
    ['cat', 'pneumonia', 2, 3], // more than max: max + 1
    ['', 'abc', 3, 3],
  ])('%s → %s (max %d) = %d', (a, b, max, expected) => {
    expect(boundedDistance(a, b, max)).toBe(expected);
  });
});

describe('allowedEdits', () => {
  it.each([
    [3, 0],
    [4, 1],
    [7, 1],
    [8, 2],
    [14, 2],
  ])('a word of %d letters may carry %d', (length, edits) => {
    expect(allowedEdits(length)).toBe(edits);
  });
});

describe('FuzzyWords', () => {
  const words = new FuzzyWords(['diabetes', 'pneumonia', 'asthma', 'heart', 'attack', 'gout']);
  it.each([
    ['diabetis', ['diabetes']],
    ['pnuemonia', ['pneumonia']],
    ['newmonia', ['pneumonia']],
    ['hart', ['heart']],
    ['diabetes', []], // known
    ['got', []], // too short
    ['banana', []],
  ])('%s → %j', (word, expected) => {
    expect(words.corrections(word).map((c) => c.word)).toEqual(expected);
  });
});

describe('two edits need the same start', () => {
  const words = new FuzzyWords(['vesicula', 'pneumonia', 'diabetes']);
  it.each([
    ['pelicula', []], // v/p: two edits from "vesícula", another word
    ['numonia', ['pneumonia']], // the silent p dropped
    ['diabetus', ['diabetes']],
    ['xiabetis', []],
  ])('%s → %j', (word, expected) => {
    expect(words.corrections(word).map((c) => c.word)).toEqual(expected);
  });
});

describe('text', () => {
  it('folds case, accents and apostrophes, and keeps offsets in the text as typed', () => {
    expect(tokenize('¿Tengo PRESIÓN alta? Crohn’s')).toEqual([
      { word: 'tengo', start: 1, end: 6 },
      { word: 'presion', start: 7, end: 14 },
      { word: 'alta', start: 15, end: 19 },
      { word: 'crohns', start: 21, end: 28 },
    ]);
    expect(foldedText("  I DON'T   know!! ")).toBe('i dont know');
  });
  it.each([
    ['en-US', 'en'],
    ['es-US', 'es'],
    ['es-MX', 'es'],
    ['ES', 'es'],
    ['fr-FR', 'en'],
    ['', 'en'],
  ])('%j uses %s', (locale, language) => {
    expect(languageOf(locale)).toBe(language);
  });
});

describe('MedicalVocabulary.find', () => {
  const vocabulary = new MedicalVocabulary(
    [
      { entry: { type: 'condition', id: 'heart-attack', name: 'Heart attack', icd10: 'I21.9' }, terms: { en: ['heart attack', 'mi'], es: ['infarto', 'ataque al corazón'] } },
      { entry: { type: 'condition', id: 'heart-failure', name: 'Heart failure', icd10: 'I50.9' }, terms: { en: ['heart failure', 'congestive heart failure'], es: [] } },
      { entry: { type: 'condition', id: 'pneumonia', name: 'Pneumonia', icd10: 'J18.9' }, terms: { en: ['pneumonia'], es: ['neumonía'] } },
      { entry: { type: 'symptom', id: 'heart-racing', name: 'Racing heart' }, terms: { en: ['racing heart', 'heart racing'], es: [] } },
    ],
    { en: ['heat', 'i', 'have', 'my', 'is'], es: [] },
  );
  const find = (text: string, language: 'en' | 'es' = 'en') =>
    vocabulary.find(tokenize(text), language).map((m) => `${m.entry.id}${m.edits ? `~${m.edits}` : ''}`);

  it.each([
    ['i had a heart attack', 'en', ['heart-attack']],
    ['congestive heart failure and pneumonia', 'en', ['heart-failure', 'pneumonia']], // longest first
    ['hart attack', 'en', ['heart-attack~1']], // a four-letter word inside a phrase
    ['hart', 'en', []], // …but not alone
    ['heat attack', 'en', []], // "heat" is an everyday word: never corrected
    ['pnuemonia', 'en', ['pneumonia~1']], // two letters swapped: one edit
    ['my heart is racing', 'en', []], // not the phrase
    ['heart racing', 'en', ['heart-racing']],
    ['tuve un infarto', 'es', ['heart-attack']],
    ['ataque al corazon', 'es', ['heart-attack']],
    ['heart attack', 'es', []], // each language its own terms
    ['tengo neumonia', 'es', ['pneumonia']],
  ])('%s (%s) → %j', (text, language, expected) => {
    expect(find(text, language as 'en' | 'es')).toEqual(expected);
  });
});
