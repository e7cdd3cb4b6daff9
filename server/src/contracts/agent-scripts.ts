/**
 * Agent scripts: the guided scripts contact-center agents follow in a conversation (YAML files in
 * `agent-scripts/`, versions edited by supervisors in the desk), and a conversation's run of one.
 * Pure zod, shared by the server and the desk. The file format is described in `agent-scripts/README.md`.
 *
 * What zod cannot see alone — references to other steps, scripts, queues and dispositions, template
 * fields, cycles — is checked by `checkScriptReferences` below with what the server knows.
 */
import { z } from 'zod';

/** Lower-case words joined by `-`: script ids, step ids, topics, specialties, article slugs. */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const slug = (what: string, max = 64) => z.string().min(1).max(max).regex(SLUG, `${what}: lower-case letters and digits joined by -`);

export const scriptIdSchema = slug('a script id');
export const stepIdSchema = slug('a step id');
/** `next: end` finishes the script. */
export const END_OF_SCRIPT = 'end';

export const SCRIPT_STEP_TYPES = ['instruction', 'question', 'macro', 'sub-script'] as const;
export type ScriptStepType = (typeof SCRIPT_STEP_TYPES)[number];
export const QUESTION_ANSWER_KINDS = ['choice', 'text', 'yes-no', 'date'] as const;
export type QuestionAnswerKind = (typeof QUESTION_ANSWER_KINDS)[number];
export const MACRO_ACTIONS = [
  'verify-identity',
  'open-360-section',
  'search-knowledge',
  'send-article',
  'book-appointment',
  'send-survey',
  'transfer-to-queue',
  'add-note',
  'set-disposition',
] as const;
export type MacroAction = (typeof MACRO_ACTIONS)[number];
/** The patient 360 sections a macro may open. */
export const PATIENT_360_SECTIONS = ['summary', 'conditions', 'medications', 'allergies', 'results', 'immunizations', 'appointments', 'care-team', 'coverage', 'encounters'] as const;
export type Patient360Section = (typeof PATIENT_360_SECTIONS)[number];

/** Fields instruction and question texts may use, as `{{patient.firstName}}`; `answers.<stepId>` is an earlier answer. */
export const TEMPLATE_FIELDS = ['patient.firstName', 'patient.age', 'agent.name', 'clinic.name'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
export const TEMPLATE_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

const stepText = z.string().trim().min(1).max(2000);
const stepBase = {
  id: stepIdSchema,
  /** Closing the conversation is refused while a required step on the script's path is not done. */
  required: z.boolean().optional(),
  /** The step after this one (a step id or `end`); default: the next in the list. */
  next: stepIdSchema.optional(),
};

export const instructionStepSchema = z.strictObject({ ...stepBase, type: z.literal('instruction'), text: stepText });

export const questionChoiceSchema = z.strictObject({
  value: slug('a choice value', 40),
  label: z.string().trim().min(1).max(120),
  /** Where the script goes when this is the answer (a step id or `end`). */
  next: stepIdSchema.optional(),
});
export type QuestionChoice = z.infer<typeof questionChoiceSchema>;

export const questionStepSchema = z
  .strictObject({
    ...stepBase,
    type: z.literal('question'),
    text: stepText,
    answer: z.enum(QUESTION_ANSWER_KINDS),
    /** `choice`: the options (2–12). `yes-no`: optional, values `yes` and `no`, to branch on them. */
    choices: z.array(questionChoiceSchema).min(2).max(12).optional(),
  })
  .superRefine((step, ctx) => {
    if (step.answer === 'choice' && !step.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: 'a choice question needs choices' });
    if (step.answer === 'yes-no' && step.choices) {
      const values = step.choices.map((c) => c.value).sort();
      if (values.join(',') !== 'no,yes') ctx.addIssue({ code: 'custom', path: ['choices'], message: 'a yes-no question’s choices are exactly yes and no' });
    }
    if ((step.answer === 'text' || step.answer === 'date') && step.choices) ctx.addIssue({ code: 'custom', path: ['choices'], message: `a ${step.answer} question has no choices` });
    const seen = new Set<string>();
    for (const [i, choice] of (step.choices ?? []).entries()) {
      if (seen.has(choice.value)) ctx.addIssue({ code: 'custom', path: ['choices', i, 'value'], message: `choice ${choice.value} is listed twice` });
      seen.add(choice.value);
    }
  });

const macroBase = { ...stepBase, type: z.literal('macro'), /** What the agent reads on the step (the button says what it does). */ text: stepText.optional() };
export const macroStepSchema = z.discriminatedUnion('action', [
  z.strictObject({ ...macroBase, action: z.literal('verify-identity') }),
  z.strictObject({ ...macroBase, action: z.literal('open-360-section'), section: z.enum(PATIENT_360_SECTIONS) }),
  z.strictObject({ ...macroBase, action: z.literal('search-knowledge'), query: z.string().trim().min(1).max(200) }),
  z.strictObject({ ...macroBase, action: z.literal('send-article'), article: slug('an article slug', 120) }),
  z.strictObject({ ...macroBase, action: z.literal('book-appointment'), specialty: slug('a specialty') }),
  z.strictObject({ ...macroBase, action: z.literal('send-survey') }),
  z.strictObject({ ...macroBase, action: z.literal('transfer-to-queue'), queue: slug('a queue id') }),
  z.strictObject({ ...macroBase, action: z.literal('add-note'), note: z.string().trim().min(1).max(1000) }),
  z.strictObject({ ...macroBase, action: z.literal('set-disposition'), disposition: slug('a disposition code') }),
]);

export const subScriptStepSchema = z.strictObject({ ...stepBase, type: z.literal('sub-script'), script: scriptIdSchema, text: stepText.optional() });

export const scriptStepSchema = z.discriminatedUnion('type', [instructionStepSchema, questionStepSchema, macroStepSchema, subScriptStepSchema]);
export type ScriptStep = z.infer<typeof scriptStepSchema>;
export type MacroStep = z.infer<typeof macroStepSchema>;
export type QuestionStep = z.infer<typeof questionStepSchema>;

export const scriptSelectionSchema = z.strictObject({
  /** Routing queue ids (contracts/routing.ts, the queues in force). */
  queues: z.array(slug('a queue id')).max(20).optional(),
  /** The bot hand-off packet's `intent` (scheduling, billing, pharmacy, general, …). */
  intents: z.array(slug('an intent')).max(20).optional(),
  /** What the patient came about: the pre-chat reason or the topics the bot discussed, as slugs (`test-results`). */
  topics: z.array(slug('a topic')).max(20).optional(),
  /** Provider-specific scripts: the specialty named in the hand-off (`cardiology`). */
  specialties: z.array(slug('a specialty')).max(20).optional(),
  /** Higher wins when several scripts match; default 0. */
  priority: z.number().int().min(-100).max(100).optional(),
});
export type ScriptSelection = z.infer<typeof scriptSelectionSchema>;

export const agentScriptSchema = z
  .strictObject({
    id: scriptIdSchema,
    title: z.string().trim().min(1).max(120),
    description: z.string().trim().min(1).max(1000),
    selection: scriptSelectionSchema.optional(),
    steps: z.array(scriptStepSchema).min(1).max(100),
  })
  .superRefine((script, ctx) => {
    const seen = new Set<string>();
    for (const [i, step] of script.steps.entries()) {
      if (step.id === END_OF_SCRIPT) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `"${END_OF_SCRIPT}" is reserved for next: end` });
      if (seen.has(step.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `step id ${step.id} is used twice` });
      seen.add(step.id);
    }
  });
export type AgentScript = z.infer<typeof agentScriptSchema>;

// ---------------------------------------------------------------------------------------------
// References: what only the server can check (other scripts, queues, dispositions)
// ---------------------------------------------------------------------------------------------

export interface ScriptIssue {
  /** Path in the YAML document, e.g. `['steps', 3, 'next']`. */
  path: (string | number)[];
  message: string;
}

export interface ScriptReferenceContext {
  /** Queue ids in force. */
  queues: readonly string[];
  /** Disposition codes in force. */
  dispositions: readonly string[];
  /** The sub-scripts a script uses, by id (undefined: no such script). */
  subScriptsOf(scriptId: string): readonly string[] | undefined;
}

/** The step ids and template fields a script's steps may name, and the cycles it must not make. */
export function checkScriptReferences(script: AgentScript, refs: ScriptReferenceContext): ScriptIssue[] {
  const issues: ScriptIssue[] = [];
  const ids = new Set(script.steps.map((s) => s.id));
  const questions = new Set(script.steps.filter((s) => s.type === 'question').map((s) => s.id));
  const target = (path: (string | number)[], next: string | undefined) => {
    if (next !== undefined && next !== END_OF_SCRIPT && !ids.has(next)) issues.push({ path, message: `unknown step "${next}" (steps: ${[...ids].join(', ')}, or end)` });
  };
  for (const [q, queue] of (script.selection?.queues ?? []).entries()) {
    if (!refs.queues.includes(queue)) issues.push({ path: ['selection', 'queues', q], message: `unknown queue "${queue}" (queues: ${refs.queues.join(', ')})` });
  }
  script.steps.forEach((step, i) => {
    const at = (...rest: (string | number)[]) => ['steps', i, ...rest];
    target(at('next'), step.next);
    if (step.next === step.id) issues.push({ path: at('next'), message: 'a step cannot lead to itself' });
    if (step.type === 'question') step.choices?.forEach((c, j) => target(at('choices', j, 'next'), c.next));
    const texts: Array<[string, string | undefined]> = [['text', step.text]];
    if (step.type === 'macro' && step.action === 'add-note') texts.push(['note', step.note]);
    for (const [key, text] of texts) {
      for (const field of templateFieldsOf(text ?? '')) {
        if ((TEMPLATE_FIELDS as readonly string[]).includes(field)) continue;
        const answer = /^answers\.(.+)$/.exec(field)?.[1];
        if (answer !== undefined && questions.has(answer)) continue;
        issues.push({
          path: at(key),
          message:
            answer !== undefined
              ? `{{${field}}}: "${answer}" is not a question of this script`
              : `unknown field {{${field}}} (use ${TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(', ')} or {{answers.<question id>}})`,
        });
      }
    }
    if (step.type === 'macro') {
      if (step.action === 'transfer-to-queue' && !refs.queues.includes(step.queue)) issues.push({ path: at('queue'), message: `unknown queue "${step.queue}" (queues: ${refs.queues.join(', ')})` });
      if (step.action === 'set-disposition' && !refs.dispositions.includes(step.disposition)) {
        issues.push({ path: at('disposition'), message: `unknown disposition "${step.disposition}" (dispositions: ${refs.dispositions.join(', ')})` });
      }
    }
    if (step.type === 'sub-script') {
      if (step.script === script.id) issues.push({ path: at('script'), message: 'a script cannot run itself' });
      else if (refs.subScriptsOf(step.script) === undefined) issues.push({ path: at('script'), message: `unknown script "${step.script}"` });
      else {
        const cycle = subScriptCycle(script.id, step.script, (id) => (id === script.id ? subScriptsIn(script) : refs.subScriptsOf(id)));
        if (cycle) issues.push({ path: at('script'), message: `sub-scripts make a cycle: ${cycle.join(' → ')}` });
      }
    }
  });
  const loop = stepCycle(script);
  if (loop) issues.push({ path: ['steps', script.steps.findIndex((s) => s.id === loop[0]), 'next'], message: `steps make a loop: ${loop.join(' → ')}` });
  return issues;
}

export function templateFieldsOf(text: string): string[] {
  return [...text.matchAll(TEMPLATE_PATTERN)].map((m) => m[1] ?? '');
}

export function subScriptsIn(script: AgentScript): string[] {
  return script.steps.flatMap((s) => (s.type === 'sub-script' ? [s.script] : []));
}

/** The chain from `root` through `start` back to `root`, if sub-scripts make one. */
function subScriptCycle(root: string, start: string, subScriptsOf: (id: string) => readonly string[] | undefined): string[] | null {
  const seen = new Set<string>();
  const walk = (id: string, chain: string[]): string[] | null => {
    if (id === root) return [...chain, id];
    if (seen.has(id)) return null;
    seen.add(id);
    for (const next of subScriptsOf(id) ?? []) {
      const found = walk(next, [...chain, id]);
      if (found) return found;
    }
    return null;
  };
  return walk(start, [root]);
}

/** Where each step may go: its choices' targets, its `next`, else the following step. */
export function successorsOf(script: Pick<AgentScript, 'steps'>, index: number): string[] {
  const step = script.steps[index]!;
  const fallthrough = step.next ?? script.steps[index + 1]?.id ?? END_OF_SCRIPT;
  if (step.type === 'question' && step.choices) {
    return [...new Set(step.choices.map((c) => c.next ?? fallthrough))];
  }
  return [fallthrough];
}

function stepCycle(script: AgentScript): string[] | null {
  const index = new Map(script.steps.map((s, i) => [s.id, i]));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string, chain: string[]): string[] | null => {
    if (id === END_OF_SCRIPT || !index.has(id)) return null;
    if (state.get(id) === 'open') return [...chain.slice(chain.indexOf(id)), id];
    if (state.get(id) === 'done') return null;
    state.set(id, 'open');
    for (const next of successorsOf(script, index.get(id)!)) {
      const found = visit(next, [...chain, id]);
      if (found) return found;
    }
    state.set(id, 'done');
    return null;
  };
  for (const step of script.steps) {
    const found = visit(step.id, []);
    if (found) return found;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// REST: scripts and versions
// ---------------------------------------------------------------------------------------------

export const SCRIPT_VERSION_STATUSES = ['draft', 'published', 'retired'] as const;
export type ScriptVersionStatus = (typeof SCRIPT_VERSION_STATUSES)[number];
/** Where a version came from: a file in `agent-scripts/`, the desk's editor, or a roll back to an earlier one. */
export const SCRIPT_VERSION_ORIGINS = ['file', 'editor', 'rollback'] as const;
export type ScriptVersionOrigin = (typeof SCRIPT_VERSION_ORIGINS)[number];

/** The longest YAML source accepted, in characters. */
export const MAX_SCRIPT_SOURCE_CHARS = 100_000;

/** A problem in a script's YAML: where (1-based line and column), which step (its id, or `#n`), and what. */
export interface ScriptError {
  line: number;
  column: number;
  step: string | null;
  message: string;
}

/** `POST /api/agent-scripts`, `PUT /api/agent-scripts/:id/draft`, `POST /api/agent-scripts/validate`. */
export const scriptSourceSchema = z.strictObject({ yaml: z.string().min(1).max(MAX_SCRIPT_SOURCE_CHARS) });
export type ScriptSource = z.infer<typeof scriptSourceSchema>;
/** `POST /api/agent-scripts/:id/publish`: the draft's version (the one the editor saved). */
export const publishScriptSchema = z.strictObject({ version: z.number().int().min(1) });
/** `POST /api/agent-scripts/:id/rollback`: the earlier version to put back in force. */
export const rollbackScriptSchema = z.strictObject({ version: z.number().int().min(1) });

export interface ScriptValidation {
  ok: boolean;
  errors: ScriptError[];
}

export interface ScriptSummary {
  id: string;
  title: string;
  description: string;
  /** The version in force (null: never published yet, only a draft). */
  publishedVersion: number | null;
  /** A draft waiting to be published, if any. */
  draftVersion: number | null;
  selection: ScriptSelection;
  steps: number;
  /** The file the script came from (null: created in the desk). */
  file: string | null;
  updatedAt: string;
}

export interface ScriptVersionView {
  version: number;
  status: ScriptVersionStatus;
  origin: ScriptVersionOrigin;
  /** For a roll back: the version it restored. */
  restoredFrom: number | null;
  yaml: string;
  createdBy: string | null;
  createdAt: string;
  publishedAt: string | null;
}

export interface ScriptDetail extends ScriptSummary {
  /** Newest first. */
  versions: ScriptVersionView[];
  /** The published definition (null: only a draft). */
  script: AgentScript | null;
}

export interface ScriptListResponse {
  scripts: ScriptSummary[];
}

// ---------------------------------------------------------------------------------------------
// A conversation's run of a script
// ---------------------------------------------------------------------------------------------

/** `PUT /api/conversations/:id/script-run`: switch to another published script by hand. */
export const chooseScriptSchema = z.strictObject({ scriptId: scriptIdSchema });
/**
 * `POST /api/conversations/:id/script-run/steps/:stepId`: a question's answer, or (no answer) an
 * instruction or macro done. A date answer is `YYYY-MM-DD`; yes-no `yes` or `no`; choice a value.
 */
export const recordStepSchema = z.strictObject({ answer: z.string().trim().min(1).max(1000).optional() });
export type RecordStepRequest = z.infer<typeof recordStepSchema>;

/** Text with its template fields resolved where known (`value` null: unknown here). */
export type ScriptTextPart = { text: string } | { field: string; value: string | null };

/** One step of the run, as the runner shows it (sub-scripts' steps inline, ids `<sub-step>.<step>`). */
export interface ScriptRunStep {
  id: string;
  type: Exclude<ScriptStepType, 'sub-script'>;
  required: boolean;
  /** On the path the answers so far lead along (branches not taken are off it). */
  onPath: boolean;
  done: boolean;
  /** The sub-script the step comes from, if any. */
  from: { stepId: string; scriptId: string; title: string } | null;
  parts: ScriptTextPart[];
  /** The text with fields filled in (unknown ones as `[patient age]`). */
  text: string;
  /** Questions. */
  answerKind?: QuestionAnswerKind;
  choices?: { value: string; label: string }[];
  answer?: { value: string; label: string; by: string | null; at: string } | null;
  /** Macros. */
  action?: MacroAction;
  /** The macro's argument: section, query, article, specialty, queue, note or disposition. */
  argument?: string | null;
  /** Words for the macro's button, e.g. `Transfer to Billing`. */
  actionLabel?: string;
}

export interface ScriptRunView {
  conversationId: string;
  script: { id: string; title: string; description: string; version: number };
  /** `auto`: picked by the selection rules; `agent`: switched by hand. */
  chosenBy: 'auto' | 'agent';
  /** Why it was picked (`queue billing`, `intent scheduling`, …), or who switched to it. */
  reason: string;
  steps: ScriptRunStep[];
  /** The first step on the path not done yet (null: finished). */
  currentStepId: string | null;
  progress: { done: number; total: number; requiredLeft: string[] };
  /** A newer published version than the run's (the run keeps its version once started). */
  newerVersion: number | null;
  updatedAt: string;
}

export interface ScriptRunResponse {
  /** Null when no published script matches and none was chosen by hand. */
  run: ScriptRunView | null;
  /** Published scripts to switch to. */
  available: { id: string; title: string }[];
}

/** The REST and socket refusal while required steps are left (HTTP 409). */
export const SCRIPT_INCOMPLETE = 'script_incomplete';
