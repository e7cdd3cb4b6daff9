import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { surveyDefinitionSchema, type SurveyAnswers } from '../contracts/surveys.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { validateStructure } from '../fhir/index.js';
import { surveyDefinitionFor } from './config.js';
import {
  DEFAULT_SURVEY,
  answerProblems,
  questionnaireRef,
  scoresOf,
  shownQuestions,
  toQuestionnaire,
  toQuestionnaireResponse,
} from './definition.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-survey-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the default survey and its skip rule', () => {
  it('asks CSAT (required), NPS, resolved, and "what could we do better" only when CSAT is 3 or less', () => {
    expect(DEFAULT_SURVEY.questions.map((q) => [q.id, q.type, q.required])).toEqual([
      ['csat', 'csat', true],
      ['nps', 'nps', false],
      ['resolved', 'yesno', false],
      ['improve', 'text', false],
    ]);
    expect(shownQuestions(DEFAULT_SURVEY, { csat: 5 }).map((q) => q.id)).toEqual(['csat', 'nps', 'resolved']);
    expect(shownQuestions(DEFAULT_SURVEY, { csat: 3 }).map((q) => q.id)).toEqual(['csat', 'nps', 'resolved', 'improve']);
    expect(shownQuestions(DEFAULT_SURVEY, {}).map((q) => q.id)).toEqual(['csat', 'nps', 'resolved']);
  });

  const cases: { answers: SurveyAnswers; problems: string[] }[] = [
    { answers: { csat: 5 }, problems: [] },
    { answers: { csat: 2, nps: 0, resolved: false, improve: 'Shorter wait' }, problems: [] },
    { answers: { csat: 1, nps: 10, resolved: true }, problems: [] },
    { answers: {}, problems: ['csat is required'] },
    { answers: { nps: 9 }, problems: ['csat is required'] },
    { answers: { csat: 0 }, problems: ['csat must be a whole number from 1 to 5'] },
    { answers: { csat: 6 }, problems: ['csat must be a whole number from 1 to 5'] },
    { answers: { csat: 4.5 }, problems: ['csat must be a whole number from 1 to 5'] },
    { answers: { csat: '5' }, problems: ['csat must be a whole number from 1 to 5'] },
    { answers: { csat: 5, nps: 11 }, problems: ['nps must be a whole number from 0 to 10'] },
    { answers: { csat: 5, nps: -1 }, problems: ['nps must be a whole number from 0 to 10'] },
    { answers: { csat: 5, resolved: 'yes' }, problems: ['resolved must be true or false'] },
    { answers: { csat: 5, resolved: 1 }, problems: ['resolved must be true or false'] },
    { answers: { csat: 5, improve: 'Nothing' }, problems: ['improve is skipped by its rule given the other answers: leave it out'] },
    { answers: { csat: 2, improve: '   ' }, problems: ['improve must not be empty (leave the question out instead)'] },
    { answers: { csat: 2, improve: 7 }, problems: ['improve must be text'] },
    { answers: { csat: 5, mood: 'happy' }, problems: ['mood is not a question of this survey'] },
  ];
  it.each(cases)('answers $answers → $problems', ({ answers, problems }) => {
    expect(answerProblems(DEFAULT_SURVEY, answers).map((p) => `${p.questionId} ${p.message}`)).toEqual(problems);
  });

  it('takes the first CSAT and NPS answers as the scores', () => {
    expect(scoresOf(DEFAULT_SURVEY, { csat: 4, nps: 9 })).toEqual({ csat: 4, nps: 9 });
    expect(scoresOf(DEFAULT_SURVEY, { csat: 4 })).toEqual({ csat: 4, nps: null });
  });

  it('supports equals and atLeast rules on yes/no and score questions', () => {
    const survey = surveyDefinitionSchema.parse({
      id: 'custom',
      title: 'Custom',
      questions: [
        { id: 'resolved', type: 'yesno', text: 'Resolved?', required: true },
        { id: 'why-not', type: 'text', text: 'Why not?', showIf: { questionId: 'resolved', equals: false } },
        { id: 'nps', type: 'nps', text: 'Recommend?' },
        { id: 'praise', type: 'text', text: 'What did you like?', showIf: { questionId: 'nps', atLeast: 9 } },
      ],
    });
    expect(shownQuestions(survey, { resolved: false }).map((q) => q.id)).toEqual(['resolved', 'why-not', 'nps']);
    expect(shownQuestions(survey, { resolved: true, nps: 9 }).map((q) => q.id)).toEqual(['resolved', 'nps', 'praise']);
    expect(answerProblems(survey, { resolved: true, 'why-not': 'x' })).toHaveLength(1);
    expect(answerProblems(survey, { resolved: true, nps: 8, praise: 'x' })).toHaveLength(1);
  });
});

describe('FHIR shapes', () => {
  it('builds a valid Questionnaire (with the skip rule as enableWhen) and a valid QuestionnaireResponse', () => {
    const ref = questionnaireRef(DEFAULT_SURVEY);
    expect(ref.url).toBe('urn:carebridge:survey:chat-follow-up');
    expect(ref.canonical).toBe(`${ref.url}|${ref.version}`);
    // Same definition, same id and version: storing it again is a no-op.
    expect(questionnaireRef(surveyDefinitionSchema.parse(JSON.parse(JSON.stringify(DEFAULT_SURVEY))))).toEqual(ref);
    const questionnaire = toQuestionnaire(DEFAULT_SURVEY, ref, '2025-01-02T03:04:05.000Z');
    expect(() => validateStructure(questionnaire)).not.toThrow();
    expect(questionnaire.item?.[3]).toMatchObject({ linkId: 'improve', type: 'text', enableWhen: [{ question: 'csat', operator: '<=', answerInteger: 3 }] });

    const response = toQuestionnaireResponse(DEFAULT_SURVEY, ref, { csat: 2, resolved: false, improve: 'Faster' }, {
      conversationId: 'c-1',
      agentId: 'agent-1',
      queue: 'billing',
      patientId: 'p-1',
      authored: '2025-01-02T03:04:05.000Z',
    });
    expect(() => validateStructure(response)).not.toThrow();
    expect(response).toMatchObject({
      status: 'completed',
      questionnaire: ref.canonical,
      subject: { reference: 'Patient/p-1' },
      item: [
        { linkId: 'csat', answer: [{ valueInteger: 2 }] },
        { linkId: 'resolved', answer: [{ valueBoolean: false }] },
        { linkId: 'improve', answer: [{ valueString: 'Faster' }] },
      ],
    });
    expect(response).not.toHaveProperty('encounter');
  });

  it('gives an edited definition a new version', () => {
    const edited = surveyDefinitionSchema.parse({ ...DEFAULT_SURVEY, title: 'Tell us' });
    expect(questionnaireRef(edited).version).not.toBe(questionnaireRef(DEFAULT_SURVEY).version);
    expect(questionnaireRef(edited).id).not.toBe(questionnaireRef(DEFAULT_SURVEY).id);
  });
});

describe('SURVEY_CONFIG', () => {
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const failure = (file: string): string => {
    try {
      surveyDefinitionFor(loadConfig({ SURVEY_CONFIG: file }));
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('uses the built-in survey when unset, and a valid file when set', () => {
    expect(surveyDefinitionFor(loadConfig({}))).toBe(DEFAULT_SURVEY);
    const file = write('ok.json', JSON.stringify({ id: 'short', title: 'Quick one', optOutQueues: ['pharmacy'], questions: [{ id: 'nps', type: 'nps', text: 'Recommend?' }] }));
    expect(surveyDefinitionFor(loadConfig({ SURVEY_CONFIG: file }))).toMatchObject({ id: 'short', optOutQueues: ['pharmacy'] });
  });

  it('stops with one line naming the variable for a missing file, bad JSON, or an invalid survey', () => {
    const lines = [
      failure(path.join(dir, 'missing.json')),
      failure(write('bad.json', '{ "id": ')),
      failure(write('invalid.json', JSON.stringify({ id: 'x', title: 'X', questions: [{ id: 'q', type: 'stars', text: 'Q' }] }))),
      failure(write('rule.json', JSON.stringify({ id: 'x', title: 'X', questions: [{ id: 'q', type: 'text', text: 'Q', showIf: { questionId: 'later', equals: 1 } }] }))),
    ];
    for (const line of lines) {
      expect(line).toMatch(/^Invalid environment variable SURVEY_CONFIG: /);
      expect(line).not.toContain('\n');
    }
    expect(lines[0]).toMatch(/cannot read/);
    expect(lines[1]).toMatch(/not valid JSON/);
    expect(lines[2]).toMatch(/questions\.0\.type/);
    expect(lines[3]).toMatch(/earlier question/);
  });
});
