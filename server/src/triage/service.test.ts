/** The service never throws on text a person (or a script) could send, and stays fast on the longest. */
import { describe, expect, it } from 'vitest';
import { TRIAGE_DISPOSITIONS, TRIAGE_TEXT_LIMIT } from '../contracts/triage.js';
import { isAppError } from '../platform/errors.js';
import { SHIPPED_PROTOCOLS_DIR, SHIPPED_SYMPTOMS_FILE, TriageService, Vocabulary, loadProtocols } from './index.js';
import { yesOrNo } from './service.js';

const vocabulary = Vocabulary.fromFile(SHIPPED_SYMPTOMS_FILE);
const service = new TriageService(vocabulary, loadProtocols(SHIPPED_PROTOCOLS_DIR, vocabulary));

let seed = 12345;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const WORDS = ['no', 'not', 'pain', 'chest', 'fever', '103', 'F', 'for', '3', 'days', ',', '.', 'but', 'sin', 'dolor', 'I’m', '67', 'baby', 'pregnant', 'can’t', 'breathe', '10/10', '°', 'ñ', '😀', '\u0000', '-', 'year-old', 'since', 'yesterday', 'denies', 'my', 'testicle', 'hurts'];

describe('hostile and random text', () => {
  it('answers 500 random word salads and character soups with a disposition or a clear 4xx error', () => {
    for (let i = 0; i < 500; i++) {
      const text =
        i % 2 === 0
          ? Array.from({ length: 1 + Math.floor(random() * 60) }, () => WORDS[Math.floor(random() * WORDS.length)]).join(random() < 0.5 ? ' ' : '')
          : String.fromCharCode(...Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 0xffff)));
      try {
        const result = service.assess({ text });
        expect(TRIAGE_DISPOSITIONS).toContain(result.disposition);
      } catch (err) {
        expect(isAppError(err) && err.status < 500, String(err)).toBe(true);
      }
    }
  });

  it('reads the longest allowed description of symptom words in a few milliseconds', () => {
    const text = 'no fever but crushing chest pain, vomiting for 3 days and my back hurts. '.repeat(100).slice(0, TRIAGE_TEXT_LIMIT);
    service.assess({ text });
    const start = performance.now();
    for (let i = 0; i < 10; i++) service.assess({ text });
    expect((performance.now() - start) / 10).toBeLessThan(50);
  });
});

describe('yes or no in words', () => {
  it.each([
    ['yes', true],
    ['Yeah, it does', true],
    ['sí', true],
    ['no', false],
    ['Nope.', false],
    ['not really', false],
    ['maybe', undefined],
  ])('%s', (text, expected) => {
    expect(yesOrNo(text)).toBe(expected);
  });
});
