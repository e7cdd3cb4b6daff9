import { describe, expect, it } from 'vitest';
import type { SurveyQuestion } from '../../../src/contracts/surveys.js';
import { answersToSubmit, choicesFor, ruleMatches, visibleQuestions } from './survey.js';

const questions: SurveyQuestion[] = [
  { id: 'csat', type: 'csat', text: 'How satisfied are you?', required: true },
  { id: 'what-went-wrong', type: 'text', text: 'What went wrong?', required: true, showIf: { questionId: 'csat', atMost: 2 } },
  { id: 'resolved', type: 'yesno', text: 'Was your question answered?', required: false },
  { id: 'follow-up', type: 'yesno', text: 'May we call you?', required: false, showIf: { questionId: 'resolved', equals: false } },
  { id: 'nps', type: 'nps', text: 'Would you recommend us?', required: false },
  { id: 'promoter-why', type: 'text', text: 'What did you like?', required: false, showIf: { questionId: 'nps', atLeast: 9 } },
  { id: 'why-call', type: 'text', text: 'When should we call?', required: false, showIf: { questionId: 'follow-up', equals: true } },
];
const ids = (qs: SurveyQuestion[]) => qs.map((q) => q.id);

describe('survey skip rules', () => {
  it.each([
    [{ questionId: 'a', equals: 'x' }, { a: 'x' }, true],
    [{ questionId: 'a', equals: 'x' }, { a: 'y' }, false],
    [{ questionId: 'a', equals: true }, { a: true }, true],
    [{ questionId: 'a', equals: false }, { a: true }, false],
    [{ questionId: 'a', equals: false }, {}, false],
    [{ questionId: 'a', atLeast: 9 }, { a: 9 }, true],
    [{ questionId: 'a', atLeast: 9 }, { a: 8 }, false],
    [{ questionId: 'a', atMost: 2 }, { a: 2 }, true],
    [{ questionId: 'a', atMost: 2 }, { a: 3 }, false],
    [{ questionId: 'a', atLeast: 2, atMost: 4 }, { a: 5 }, false],
    [{ questionId: 'a', atLeast: 2, atMost: 4 }, { a: 3 }, true],
    [{ questionId: 'a', atLeast: 1 }, { a: 'text' }, false],
    [{ questionId: 'a', atMost: 10 }, { a: '' }, false],
  ])('rule %j with %j → %s', (rule, answers, expected) => {
    expect(ruleMatches(rule, answers)).toBe(expected);
  });

  it('shows follow-up questions as the answers arrive, and hides chains whose first link is hidden', () => {
    expect(ids(visibleQuestions(questions, {}))).toEqual(['csat', 'resolved', 'nps']);
    expect(ids(visibleQuestions(questions, { csat: 1 }))).toEqual(['csat', 'what-went-wrong', 'resolved', 'nps']);
    expect(ids(visibleQuestions(questions, { csat: 5, resolved: false, 'follow-up': true, nps: 10 }))).toEqual([
      'csat', 'resolved', 'follow-up', 'nps', 'promoter-why', 'why-call',
    ]);
    // Changing "resolved" to yes hides "follow-up", and with it "why-call" although follow-up was answered.
    expect(ids(visibleQuestions(questions, { csat: 5, resolved: true, 'follow-up': true }))).toEqual(['csat', 'resolved', 'nps']);
  });

  it('submits only visible, non-blank answers and names the required ones still missing', () => {
    expect(answersToSubmit(questions, { csat: 5, 'what-went-wrong': 'left over from a low score', resolved: true, 'follow-up': true, nps: 3, 'promoter-why': '  ' })).toEqual({
      ok: true,
      answers: { csat: 5, resolved: true, nps: 3 },
    });
    const missing = answersToSubmit(questions, { csat: 2, 'what-went-wrong': '   ' });
    expect(missing.ok).toBe(false);
    expect(!missing.ok && ids(missing.missing)).toEqual(['what-went-wrong']);
    expect(answersToSubmit(questions, {})).toMatchObject({ ok: false });
    expect(answersToSubmit(questions, { csat: 2, 'what-went-wrong': ' Slow ' })).toEqual({ ok: true, answers: { csat: 2, 'what-went-wrong': 'Slow' } });
  });

  it('offers CSAT 1–5, NPS 0–10 and yes/no as choices', () => {
    expect(choicesFor('csat')).toEqual([1, 2, 3, 4, 5]);
    expect(choicesFor('nps')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(choicesFor('yesno')).toEqual([true, false]);
    expect(choicesFor('text')).toEqual([]);
  });
});
