/**
 * The health bot (issue 12): scenarios in Azure Health Bot's export format, the scenario REST bodies
 * and the Direct Line 3.0–shaped channel API. Pure zod, no runtime dependencies.
 *
 * A scenario export is `{ name, id, scenario_trigger, description, active, updated, userDisplayName,
 * code }` where `code` is a JSON *string* of `{ steps[], version, breaking, interrupting,
 * returningMessage }`. Every step has `id`, `type` and `designer { next, xLocation, yLocation }`, plus its
 * type's fields. Text fields are JavaScript expressions or template strings evaluated in the sandbox
 * over `scenario`, `conversation`, `user`, `global` and `session`. Step objects are loose: fields we do
 * not interpret (an editor's `label`, `layout`, `listStyle`…) are kept, so an export round-trips.
 */
import { z } from 'zod';

export const BOT_AUTHOR_ROLES = ['bot-author', 'admin'] as const;
export const BOT_LOCALES = ['en-US', 'es-US'] as const;
export const BASE_LOCALE = 'en-US';
export type BotLocale = (typeof BOT_LOCALES)[number];

/** The largest `code` string an import takes (the 241-step CDC core protocol is about 115 kB). */
export const MAX_SCENARIO_CODE_CHARS = 2_000_000;
export const MAX_SCENARIO_STEPS = 2_000;
/** The longest text the bot shows in one message; longer texts are cut with a notice. */
export const MAX_BOT_TEXT_CHARS = 3_500;
/** The longest patient text the engine reads (the chat's own limit is higher). */
export const MAX_ANSWER_CHARS = 2_000;

export const STEP_TYPES = [
  'prompt',
  'yesno',
  'statement',
  'branch',
  'switch',
  'assignVariable',
  'action',
  'beginScenario',
  'replaceScenario',
  'end',
  'dataConnection',
  'wait',
  'handoff',
  'triage',
  'redFlag',
] as const;
export type StepType = (typeof STEP_TYPES)[number];

/** Prompt data types, as Azure Health Bot names them (any case); anything else is an expression giving the choices. */
export const PROMPT_DATA_TYPES = ['number', 'string', 'boolean', 'date', 'time', 'choice', 'object', 'attachment'] as const;
export const VARIABLE_SCOPES = ['scenario', 'conversation', 'user', 'global'] as const;
export const ASSIGN_OPERATIONS = ['set', 'incrementBy', 'decrementBy', 'push', 'pop', 'delete'] as const;

const stepId = z.string().min(1).max(200);
const expression = z.string().max(200_000);
const variableName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, 'A variable name is a JavaScript identifier (dots for nested properties).');

export const designerSchema = z.looseObject({
  next: stepId.optional(),
  xLocation: z.number().optional(),
  yLocation: z.number().optional(),
});

/** A card on a statement or prompt: `cardCode` is an Adaptive Card (or hero card) as a JavaScript object expression. */
export const stepAttachmentSchema = z.looseObject({
  type: z.string().min(1).max(100),
  cardCode: expression.optional(),
});

const stepBase = {
  id: stepId,
  designer: designerSchema,
  label: z.string().max(500).optional(),
};

const textFields = {
  text: expression.optional(),
  stringId: z.string().max(200).optional(),
  attachment: z.array(stepAttachmentSchema).max(20).optional(),
  markdown: z.boolean().optional(),
};

export const promptStepSchema = z.looseObject({
  ...stepBase,
  ...textFields,
  type: z.literal('prompt'),
  variable: variableName,
  /** `number`, `string`, `boolean`, `date`, `time`, `choice`, `object`, or an expression evaluating to the choices (array or `a|b|c`). */
  dataType: z.string().min(1).max(10_000),
  /** With choices: `choice` (one) or `multi-choice` (several). */
  choiceType: z.string().max(50).optional(),
  /** Choices when `dataType` is `choice`: an expression (array or `a|b|c`). */
  choices: expression.optional(),
  /** Wrong answers re-asked before the way out (default 2). */
  retries: z.number().int().min(0).max(10).optional(),
  /** An expression over the answer (`scenario.<variable>` is set to it while it runs); false re-asks. */
  validation: expression.optional(),
  /** Shown when the answer is of the wrong type or fails `validation`. */
  validationErrorMessage: expression.optional(),
  /** Where to go once the retries are used up (default: end the scenario with a way out). */
  retryFailedStepId: stepId.optional(),
  submitTitle: expression.optional(),
  /** On a `string` prompt: an expression (array or `a|b|c`) of answers offered as buttons; any text still answers. */
  suggestions: z.string().max(10_000).optional(),
});

export const yesNoStepSchema = z.looseObject({
  ...stepBase,
  ...textFields,
  type: z.literal('yesno'),
  variable: variableName,
  retries: z.number().int().min(0).max(10).optional(),
});

export const statementStepSchema = z.looseObject({
  ...stepBase,
  ...textFields,
  type: z.literal('statement'),
  /** Sent with the message as the activity's entity (an expression). */
  entity: expression.optional(),
});

export const branchStepSchema = z.looseObject({ ...stepBase, type: z.literal('branch'), condition: expression, targetStepId: stepId });

export const switchStepSchema = z.looseObject({
  ...stepBase,
  type: z.literal('switch'),
  condition: expression,
  cases: z.array(z.looseObject({ value: z.string().max(10_000), targetStepId: stepId })).max(500),
});

export const assignVariableStepSchema = z.looseObject({
  ...stepBase,
  type: z.literal('assignVariable'),
  scope: z.enum(VARIABLE_SCOPES),
  operation: z.enum(ASSIGN_OPERATIONS),
  variable: variableName,
  /** An expression (`"74"` is the number 74; a string needs quotes). */
  value: expression.optional(),
});

export const actionStepSchema = z.looseObject({ ...stepBase, type: z.literal('action'), onInit: expression });

export const beginScenarioStepSchema = z.looseObject({
  ...stepBase,
  type: z.literal('beginScenario'),
  /** The trigger of the scenario to begin. */
  scenario: z.string().min(1).max(200),
  /** An expression: the object the child sees as `scenario.scenarioArgs`. */
  args: expression.optional(),
  /** Where the child's `end` value goes (scenario scope). */
  variable: variableName.optional(),
});

export const replaceScenarioStepSchema = z.looseObject({
  ...stepBase,
  type: z.literal('replaceScenario'),
  scenario: z.string().min(1).max(200),
  args: expression.optional(),
});

export const endStepSchema = z.looseObject({ ...stepBase, type: z.literal('end'), returnValue: expression.optional() });

export const dataConnectionStepSchema = z.looseObject({
  ...stepBase,
  type: z.literal('dataConnection'),
  /** A configured connection's name (never a URL): `carebridge` is this server's own API. */
  connection: z.string().min(1).max(100),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  /** An expression or template for the path under the connection's base URL. */
  path: expression,
  /** An expression for a JSON body. */
  body: expression.optional(),
  /** An expression for query parameters (an object of strings). */
  query: expression.optional(),
  /** Where the response body goes (scenario scope); `<variable>_status` gets the HTTP status. */
  variable: variableName,
  timeoutMs: z.number().int().min(100).max(30_000).optional(),
  /** Where to go when the call fails or times out (default: designer.next with the variable null). */
  errorStepId: stepId.optional(),
});

export const waitStepSchema = z.looseObject({
  ...stepBase,
  type: z.literal('wait'),
  /** Milliseconds (at most 10 s): a pause before the next message. */
  duration: z.number().int().min(0).max(10_000),
});

export const handoffStepSchema = z.looseObject({
  ...stepBase,
  ...textFields,
  type: z.literal('handoff'),
  /** What the patient needs: `scheduling`, `billing`, `pharmacy`, `nurse-line`, `general` (an expression or plain word). */
  intent: expression.optional(),
  reason: z.string().max(100).optional(),
  /** 0 (urgent) … 3 (low). */
  priority: z.number().int().min(0).max(3).optional(),
  /** An expression for the agent's summary. */
  summary: expression.optional(),
  /** An expression for the triage disposition carried in the packet. */
  triageDisposition: expression.optional(),
});

export const triageStepSchema = z.looseObject({
  ...stepBase,
  type: z.literal('triage'),
  /** An expression for the complaint text (default: the patient's last message). */
  input: expression.optional(),
  /** Expressions for the modifiers. */
  age: expression.optional(),
  sex: expression.optional(),
  pregnant: expression.optional(),
  /** An expression: yes/no answers to earlier follow-up questions, `{ [questionId]: boolean }`. */
  answers: expression.optional(),
  /** Where the assessment goes (scenario scope): `{ disposition, reasons, findings, followUpQuestions, instruction, advice }`. */
  variable: variableName,
});

export const redFlagStepSchema = z.looseObject({
  ...triageStepSchema.shape,
  type: z.literal('redFlag'),
  /** Where to go when a red flag is found (an emergency disposition); otherwise designer.next. */
  targetStepId: stepId,
});

export const scenarioStepSchema = z.discriminatedUnion('type', [
  promptStepSchema,
  yesNoStepSchema,
  statementStepSchema,
  branchStepSchema,
  switchStepSchema,
  assignVariableStepSchema,
  actionStepSchema,
  beginScenarioStepSchema,
  replaceScenarioStepSchema,
  endStepSchema,
  dataConnectionStepSchema,
  waitStepSchema,
  handoffStepSchema,
  triageStepSchema,
  redFlagStepSchema,
]);
export type ScenarioStep = z.infer<typeof scenarioStepSchema>;
export type StepOf<T extends StepType> = Extract<ScenarioStep, { type: T }>;

/** The `code` object of an export. The first step in the list is where the scenario begins. */
export const scenarioCodeSchema = z.looseObject({
  steps: z.array(z.unknown()).min(1).max(MAX_SCENARIO_STEPS),
  version: z.number().optional(),
  /** A breaking scenario (a trigger typed mid-scenario) ends the scenarios in progress. */
  breaking: z.boolean().optional(),
  /** An interrupting scenario pauses the one in progress, which resumes with its returningMessage. */
  interrupting: z.boolean().optional(),
  returningMessage: z.string().max(2_000).optional(),
});
export interface ScenarioCode {
  steps: ScenarioStep[];
  version?: number;
  breaking?: boolean;
  interrupting?: boolean;
  returningMessage?: string;
  [key: string]: unknown;
}

/** A scenario exactly as Azure Health Bot exports it. */
export const scenarioExportSchema = z.looseObject({
  name: z.string().trim().min(1).max(200),
  id: z.string().trim().min(1).max(100).optional(),
  scenario_trigger: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[\w.-]+$/, 'A trigger is letters, digits, "_", "-" and "."'),
  description: z.string().max(2_000).optional(),
  active: z.boolean().optional(),
  updated: z.string().max(100).optional(),
  userDisplayName: z.string().max(200).optional(),
  code: z.string().min(2).max(MAX_SCENARIO_CODE_CHARS, `code is at most ${MAX_SCENARIO_CODE_CHARS} characters`),
});
export type ScenarioExport = z.infer<typeof scenarioExportSchema>;

/** A string table: `stringId` or `customLocalizedStrings` key → text, per locale (`en-US`, `es-US`). */
export const stringTablesSchema = z.record(
  z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'A locale such as en-US'),
  z.record(z.string().min(1).max(300), z.string().max(20_000)),
);
export type StringTables = z.infer<typeof stringTablesSchema>;

/** Bot studio's save of string entries: added or changed keys per locale of the bot (keys not named stay as they are). */
export const stringsSaveSchema = z.strictObject({
  strings: z.partialRecord(z.enum(BOT_LOCALES), z.record(z.string().trim().min(1).max(300), z.string().max(20_000))).refine((t) => Object.values(t).some((e) => e && Object.keys(e).length > 0), {
    message: 'Name at least one string to save.',
  }),
});
export type StringsSave = z.infer<typeof stringsSaveSchema>;

export const scenarioImportSchema = scenarioExportSchema.extend({ strings: stringTablesSchema.optional() });
export type ScenarioImport = z.infer<typeof scenarioImportSchema>;

export interface ScenarioProblem {
  stepId: string | null;
  field: string | null;
  message: string;
}

export interface ScenarioImportResponse {
  id: string;
  trigger: string;
  steps: number;
  version: number;
  status: 'draft' | 'published';
  warnings: ScenarioProblem[];
}

export const SCENARIO_STATUSES = ['draft', 'published', 'retired'] as const;
export type ScenarioStatus = (typeof SCENARIO_STATUSES)[number];

export interface ScenarioSummary {
  id: string;
  name: string;
  trigger: string;
  description: string;
  active: boolean;
  origin: 'import' | 'builtin' | 'authored';
  publishedVersion: number | null;
  draftVersion: number | null;
  updatedAt: string;
}

export interface ScenarioVersionView {
  version: number;
  status: ScenarioStatus;
  createdBy: string | null;
  createdAt: string;
  publishedAt: string | null;
  steps: number;
}

export interface ScenarioDetail extends ScenarioSummary {
  version: number;
  status: ScenarioStatus;
  code: ScenarioCode;
  versions: ScenarioVersionView[];
}

/** Create or save a draft: the scenario's fields and its `code` as an object (the editor's form). */
export const scenarioDraftSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  trigger: scenarioExportSchema.shape.scenario_trigger,
  description: z.string().max(2_000).default(''),
  active: z.boolean().default(true),
  code: scenarioCodeSchema,
  /** The draft version this edit starts from (a save by someone else since then is a conflict). */
  baseVersion: z.number().int().min(1).optional(),
});
export type ScenarioDraft = z.infer<typeof scenarioDraftSchema>;

export const scenarioPublishSchema = z.strictObject({ version: z.number().int().min(1).optional() });
export const scenarioRollbackSchema = z.strictObject({ version: z.number().int().min(1) });

// --- Cards and suggested actions (what a bot message carries besides its text) ---

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const HERO_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.hero';

export const botAttachmentSchema = z.object({
  contentType: z.enum([ADAPTIVE_CARD_CONTENT_TYPE, HERO_CARD_CONTENT_TYPE]),
  /** The card JSON, templated already (Adaptive Card 1.x schema, or a Bot Framework hero card). */
  content: z.record(z.string(), z.unknown()),
});
export type BotAttachment = z.infer<typeof botAttachmentSchema>;

export const suggestedActionSchema = z.object({ title: z.string().max(300), value: z.string().max(1_000) });
export type SuggestedAction = z.infer<typeof suggestedActionSchema>;

// --- Direct Line 3.0–shaped channel API ---

export const directLineStartSchema = z.strictObject({
  /** A scenario trigger to begin with (default: the greeting and menu). */
  trigger: z.string().trim().min(1).max(100).optional(),
  locale: z.enum(BOT_LOCALES).optional(),
  /** The name the bot and agents see (default "Guest"). */
  displayName: z.string().trim().min(1).max(100).optional(),
  /**
   * A bot author's test chat: run the open draft of `trigger`'s scenario (else its published version).
   * Needs `trigger` and a bot author's access token; the conversation still gets a visitor token, and
   * its hand-offs reach nobody.
   */
  draft: z.boolean().optional(),
});
export type DirectLineStart = z.infer<typeof directLineStartSchema>;

export interface DirectLineStartResponse {
  conversationId: string;
  /** Send as `Authorization: Bearer <token>` on this conversation's activity routes (absent for a signed-in patient, who uses their access token). */
  token?: string;
  expiresIn?: number;
}

export const directLineActivitySchema = z
  .strictObject({
    type: z.literal('message'),
    text: z.string().max(4_000).optional(),
    /** A card's submitted inputs (or a suggested action's value) answering the prompt. */
    value: z.union([z.string().max(4_000), z.record(z.string(), z.unknown())]).optional(),
    /** For a retry: the same id posts the activity once. */
    id: z.string().min(1).max(100).optional(),
  })
  .refine((a) => (a.text !== undefined && a.text.trim() !== '') || a.value !== undefined, { message: 'A message activity needs text or value.' });
export type DirectLineActivityInput = z.infer<typeof directLineActivitySchema>;

export const directLineWatermarkSchema = z.strictObject({ watermark: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() });

export interface DirectLineActivity {
  id: string;
  type: 'message' | 'event';
  timestamp: string;
  from: { id: string; role: 'user' | 'bot' | 'agent'; name?: string };
  text: string;
  textFormat?: 'markdown' | 'plain';
  suggestedActions?: { actions: { type: 'imBack'; title: string; value: string }[] };
  attachments?: BotAttachment[];
}

export interface DirectLineActivitiesResponse {
  activities: DirectLineActivity[];
  watermark: string;
}
