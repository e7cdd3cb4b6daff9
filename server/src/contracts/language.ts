/**
 * The health bot's language: the medical vocabulary files in `health-bot/vocabulary/` (conditions,
 * symptoms), the language model files in `health-bot/language-models/`, the custom models bot
 * authors edit over REST, and what intent recognition answers. Pure zod, no runtime dependencies.
 */
import { z } from 'zod';

/** The locales the bot ships models for; any other locale falls back to its language, then English. */
export const BOT_LOCALES = ['en-US', 'es-US'] as const;
export type BotLocale = (typeof BOT_LOCALES)[number];

const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug').max(80);
const term = z.string().trim().min(1).max(80);

/**
 * An ICD-10-CM code as the tabular list writes it: a letter, two characters, and up to four more
 * after the dot (`I10`, `E11.9`, `S06.0X0A`). Whether the code exists is checked by review against
 * the tabular list, not here.
 */
export const icd10cmCodeSchema = z.string().regex(/^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$/, 'must be an ICD-10-CM code such as E11.9');

export const conditionSchema = z.strictObject({
  id: slug,
  icd10: icd10cmCodeSchema,
  /** The plain name shown to patients. */
  name: z.string().trim().min(1).max(120),
  /** English: plain names, lay synonyms, abbreviations and common misspellings. */
  terms: z.array(term).min(2).max(40),
  /** Spanish terms (may include misspellings and regional words). */
  es: z.array(term).max(40),
});
export type Condition = z.infer<typeof conditionSchema>;

const sourceSchema = z.strictObject({ title: z.string().min(1).max(200), publisher: z.string().min(1).max(200), url: z.url().optional() });

/** `health-bot/vocabulary/conditions.json`. */
export const conditionsFileSchema = z
  .strictObject({
    $comment: z.string().optional(),
    version: z.literal(1),
    /** The code set release the codes were checked against, e.g. `ICD-10-CM FY2026`. */
    codeSet: z.string().min(1).max(40),
    sources: z.array(sourceSchema).min(1).max(50),
    conditions: z.array(conditionSchema).min(1).max(5_000),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.conditions.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['conditions', i, 'id'], message: `duplicate id ${c.id}` });
      seen.add(c.id);
    });
  });
export type ConditionsFile = z.infer<typeof conditionsFileSchema>;

/**
 * The part of `health-bot/vocabulary/symptoms.json` the language models read (the triage protocols
 * own the file and may add fields, so unknown fields are allowed).
 */
export const symptomsVocabularySchema = z.object({
  symptoms: z.array(
    z.object({
      id: z.string().min(1).max(80),
      name: z.string().min(1).max(200),
      terms: z.array(z.string().min(1).max(200)).max(1_000),
      es: z.array(z.string().min(1).max(200)).max(1_000).optional(),
    }),
  ),
});
export type SymptomsVocabulary = z.infer<typeof symptomsVocabularySchema>;

// ---------------------------------------------------------------------------------------------
// Language models
// ---------------------------------------------------------------------------------------------

export const LANGUAGE_MODEL_LIMITS = {
  intents: 100,
  utterancesPerIntent: 500,
  utterances: 5_000,
  utteranceLength: 300,
  patternsPerIntent: 50,
  patternLength: 500,
  textLength: 2_000,
} as const;

export const intentNameSchema = z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'must start with a letter: a–z, 0–9, _ . - (at most 64)');
/** A scenario's trigger, as the scenario engine names it. */
export const scenarioTriggerSchema = z.string().regex(/^[A-Za-z0-9_./-]{1,100}$/, 'must be a scenario trigger (letters, digits, _ . / -)');
export const languageModelIdSchema = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug').max(64);

const utterance = z.string().trim().min(1).max(LANGUAGE_MODEL_LIMITS.utteranceLength);
const utteranceList = z.array(utterance).max(LANGUAGE_MODEL_LIMITS.utterancesPerIntent);
const pattern = z.string().min(1).max(LANGUAGE_MODEL_LIMITS.patternLength);
const patternList = z.array(pattern).max(LANGUAGE_MODEL_LIMITS.patternsPerIntent);
export const utterancesByLocaleSchema = z.strictObject({ 'en-US': utteranceList.optional(), 'es-US': utteranceList.optional() });

/** One intent of a built-in model file: example utterances per locale, and optional RegEx patterns. */
export const builtInIntentSchema = z.strictObject({
  intent: intentNameSchema,
  scenario: scenarioTriggerSchema.optional(),
  description: z.string().max(300).optional(),
  utterances: utterancesByLocaleSchema,
  /** Patterns (RE2 syntax) over the folded text (lower case, no accents): a match scores 1. */
  patterns: z.strictObject({ 'en-US': patternList.optional(), 'es-US': patternList.optional() }).optional(),
});

/** `health-bot/language-models/<id>.json`. */
export const builtInModelFileSchema = z.strictObject({
  $comment: z.string().optional(),
  id: languageModelIdSchema,
  name: z.string().min(1).max(100),
  description: z.string().max(500),
  intents: z.array(builtInIntentSchema).min(1).max(LANGUAGE_MODEL_LIMITS.intents),
});
export type BuiltInModelFile = z.infer<typeof builtInModelFileSchema>;

const modelHead = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(500).default(''),
  enabled: z.boolean().default(true),
};

export const regexModelDefinitionSchema = z.strictObject({
  kind: z.literal('regex'),
  ...modelHead,
  intents: z
    .array(
      z.strictObject({
        intent: intentNameSchema,
        scenario: scenarioTriggerSchema.optional(),
        /** RE2 syntax, matched against the folded text; a match scores 1. */
        patterns: z.array(pattern).min(1).max(LANGUAGE_MODEL_LIMITS.patternsPerIntent),
        /** Locales the patterns apply to (none: every locale). */
        locales: z.array(z.enum(BOT_LOCALES)).max(2).optional(),
      }),
    )
    .min(1)
    .max(LANGUAGE_MODEL_LIMITS.intents),
});

export const nlpModelDefinitionSchema = z
  .strictObject({
    kind: z.literal('nlp'),
    ...modelHead,
    intents: z
      .array(z.strictObject({ intent: intentNameSchema, scenario: scenarioTriggerSchema.optional(), utterances: utterancesByLocaleSchema }))
      .min(1)
      .max(LANGUAGE_MODEL_LIMITS.intents),
  })
  .superRefine((model, ctx) => {
    let total = 0;
    model.intents.forEach((intent, i) => {
      const count = (intent.utterances['en-US']?.length ?? 0) + (intent.utterances['es-US']?.length ?? 0);
      if (count === 0) ctx.addIssue({ code: 'custom', path: ['intents', i, 'utterances'], message: `intent ${intent.intent} needs at least one utterance` });
      total += count;
    });
    if (total > LANGUAGE_MODEL_LIMITS.utterances) {
      ctx.addIssue({ code: 'custom', path: ['intents'], message: `at most ${LANGUAGE_MODEL_LIMITS.utterances} utterances in a model (this one has ${total})` });
    }
  });

/** What a bot author saves: a RegEx model or a model trained from utterances. */
export const customModelDefinitionSchema = z.discriminatedUnion('kind', [regexModelDefinitionSchema, nlpModelDefinitionSchema]);
export type CustomModelDefinition = z.infer<typeof customModelDefinitionSchema>;
export type RegexModelDefinition = z.infer<typeof regexModelDefinitionSchema>;
export type NlpModelDefinition = z.infer<typeof nlpModelDefinitionSchema>;

/** `PUT /api/bot/language-models/:id`: the definition, and the version the author opened (a save that raced another's is a 409). */
export const saveLanguageModelRequestSchema = z.strictObject({
  model: customModelDefinitionSchema,
  baseVersion: z.number().int().min(0).max(1_000_000).optional(),
});
export type SaveLanguageModelRequest = z.infer<typeof saveLanguageModelRequestSchema>;

export const LANGUAGE_MODEL_KINDS = ['builtin', 'regex', 'nlp'] as const;
export type LanguageModelKind = (typeof LANGUAGE_MODEL_KINDS)[number];

/** Accuracy on utterances held out of training (every fifth of each intent and locale). */
export interface ModelEvaluation {
  trained: number;
  heldOut: number;
  /** Share of held-out utterances recognized as their own intent; null when nothing was held out. */
  accuracy: number | null;
  perIntent: Array<{ intent: string; heldOut: number; correct: number }>;
  /** The first misses, to show the author what to add. */
  misses: Array<{ utterance: string; locale: BotLocale; expected: string; got: string | null; score: number }>;
}

export interface LanguageModelSummary {
  id: string;
  name: string;
  kind: LanguageModelKind;
  description: string;
  enabled: boolean;
  /** Built-in models are version 0 (they change with the shipped files). */
  version: number;
  intents: Array<{ intent: string; scenario: string | null }>;
  updatedAt: string | null;
  updatedBy: string | null;
  evaluation: ModelEvaluation | null;
}

export interface LanguageModelDetail extends LanguageModelSummary {
  definition: CustomModelDefinition | BuiltInModelFile;
  versions: Array<{ version: number; createdAt: string; createdBy: string | null }>;
}

export const recognizeRequestSchema = z.strictObject({
  text: z.string().max(LANGUAGE_MODEL_LIMITS.textLength),
  locale: z.string().regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'must be a locale such as en-US').default('en-US'),
});

export interface RecognizedEntity {
  /** `condition`, `symptom`, `datetime`, `date`, `time`, `number`, `boolean`… */
  type: string;
  text: string;
  value: unknown;
  /** Offsets in the text as given (end exclusive). */
  start: number;
  end: number;
}

export interface Recognition {
  /** Null below the confidence threshold: the bot says it did not understand and offers `alternatives`. */
  intent: string | null;
  score: number;
  scenario?: string;
  entities: RecognizedEntity[];
  alternatives: Array<{ intent: string; score: number; scenario?: string }>;
  /** The model that gave the intent (or the best alternative). */
  model?: string;
}
