/**
 * Triage: the symptom vocabulary file, chief-complaint protocol files (health-bot/triage/), and the
 * public triage API (`POST /api/triage/assess`, interactive sessions). Pure: zod schemas and types.
 */
import { z } from 'zod';

/** Most urgent first. `emergency_ambulance`: call 911 now; `emergency`: go to an emergency department now. */
export const TRIAGE_DISPOSITIONS = ['emergency_ambulance', 'emergency', 'consultation_24', 'consultation', 'self_care'] as const;
export type TriageDisposition = (typeof TRIAGE_DISPOSITIONS)[number];
export const triageDispositionSchema = z.enum(TRIAGE_DISPOSITIONS);

/** The three levels symptom-checker studies score against (emergent, non-emergent, self-care). */
export type TriageLevel = 'emergent' | 'non_emergent' | 'self_care';
export function triageLevelOf(disposition: TriageDisposition): TriageLevel {
  if (disposition === 'emergency_ambulance' || disposition === 'emergency') return 'emergent';
  return disposition === 'self_care' ? 'self_care' : 'non_emergent';
}
/** 4 for `emergency_ambulance` … 0 for `self_care`: higher is more urgent. */
export const urgencyOf = (disposition: TriageDisposition): number => TRIAGE_DISPOSITIONS.length - 1 - TRIAGE_DISPOSITIONS.indexOf(disposition);

export const TRIAGE_LANGUAGES = ['en', 'es'] as const;
export type TriageLanguage = (typeof TRIAGE_LANGUAGES)[number];
export const TRIAGE_SEXES = ['female', 'male', 'other'] as const;

const slug = z.string().regex(/^[a-z0-9]+(?:_[a-z0-9]+)*$/, 'must be a lower-case id with underscores').max(60);
const fileSlug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug').max(60);
const sourcesSchema = z.array(z.strictObject({ title: z.string().min(1).max(200), url: z.string().url().max(300) })).min(1).max(30);
/** Plain-language text in both shipped languages. */
export const localizedTextSchema = z.strictObject({ en: z.string().trim().min(1).max(2000), es: z.string().trim().min(1).max(2000) });
export type LocalizedText = z.infer<typeof localizedTextSchema>;

// ─── Vocabulary: health-bot/vocabulary/symptoms.json ──────────────────────────

export const symptomSchema = z.strictObject({
  id: slug,
  name: z.string().trim().min(1).max(100),
  /** English lay words, clinical names and common misspellings; the name is matched too. */
  terms: z.array(z.string().trim().min(1).max(80)).min(1).max(80),
  es: z.array(z.string().trim().min(1).max(80)).max(40).optional(),
  snomed: z.string().regex(/^\d{6,18}$/).optional(),
});
export type Symptom = z.infer<typeof symptomSchema>;

export const symptomsFileSchema = z.strictObject({
  $comment: z.string().optional(),
  version: z.literal(1),
  sources: sourcesSchema,
  symptoms: z.array(symptomSchema).min(1).max(5000),
});
export type SymptomsFile = z.infer<typeof symptomsFileSchema>;

// ─── Protocols: health-bot/triage/*.json ──────────────────────────────────────

const range = z
  .strictObject({ lt: z.number().optional(), lte: z.number().optional(), gt: z.number().optional(), gte: z.number().optional() })
  .refine((r) => Object.keys(r).length > 0, 'needs at least one of lt, lte, gt, gte');
export type NumberRange = z.infer<typeof range>;

/**
 * A rule's condition. A string is a finding id that must be present; objects combine (`all`, `any`,
 * `not`, `atLeast`) or test what is known of the patient (age in years, sex, pregnancy, temperature
 * in °C, how long it has lasted in hours).
 */
export type TriageCondition =
  | string
  | { all: TriageCondition[] }
  | { any: TriageCondition[] }
  | { not: TriageCondition }
  | { atLeast: number; of: TriageCondition[] }
  | { age: NumberRange }
  | { sex: (typeof TRIAGE_SEXES)[number] }
  | { pregnant: boolean }
  | { temperatureC: NumberRange }
  | { durationHours: NumberRange };

export const triageConditionSchema: z.ZodType<TriageCondition> = z.lazy(() =>
  z.union([
    slug,
    z.strictObject({ all: z.array(triageConditionSchema).min(1).max(30) }),
    z.strictObject({ any: z.array(triageConditionSchema).min(1).max(40) }),
    z.strictObject({ not: triageConditionSchema }),
    z.strictObject({ atLeast: z.number().int().min(1), of: z.array(triageConditionSchema).min(1).max(30) }),
    z.strictObject({ age: range }),
    z.strictObject({ sex: z.enum(TRIAGE_SEXES) }),
    z.strictObject({ pregnant: z.boolean() }),
    z.strictObject({ temperatureC: range }),
    z.strictObject({ durationHours: range }),
  ]),
);

export const triageRuleSchema = z.strictObject({
  /** Unique in its protocol: named in reasons and tests. */
  id: slug,
  when: triageConditionSchema,
  disposition: triageDispositionSchema,
  /** Why, in words a patient understands ("Chest pain with sweating can be a heart attack"). */
  reason: localizedTextSchema,
  /** Overrides the protocol's advice for this disposition (e.g. 988 for suicidal thoughts). */
  advice: localizedTextSchema.optional(),
  /** Overrides the disposition's one-line instruction ("Call or text 988 now…"). */
  instruction: localizedTextSchema.optional(),
});
export type TriageRule = z.infer<typeof triageRuleSchema>;

/** A question the protocol may ask: a finding (yes or no) or a fact about the patient. */
export const triageQuestionSchema = z.strictObject({
  /** A finding id, or `age`, `pregnant`, `temperature`, `duration`. */
  id: slug,
  text: localizedTextSchema,
});
export type TriageQuestion = z.infer<typeof triageQuestionSchema>;

export const triageProtocolSchema = z.strictObject({
  $comment: z.string().optional(),
  id: fileSlug,
  title: localizedTextSchema,
  sources: sourcesSchema,
  /** Any of these findings present makes this protocol apply (the chief complaint). */
  triggers: z.array(slug).min(1).max(40),
  /** Only for patients this holds for (e.g. `{ age: { lt: 12 } }` for a child's fever). */
  appliesTo: triageConditionSchema.optional(),
  /** Asked in this order: red flags first. */
  questions: z.array(triageQuestionSchema).max(40),
  /** Each rule that holds may raise the disposition above `default`; the most urgent wins. */
  rules: z.array(triageRuleSchema).max(80),
  default: triageDispositionSchema,
  /** Care advice for each disposition this protocol can end in. */
  advice: z.partialRecord(triageDispositionSchema, localizedTextSchema),
});
export type TriageProtocol = z.infer<typeof triageProtocolSchema>;

// ─── API ──────────────────────────────────────────────────────────────────────

/** Longer descriptions are cut to this many characters (the answer says so). */
export const TRIAGE_TEXT_LIMIT = 4000;
/** Anything longer is refused before work: a description, not a document. */
export const TRIAGE_TEXT_HARD_LIMIT = 200_000;

const demographics = {
  age: z.number().min(0).max(130).optional(),
  sex: z.enum(TRIAGE_SEXES).optional(),
  pregnant: z.boolean().optional(),
  /** Language of the answer's words; detected from the text when absent. */
  language: z.enum(TRIAGE_LANGUAGES).optional(),
};

export const triageAssessRequestSchema = z.strictObject({
  text: z.string().max(TRIAGE_TEXT_HARD_LIMIT).refine((t) => t.trim().length > 0, 'describe the symptoms in a few words'),
  ...demographics,
});
export type TriageAssessRequest = z.infer<typeof triageAssessRequestSchema>;

export interface TriageFinding {
  id: string;
  name: string;
  present: boolean;
}

export interface TriageReason {
  /** The protocol (or `global-red-flags`) and rule that decided. */
  protocol: string;
  rule: string;
  text: string;
  /** The present findings that made the rule hold. */
  findings: string[];
}

/** `text`: a free description (asked when nothing was recognised). */
export type TriageQuestionType = 'yes_no' | 'number' | 'text';
export interface TriageFollowUpQuestion {
  id: string;
  text: string;
  type: TriageQuestionType;
}

export interface TriageAssessment {
  disposition: TriageDisposition;
  level: TriageLevel;
  /** What to do now, one sentence ("Call 911 now."). */
  instruction: string;
  /** Plain-language care advice for this disposition. */
  advice: string;
  reasons: TriageReason[];
  findings: TriageFinding[];
  followUpQuestions: TriageFollowUpQuestion[];
  /** Protocols that applied (chief complaints recognised). */
  protocols: string[];
  /** Numbers read from the text or given. */
  facts: { age?: number; temperatureC?: number; durationHours?: number };
  language: TriageLanguage;
  /** Whether any symptom was recognised at all. */
  recognised: boolean;
  /** E.g. the text was cut, or no symptom was recognised. */
  notices: string[];
}

export const triageSessionStartSchema = z.strictObject({
  text: z.string().max(TRIAGE_TEXT_HARD_LIMIT).refine((t) => t.trim().length > 0, 'describe the symptoms in a few words'),
  ...demographics,
});
export type TriageSessionStart = z.infer<typeof triageSessionStartSchema>;

export const triageAnswerSchema = z.strictObject({
  questionId: slug,
  /** yes/no: true, false or the words ("yes", "no", "sí"); numbers: a number or its digits; free text adds findings. */
  answer: z.union([z.boolean(), z.number(), z.string().max(TRIAGE_TEXT_LIMIT)]),
});
export type TriageAnswer = z.infer<typeof triageAnswerSchema>;

export interface TriageSessionView {
  sessionId: string;
  status: 'asking' | 'done';
  /** The next question while `asking`. */
  question: TriageFollowUpQuestion | null;
  assessment: TriageAssessment;
  answered: number;
  expiresAt: string;
}
