import { describe, expect, it } from 'vitest';
import { chatCardSchema } from '@carebridge/server/contracts';
import { articleCard, prefilledQuery } from './knowledge-card.js';

describe('articleCard', () => {
  it('is a valid article card linking to the portal page', () => {
    const card = articleCard({ id: 'high-blood-pressure', title: 'High blood pressure (hypertension)', summary: 'What it is.', language: 'en' });
    expect(card).toEqual({
      type: 'article',
      title: 'High blood pressure (hypertension)',
      text: 'What it is.',
      actions: [{ label: 'Read the article', url: '/portal/#/library/high-blood-pressure' }],
    });
    expect(chatCardSchema.safeParse(card).success).toBe(true);
  });
  it('speaks Spanish for a Spanish article', () => {
    expect(articleCard({ id: 'presion-alta', title: 'Presión alta', summary: 'Qué es.', language: 'es' }).actions?.[0]?.label).toBe('Leer el artículo');
  });
});

describe('prefilledQuery', () => {
  it.each([
    [null, ''],
    [{ intent: 'billing', summary: 'Patient asked for a person (billing, English) after 2 message(s): "I have a question about my bill"' }, 'I have a question about my bill'],
    [{ intent: 'pharmacy', summary: 'Patient asked for a person' }, 'pharmacy'],
    [{ intent: 'unknown', summary: 'Patient asked for a person' }, ''],
    [{ intent: 'red-flag', summary: 'Possible emergency (red-flag, English) after 1 message(s): "chest pain"' }, 'chest pain'],
  ])('%j → %j', (packet, expected) => {
    expect(prefilledQuery(packet)).toBe(expected);
  });
});
