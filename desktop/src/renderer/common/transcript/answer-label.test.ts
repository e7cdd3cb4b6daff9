import { describe, expect, it } from 'vitest';
import { answerLabel } from './HandoffPacketView.js';

describe('answerLabel: collected answers as people read them', () => {
  it.each([
    ['lastMessage', 'Last message'],
    ['date_of_birth', 'Date of birth'],
    ['symptom-onset', 'Symptom onset'],
    ['reason', 'Reason'],
    ['How long have you had a fever?', 'How long have you had a fever?'],
  ])('%s → %s', (key, label) => {
    expect(answerLabel(key)).toBe(label);
  });
});
