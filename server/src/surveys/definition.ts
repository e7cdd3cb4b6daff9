/**
 * The follow-up survey as data: the built-in default, which questions a set of answers shows (skip
 * rules), answer validation, and the FHIR shapes it is stored as (Questionnaire once per version of
 * the definition, a QuestionnaireResponse per answer set). Pure functions, no I/O.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Questionnaire, QuestionnaireItem, QuestionnaireItemEnableWhen, QuestionnaireResponse, QuestionnaireResponseItem } from '@medplum/fhirtypes';
import {
  surveyDefinitionSchema,
  type SkipRule,
  type SurveyAnswers,
  type SurveyDefinition,
  type SurveyDefinitionInput,
  type SurveyQuestion,
} from '../contracts/surveys.js';

/** Used when `SURVEY_CONFIG` names no file. */
export const DEFAULT_SURVEY_INPUT: SurveyDefinitionInput = {
  id: 'chat-follow-up',
  title: 'How did we do?',
  optOutQueues: [],
  questions: [
    { id: 'csat', type: 'csat', text: 'How satisfied are you with the help you received?', required: true },
    { id: 'nps', type: 'nps', text: 'How likely are you to recommend us to a friend or family member?' },
    { id: 'resolved', type: 'yesno', text: 'Was your question resolved?' },
    { id: 'improve', type: 'text', text: 'What could we do better?', showIf: { questionId: 'csat', atMost: 3 } },
  ],
};
export const DEFAULT_SURVEY: SurveyDefinition = surveyDefinitionSchema.parse(DEFAULT_SURVEY_INPUT);

/** Score ranges per question type. */
const RANGES = { csat: { min: 1, max: 5 }, nps: { min: 0, max: 10 } } as const;
export const MAX_TEXT_ANSWER = 2000;

/** True when the rule lets its question be asked, given the answer to the earlier question. */
export function ruleMatches(rule: SkipRule, earlier: SurveyAnswers[string] | undefined): boolean {
  if (earlier === undefined) return false;
  if (rule.equals !== undefined && earlier !== rule.equals) return false;
  if (rule.atLeast !== undefined && !(typeof earlier === 'number' && earlier >= rule.atLeast)) return false;
  if (rule.atMost !== undefined && !(typeof earlier === 'number' && earlier <= rule.atMost)) return false;
  return true;
}

/** The questions asked, given the answers so far (a question whose rule fails is skipped). */
export function shownQuestions(survey: SurveyDefinition, answers: SurveyAnswers): SurveyQuestion[] {
  return survey.questions.filter((q) => !q.showIf || ruleMatches(q.showIf, answers[q.showIf.questionId]));
}

export interface AnswerProblem {
  questionId: string;
  message: string;
}

function checkValue(question: SurveyQuestion, value: SurveyAnswers[string]): string | undefined {
  switch (question.type) {
    case 'csat':
    case 'nps': {
      const { min, max } = RANGES[question.type];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return `must be a whole number from ${min} to ${max}`;
      return undefined;
    }
    case 'yesno':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'text':
      if (typeof value !== 'string') return 'must be text';
      if (value.trim().length === 0) return 'must not be empty (leave the question out instead)';
      if (value.length > MAX_TEXT_ANSWER) return `must be at most ${MAX_TEXT_ANSWER} characters`;
      return undefined;
  }
}

/**
 * Every problem with an answer set: unknown questions, values of the wrong type or out of range,
 * required questions left out, and answers to questions their skip rule leaves out.
 */
export function answerProblems(survey: SurveyDefinition, answers: SurveyAnswers): AnswerProblem[] {
  const problems: AnswerProblem[] = [];
  const known = new Set(survey.questions.map((q) => q.id));
  for (const id of Object.keys(answers)) {
    if (!known.has(id)) problems.push({ questionId: id, message: 'is not a question of this survey' });
  }
  const shown = new Set(shownQuestions(survey, answers).map((q) => q.id));
  for (const question of survey.questions) {
    const value = answers[question.id];
    if (!shown.has(question.id)) {
      if (value !== undefined) problems.push({ questionId: question.id, message: 'is skipped by its rule given the other answers: leave it out' });
      continue;
    }
    if (value === undefined) {
      if (question.required) problems.push({ questionId: question.id, message: 'is required' });
      continue;
    }
    const problem = checkValue(question, value);
    if (problem) problems.push({ questionId: question.id, message: problem });
  }
  return problems;
}

/** Text answers trimmed; everything else as given (call after `answerProblems` found none). */
export function normalizeAnswers(answers: SurveyAnswers): SurveyAnswers {
  return Object.fromEntries(Object.entries(answers).map(([id, v]) => [id, typeof v === 'string' ? v.trim() : v]));
}

/** The first CSAT and NPS answers, which the supervisor lists aggregate. */
export function scoresOf(survey: SurveyDefinition, answers: SurveyAnswers): { csat: number | null; nps: number | null } {
  const first = (type: 'csat' | 'nps') => {
    const q = survey.questions.find((x) => x.type === type && typeof answers[x.id] === 'number');
    return q ? (answers[q.id] as number) : null;
  };
  return { csat: first('csat'), nps: first('nps') };
}

// --- FHIR ---

export const QUESTIONNAIRE_URL_PREFIX = 'urn:carebridge:survey:';
/** Extension on each QuestionnaireResponse carrying the chat it follows (conversation, agent, queue). */
export const SURVEY_CONTEXT_EXTENSION = 'urn:carebridge:fhir:StructureDefinition:survey-context';
export const CONVERSATION_IDENTIFIER_SYSTEM = 'urn:carebridge:conversation';

export interface QuestionnaireRef {
  id: string;
  url: string;
  version: string;
  /** `url|version`, what a QuestionnaireResponse points at. */
  canonical: string;
}

/**
 * Where a definition lives in the FHIR store. The version is a hash of the definition, so an edited
 * survey file gives a new Questionnaire and old answers keep pointing at the questions they answered;
 * the id is derived from url and version, so storing it again is a no-op.
 */
export function questionnaireRef(survey: SurveyDefinition): QuestionnaireRef {
  const url = `${QUESTIONNAIRE_URL_PREFIX}${survey.id}`;
  const version = createHash('sha256').update(JSON.stringify(survey)).digest('hex').slice(0, 16);
  const id = `survey-${createHash('sha256').update(`${url}|${version}`).digest('hex').slice(0, 32)}`;
  return { id, url, version, canonical: `${url}|${version}` };
}

function enableWhen(rule: SkipRule, earlier: SurveyQuestion): QuestionnaireItemEnableWhen[] {
  const value = (v: string | number | boolean): Partial<QuestionnaireItemEnableWhen> =>
    typeof v === 'boolean' ? { answerBoolean: v } : typeof v === 'string' ? { answerString: v } : Number.isInteger(v) ? { answerInteger: v } : { answerDecimal: v };
  const conditions: QuestionnaireItemEnableWhen[] = [];
  if (rule.equals !== undefined) conditions.push({ question: earlier.id, operator: '=', ...value(rule.equals) });
  if (rule.atLeast !== undefined) conditions.push({ question: earlier.id, operator: '>=', ...value(rule.atLeast) });
  if (rule.atMost !== undefined) conditions.push({ question: earlier.id, operator: '<=', ...value(rule.atMost) });
  return conditions;
}

export function toQuestionnaire(survey: SurveyDefinition, ref: QuestionnaireRef, date: string): Questionnaire & { id: string } {
  const byId = new Map(survey.questions.map((q) => [q.id, q]));
  const item = survey.questions.map((q): QuestionnaireItem => {
    const conditions = q.showIf ? enableWhen(q.showIf, byId.get(q.showIf.questionId)!) : [];
    const range = q.type === 'csat' || q.type === 'nps' ? RANGES[q.type] : undefined;
    return {
      linkId: q.id,
      text: q.text,
      type: q.type === 'yesno' ? 'boolean' : q.type === 'text' ? 'text' : 'integer',
      required: q.required,
      ...(range
        ? {
            extension: [
              { url: 'http://hl7.org/fhir/StructureDefinition/minValue', valueInteger: range.min },
              { url: 'http://hl7.org/fhir/StructureDefinition/maxValue', valueInteger: range.max },
            ],
          }
        : {}),
      ...(q.type === 'text' ? { maxLength: MAX_TEXT_ANSWER } : {}),
      ...(conditions.length > 0 ? { enableWhen: conditions, enableBehavior: 'all' as const } : {}),
    };
  });
  return {
    resourceType: 'Questionnaire',
    id: ref.id,
    url: ref.url,
    version: ref.version,
    name: `CarebridgeSurvey_${survey.id.replace(/[^A-Za-z0-9]/g, '_')}`,
    title: survey.title,
    status: 'active',
    subjectType: ['Patient'],
    date,
    item,
  };
}

export interface ResponseContext {
  conversationId: string;
  agentId: string | null;
  queue: string | null;
  /** Set when the chat was with a signed-in patient. */
  patientId: string | null;
  authored: string;
}

export function toQuestionnaireResponse(
  survey: SurveyDefinition,
  ref: QuestionnaireRef,
  answers: SurveyAnswers,
  context: ResponseContext,
): QuestionnaireResponse & { id: string } {
  const item = survey.questions
    .filter((q) => answers[q.id] !== undefined)
    .map((q): QuestionnaireResponseItem => {
      const v = answers[q.id]!;
      const answer = typeof v === 'boolean' ? { valueBoolean: v } : typeof v === 'number' ? { valueInteger: v } : { valueString: v };
      return { linkId: q.id, text: q.text, answer: [answer] };
    });
  const contextParts = [
    { url: 'conversation', valueString: context.conversationId },
    ...(context.agentId ? [{ url: 'agent', valueString: context.agentId }] : []),
    ...(context.queue ? [{ url: 'queue', valueString: context.queue }] : []),
  ];
  return {
    resourceType: 'QuestionnaireResponse',
    id: randomUUID(),
    identifier: { system: CONVERSATION_IDENTIFIER_SYSTEM, value: context.conversationId },
    extension: [{ url: SURVEY_CONTEXT_EXTENSION, extension: contextParts }],
    questionnaire: ref.canonical,
    status: 'completed',
    ...(context.patientId ? { subject: { reference: `Patient/${context.patientId}` } } : {}),
    authored: context.authored,
    item,
  };
}
