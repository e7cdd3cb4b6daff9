/**
 * The survey's skip rules (contracts/surveys.ts `showIf`) applied live while the patient answers,
 * and the answers that may be submitted. Pure; DOM-free.
 */
import type { SkipRule, SurveyAnswers, SurveyQuestion } from '../../../src/contracts/surveys.js';

type Answer = SurveyAnswers[string];

/** True when the rule's earlier question is answered and its answer matches. */
export function ruleMatches(rule: SkipRule, answers: Readonly<Record<string, Answer | undefined>>): boolean {
  const answer = answers[rule.questionId];
  if (answer === undefined || answer === '') return false;
  if (rule.equals !== undefined && answer !== rule.equals) return false;
  if (rule.atLeast !== undefined && !(typeof answer === 'number' && answer >= rule.atLeast)) return false;
  if (rule.atMost !== undefined && !(typeof answer === 'number' && answer <= rule.atMost)) return false;
  return true;
}

/**
 * The questions to show, in order. A question whose rule refers to a hidden question is hidden too
 * (its answer does not count: it will not be submitted).
 */
export function visibleQuestions(questions: readonly SurveyQuestion[], answers: Readonly<Record<string, Answer | undefined>>): SurveyQuestion[] {
  const shown: SurveyQuestion[] = [];
  const counted: Record<string, Answer | undefined> = {};
  for (const q of questions) {
    if (q.showIf && !ruleMatches(q.showIf, counted)) continue;
    shown.push(q);
    counted[q.id] = answers[q.id];
  }
  return shown;
}

export type SurveyCheck = { ok: true; answers: SurveyAnswers } | { ok: false; missing: SurveyQuestion[] };

/** The answers to submit (visible questions only, blanks dropped), or the required ones still missing. */
export function answersToSubmit(questions: readonly SurveyQuestion[], answers: Readonly<Record<string, Answer | undefined>>): SurveyCheck {
  const result: SurveyAnswers = {};
  const missing: SurveyQuestion[] = [];
  for (const q of visibleQuestions(questions, answers)) {
    const raw = answers[q.id];
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === undefined || value === '') {
      if (q.required) missing.push(q);
      continue;
    }
    result[q.id] = value;
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, answers: result };
}

/** The choices a question offers as buttons (text questions have none). */
export function choicesFor(type: SurveyQuestion['type']): Array<number | boolean> {
  if (type === 'csat') return [1, 2, 3, 4, 5];
  if (type === 'nps') return Array.from({ length: 11 }, (_, i) => i);
  if (type === 'yesno') return [true, false];
  return [];
}
