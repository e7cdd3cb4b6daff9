/** From typed text to the search plan: synonyms, corrections, prefixes, stop words, hostile text (pure). */
import { describe, expect, it } from 'vitest';
import { planSearch, MAX_QUERY_WORDS } from './query-plan.js';
import { matchExpression } from './sqlite-index.js';
import { boundedEditDistance, SpellingCorrector } from './spelling.js';
import { Synonyms } from './synonyms.js';
import { excerpts, markdownPlainText, slugFor } from './text.js';

const synonyms = new Synonyms([
  { id: 'hypertension', language: 'en', mode: 'equivalent', terms: ['high blood pressure', 'hypertension', 'HBP'] },
  { id: 'sugar', language: 'en', mode: 'oneway', terms: ['diabetes', 'sugar'] },
  { id: 'es-infarto', language: 'es', mode: 'equivalent', terms: ['ataque al corazón', 'infarto'] },
]);
const spelling = new SpellingCorrector(
  ['diabetes', 'diet', 'hypertension', 'heart', 'attack', 'appointment', 'cancel', 'pressure', 'blood', 'high', 'pneumonia', 'vaccine', 'vaccines'].map((word) => ({ word, documents: 1 })),
);
const plan = (text: string) => planSearch(text, { synonyms, spelling });
const phrases = (text: string) => plan(text).groups.map((g) => g.alternatives.map((a) => a.words.join(' ') + (a.prefix ? '*' : '')));

describe('planSearch', () => {
  it.each([
    ['high blood pressure ', [['high blood pressure', 'hypertension', 'hbp']]],
    ['HBP', [['hbp*', 'high blood pressure', 'hypertension']]],
    ['sugar diet ', [['sugar', 'diabetes'], ['diet']]],
    // oneway: diabetes does not widen to sugar
    ['diabetes ', [['diabetes']]],
    ['Ataque al Corazón', [['ataque al corazon*', 'infarto']]],
    ['how do I cancel my appointment', [['cancel'], ['appointment*']]],
    ['how do i', [['how'], ['do'], ['i']]],
    ['vacc', [['vacc*']]],
  ])('%j → %j', (text, expected) => {
    expect(phrases(text)).toEqual(expected);
  });

  it('corrects misspellings against the vocabulary and says so', () => {
    expect(plan('diabetis diet ')).toMatchObject({ correctedQuery: 'diabetes diet' });
    expect(phrases('hart atack ')).toEqual([['heart'], ['attack']]);
    expect(phrases('numonia ')).toEqual([['pneumonia']]);
    expect(plan('high blood pressure').correctedQuery).toBeNull();
  });

  it('leaves short words, numbers and words still being typed alone', () => {
    expect(phrases('flu 2024 ')).toEqual([['flu'], ['2024']]);
    expect(phrases('hypert')).toEqual([['hypert*']]);
  });

  it.each([
    '"; DROP TABLE knowledge_articles; --',
    'NEAR(heart attack, 2) AND NOT flu OR "',
    '((((heart',
    '* - ^ : " \' ` ~ \\ / | & ?',
    '❤️‍🔥 heart 🫀 attack 😷',
    'heart* AND -attack',
    '\u0000\u0001\u0002 heart',
    'x'.repeat(10_000),
  ])('turns hostile text %# into quoted words only', (text) => {
    const expression = matchExpression(plan(text), 'all');
    // Every word is a quoted string: nothing typed becomes FTS5 syntax.
    expect(expression.replace(/"[a-z0-9 ]*"\*?/g, '').replace(/\(|\)| AND | OR /g, '').trim()).toBe('');
  });

  it('searches only the first words of a pasted page', () => {
    const text = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ');
    expect(plan(text).groups.length).toBe(MAX_QUERY_WORDS);
  });
});

describe('spelling', () => {
  it.each([
    ['kitten', 'sitting', 3, 3],
    ['hart', 'heart', 2, 1],
    ['atack', 'attack', 2, 1],
    ['teh', 'the', 2, 1],
    ['abc', 'abcdefg', 2, 3],
  ])('distance(%s, %s) within %d = %d', (a, b, max, expected) => {
    expect(boundedEditDistance(a, b, max)).toBe(expected);
  });

  it('prefers the word more articles use when two are as close', () => {
    expect(new SpellingCorrector([{ word: 'bolds', documents: 1 }, { word: 'colds', documents: 9 }]).correct('holds')).toBe('colds');
    expect(new SpellingCorrector([{ word: 'colds', documents: 9 }, { word: 'bolds', documents: 1 }]).correct('holds')).toBe('colds');
    // Nothing within the budget: no guess.
    expect(new SpellingCorrector([{ word: 'colds', documents: 9 }]).correct('xyzzy')).toBeNull();
  });
});

describe('Markdown as text', () => {
  const body = '## Signs\n\nPain or **burning** when you pee. See [the CDC](https://cdc.gov).\n\nCall us if:\n\n- you have a *fever*\n- it hurts\n\n| a | b |\n| --- | --- |\n| x | y |';
  it('keeps the words and drops the markup', () => {
    expect(markdownPlainText(body)).toBe('Signs\nPain or burning when you pee. See the CDC.\nCall us if:\nyou have a fever\nit hurts\na b x y');
  });
  it('makes excerpts of paragraphs, a list joined to its lead-in', () => {
    expect(excerpts(body)).toEqual(['Pain or burning when you pee. See the CDC.', 'Call us if: you have a fever; it hurts.', 'a b x y']);
  });
  it('makes slugs from titles', () => {
    expect(slugFor('High blood pressure (hypertension)')).toBe('high-blood-pressure-hypertension');
    expect(slugFor('¿Qué es la diabetes?')).toBe('que-es-la-diabetes');
    expect(slugFor('!!!')).toBe('article');
  });
});
