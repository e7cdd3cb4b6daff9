/**
 * Follow-up surveys after a live chat: the survey definition a clinic configures, the offer the
 * patient receives in the chat (and as a link), the answers, and the lists supervisors read.
 * Answers are stored as FHIR QuestionnaireResponse (the definition as a Questionnaire). Pure zod.
 */
import { z } from 'zod';

export const SURVEY_QUESTION_TYPES = ['csat', 'nps', 'yesno', 'text'] as const;
export type SurveyQuestionType = (typeof SURVEY_QUESTION_TYPES)[number];

const questionId = z.string().min(1).max(64).regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and - only');

/**
 * Skip rule: the question is asked only when the earlier question `questionId` was answered and its
 * answer matches (`equals`), or lies within `atLeast`/`atMost` (CSAT/NPS scores).
 */
export const skipRuleSchema = z
  .strictObject({
    questionId,
    equals: z.union([z.string().max(200), z.number(), z.boolean()]).optional(),
    atLeast: z.number().optional(),
    atMost: z.number().optional(),
  })
  .refine((r) => r.equals !== undefined || r.atLeast !== undefined || r.atMost !== undefined, { message: 'give equals, atLeast or atMost' });
export type SkipRule = z.infer<typeof skipRuleSchema>;

export const surveyQuestionSchema = z.strictObject({
  id: questionId,
  /** csat: 1–5; nps: 0–10; yesno: boolean; text: free text up to 2,000 characters. */
  type: z.enum(SURVEY_QUESTION_TYPES),
  text: z.string().min(1).max(500),
  required: z.boolean().default(false),
  showIf: skipRuleSchema.optional(),
});
export type SurveyQuestion = z.infer<typeof surveyQuestionSchema>;

/** The clinic's survey (file named by `SURVEY_CONFIG`, else a built-in default). */
export const surveyDefinitionSchema = z
  .strictObject({
    id: questionId,
    title: z.string().min(1).max(200),
    /** Queues whose conversations get no survey. */
    optOutQueues: z.array(z.string().min(1).max(64)).max(100).default([]),
    questions: z.array(surveyQuestionSchema).min(1).max(30),
  })
  .superRefine((survey, ctx) => {
    const seen = new Set<string>();
    for (const [i, q] of survey.questions.entries()) {
      if (seen.has(q.id)) ctx.addIssue({ code: 'custom', path: ['questions', i, 'id'], message: `duplicate question id ${q.id}` });
      if (q.showIf && !seen.has(q.showIf.questionId)) {
        ctx.addIssue({ code: 'custom', path: ['questions', i, 'showIf'], message: `showIf must refer to an earlier question` });
      }
      seen.add(q.id);
    }
  });
export type SurveyDefinition = z.infer<typeof surveyDefinitionSchema>;
export type SurveyDefinitionInput = z.input<typeof surveyDefinitionSchema>;

export const surveyAnswerValueSchema = z.union([z.number(), z.boolean(), z.string().max(2000)]);
/** Answers by question id; questions skipped by their rule must be absent. */
export const surveyAnswersSchema = z.record(questionId, surveyAnswerValueSchema);
export type SurveyAnswers = z.infer<typeof surveyAnswersSchema>;

/** What the patient is shown: in the chat (`survey:offer` on `/patient`) and by link. */
export interface SurveyOffer {
  conversationId: string;
  /** Opaque, single-use; also in the link. */
  token: string;
  /** Absolute link to answer outside the chat: `${PUBLIC_URL}/survey/<token>`. */
  url: string;
  survey: { id: string; title: string; questions: SurveyQuestion[] };
}

/**
 * `/patient` event: the survey still open for one of the caller's conversations (after a reload or on
 * another device), acked `{ ok: true, offer: SurveyOffer | null }`; the offer carries a fresh token.
 */
export const surveyPendingSchema = z.strictObject({ conversationId: z.string().min(1).max(100) });

/** `/patient` event: answer in the chat. */
export const surveySubmitSchema = z.strictObject({ token: z.string().min(10).max(200), answers: surveyAnswersSchema });

/**
 * REST, no sign-in (the token is the credential):
 * - `GET /api/surveys/by-token/:token` → `SurveyByTokenResponse` (404 unknown, 410 expired)
 * - `POST /api/surveys/by-token/:token` body `{ answers }` → 201 `{ id }` (409 already answered, 400 bad answers)
 */
export const surveyByTokenResponseSchema = z.object({
  conversationId: z.string(),
  survey: z.object({ id: z.string(), title: z.string(), questions: z.array(z.any()) }),
  answered: z.boolean(),
});
export type SurveyByTokenResponse = { conversationId: string; survey: SurveyOffer['survey']; answered: boolean };
export const surveySubmitBodySchema = z.strictObject({ answers: surveyAnswersSchema });

/** One stored answer set, as supervisors list them. */
export interface SurveyResponseView {
  /** QuestionnaireResponse id. */
  id: string;
  conversationId: string;
  agentId: string | null;
  queue: string | null;
  submittedAt: string;
  answers: SurveyAnswers;
}

/** `GET /api/surveys/responses?agentId=&queue=&limit=` (supervisor, admin). */
export const surveyResponsesQuerySchema = z.strictObject({
  agentId: z.string().min(1).max(100).optional(),
  queue: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export interface SurveyResponsesResponse {
  items: SurveyResponseView[];
  summary: {
    count: number;
    /** Mean of CSAT answers (1–5), null when none. */
    csatAverage: number | null;
    /** % promoters − % detractors over NPS answers, null when none. */
    nps: number | null;
    /** Per agent and per queue: count, CSAT mean, NPS. */
    byAgent: { agentId: string; count: number; csatAverage: number | null; nps: number | null }[];
    byQueue: { queue: string; count: number; csatAverage: number | null; nps: number | null }[];
  };
}

export interface SurveyServerEvents {
  'survey:offer': (offer: SurveyOffer) => void;
}
