/**
 * The pure logic of running a script in a conversation: which script fits the conversation
 * (selection rules), the plan (sub-scripts' steps inline, branches resolved to step ids), the path
 * the answers so far lead along, progress and the required steps left, what an answer must look like,
 * and the texts with their fields filled in. No I/O: the service gives it rows and gets views back.
 * Table-tested in runner.test.ts.
 */
import {
  END_OF_SCRIPT,
  TEMPLATE_PATTERN,
  type AgentScript,
  type MacroAction,
  type QuestionAnswerKind,
  type ScriptRunStep,
  type ScriptSelection,
  type ScriptStep,
  type ScriptTextPart,
} from '../contracts/agent-scripts.js';

// ---------------------------------------------------------------------------------------------
// Selection
// ---------------------------------------------------------------------------------------------

/** What the desk knows about a conversation that scripts select on. */
export interface ConversationFacts {
  queue: string | null;
  intent: string | null;
  /** Topic slugs named outright (the bot's topics, the pre-chat reason). */
  topics: string[];
  specialties: string[];
  /** The patient's words so far (pre-chat reason and detail, what the bot collected), normalized. */
  words: string;
}

export interface Candidate {
  id: string;
  title: string;
  selection: ScriptSelection;
}

export interface ScriptPick {
  id: string;
  reason: string;
}

/** Lower case, accents off, anything else to single spaces, padded: `" test results "`. */
export function normalizeWords(text: string): string {
  return ` ${text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;
}

export function slugOf(text: string): string {
  return normalizeWords(text).trim().replace(/ /g, '-');
}

/**
 * The best script for the conversation: every criterion a script states must hold (any of its
 * values), a script that states none is never picked on its own; then the highest priority, then
 * the most criteria (the more specific), then the id.
 */
export function pickScript(candidates: readonly Candidate[], facts: ConversationFacts): ScriptPick | null {
  const scored: Array<{ id: string; priority: number; specificity: number; reasons: string[] }> = [];
  for (const c of candidates) {
    const s = c.selection;
    const reasons: string[] = [];
    let criteria = 0;
    let matches = true;
    const check = (values: readonly string[] | undefined, hit: (v: string) => boolean, label: string) => {
      if (!values || values.length === 0) return;
      criteria++;
      const found = values.find(hit);
      if (found === undefined) matches = false;
      else reasons.push(`${label} ${found}`);
    };
    check(s.queues, (q) => q === facts.queue, 'queue');
    check(s.intents, (i) => i === facts.intent, 'intent');
    check(s.topics, (t) => facts.topics.includes(t) || facts.words.includes(` ${t.replace(/-/g, ' ')} `), 'topic');
    check(s.specialties, (sp) => facts.specialties.includes(sp) || facts.words.includes(` ${sp.replace(/-/g, ' ')} `), 'specialty');
    if (criteria > 0 && matches) scored.push({ id: c.id, priority: s.priority ?? 0, specificity: criteria, reasons });
  }
  scored.sort((a, b) => b.priority - a.priority || b.specificity - a.specificity || a.id.localeCompare(b.id));
  const best = scored[0];
  return best ? { id: best.id, reason: `Chosen for this conversation: ${best.reasons.join(', ')}.` } : null;
}

// ---------------------------------------------------------------------------------------------
// The plan: sub-scripts inline, every branch resolved to a step id of the plan
// ---------------------------------------------------------------------------------------------

export type PlanBody = Exclude<ScriptStep, { type: 'sub-script' }>;

export interface PlanStep {
  /** Unique in the plan: `<step>` or `<sub-script step>.<step>`. */
  id: string;
  /** The id prefix of the script the step belongs to (answers.<id> refer within it). */
  prefix: string;
  body: PlanBody;
  required: boolean;
  /** The step after this one when no answer decides (a plan id or `end`). */
  next: string;
  /** A question's choices with where each leads (plan ids or `end`). */
  choices: { value: string; label: string; next: string }[] | null;
  from: { stepId: string; scriptId: string; title: string } | null;
}

export interface Plan {
  scriptId: string;
  steps: PlanStep[];
  entry: string;
}

const YES_NO: { value: string; label: string; next?: string | undefined }[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
];

/** Sub-scripts are resolved with `scriptOf` (published versions); a missing one becomes an instruction saying so. */
export function buildPlan(script: AgentScript, scriptOf: (id: string) => AgentScript | undefined): Plan {
  const steps: PlanStep[] = [];
  const entry = flatten(script, '', END_OF_SCRIPT, null, scriptOf, steps, new Set([script.id]));
  return { scriptId: script.id, steps, entry };
}

function flatten(
  script: AgentScript,
  prefix: string,
  exit: string,
  from: PlanStep['from'],
  scriptOf: (id: string) => AgentScript | undefined,
  out: PlanStep[],
  seen: Set<string>,
): string {
  const byId = new Map(script.steps.map((s, i) => [s.id, i]));
  const subOf = (step: ScriptStep): AgentScript | undefined => (step.type === 'sub-script' && !seen.has(step.script) ? scriptOf(step.script) : undefined);
  // Where a reference to a step lands in the plan: a sub-script step is its first step.
  const entryOf = (index: number) => entryFor(script, index, prefix, scriptOf, seen, 0);
  const target = (raw: string): string => {
    if (raw === END_OF_SCRIPT) return exit;
    const index = byId.get(raw);
    return index === undefined ? exit : entryOf(index);
  };
  const first = script.steps.length > 0 ? entryOf(0) : exit;
  script.steps.forEach((step, i) => {
    const raw = step.next ?? script.steps[i + 1]?.id ?? END_OF_SCRIPT;
    const next = target(raw);
    const sub = subOf(step);
    if (step.type === 'sub-script') {
      if (sub) {
        const inner = new Set(seen).add(sub.id);
        flatten(sub, `${prefix}${step.id}.`, next, { stepId: `${prefix}${step.id}`, scriptId: sub.id, title: sub.title }, scriptOf, out, inner);
        return;
      }
      out.push({
        id: `${prefix}${step.id}`,
        prefix,
        body: { id: step.id, type: 'instruction', text: step.text ?? `Follow the script “${step.script}” (it is not published).` },
        required: step.required === true,
        next,
        choices: null,
        from,
      });
      return;
    }
    const choices =
      step.type === 'question' && (step.answer === 'choice' || step.answer === 'yes-no')
        ? (step.choices ?? YES_NO).map((c) => ({ value: c.value, label: c.label, next: c.next ? target(c.next) : next }))
        : null;
    out.push({ id: `${prefix}${step.id}`, prefix, body: step, required: step.required === true, next, choices, from });
  });
  return first;
}

function entryFor(script: AgentScript, index: number, prefix: string, scriptOf: (id: string) => AgentScript | undefined, seen: ReadonlySet<string>, depth: number): string {
  const step = script.steps[index];
  if (!step) return END_OF_SCRIPT;
  if (step.type === 'sub-script' && !seen.has(step.script) && depth < 20) {
    const sub = scriptOf(step.script);
    if (sub && sub.steps.length > 0) return entryFor(sub, 0, `${prefix}${step.id}.`, scriptOf, new Set(seen).add(sub.id), depth + 1);
  }
  return `${prefix}${step.id}`;
}

// ---------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------

export interface StoredAnswer {
  value: string;
  by: string | null;
  at: string;
}

export interface RunProgress {
  /** Plan ids on the path, in order. */
  path: string[];
  current: string | null;
  done: number;
  total: number;
  requiredLeft: string[];
}

/** Done: a question answered, anything else marked done. */
export function isDone(step: PlanStep, answers: Readonly<Record<string, StoredAnswer>>, completed: ReadonlySet<string>): boolean {
  return step.body.type === 'question' ? answers[step.id] !== undefined : completed.has(step.id);
}

/** The path from the entry: each answered question's branch, else each step's next. */
export function progressOf(plan: Plan, answers: Readonly<Record<string, StoredAnswer>>, completed: ReadonlySet<string>): RunProgress {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const path: string[] = [];
  const visited = new Set<string>();
  let at = resolveEntry(plan, plan.entry);
  while (at !== END_OF_SCRIPT && !visited.has(at)) {
    const step = byId.get(at);
    if (!step) break;
    visited.add(at);
    path.push(at);
    const answer = answers[at];
    const chosen = answer && step.choices ? step.choices.find((c) => c.value === answer.value) : undefined;
    at = chosen ? chosen.next : step.next;
  }
  const steps = path.map((id) => byId.get(id)!);
  const open = steps.filter((s) => !isDone(s, answers, completed));
  return {
    path,
    current: open[0]?.id ?? null,
    done: steps.length - open.length,
    total: steps.length,
    requiredLeft: open.filter((s) => s.required).map((s) => s.id),
  };
}

/** A sub-script's entry recorded before it was flattened (`sub.` + first step) is the first plan step with that prefix. */
function resolveEntry(plan: Plan, entry: string): string {
  if (plan.steps.some((s) => s.id === entry)) return entry;
  return plan.steps.find((s) => s.id.startsWith(entry))?.id ?? plan.steps[0]?.id ?? END_OF_SCRIPT;
}

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

export type AnswerCheck = { ok: true; value: string; label: string } | { ok: false; message: string };

/** Whether `answer` fits the step: questions need one of their kind, the other steps none. */
export function checkAnswer(step: PlanStep, answer: string | undefined): AnswerCheck {
  if (step.body.type !== 'question') {
    return answer === undefined ? { ok: true, value: '', label: '' } : { ok: false, message: `Step ${step.id} is not a question: send no answer to mark it done.` };
  }
  const kind: QuestionAnswerKind = step.body.answer;
  if (answer === undefined) return { ok: false, message: `Step ${step.id} is a question: send its answer.` };
  if (step.choices) {
    const choice = step.choices.find((c) => c.value === answer);
    if (!choice) return { ok: false, message: `Answer one of ${step.choices.map((c) => c.value).join(', ')}.` };
    return { ok: true, value: choice.value, label: choice.label };
  }
  if (kind === 'date') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(answer) || Number.isNaN(Date.parse(`${answer}T00:00:00Z`)) || new Date(`${answer}T00:00:00Z`).toISOString().slice(0, 10) !== answer) {
      return { ok: false, message: 'A date answer is a real date as YYYY-MM-DD.' };
    }
    return { ok: true, value: answer, label: answer };
  }
  return { ok: true, value: answer, label: answer };
}

// ---------------------------------------------------------------------------------------------
// Texts
// ---------------------------------------------------------------------------------------------

export type FieldValues = Partial<Record<string, string | null>>;

const PLACEHOLDER: Record<string, string> = {
  'patient.firstName': 'patient first name',
  'patient.age': 'patient age',
  'agent.name': 'agent name',
  'clinic.name': 'clinic name',
};

/** The text in parts, each field with its value where known; `answers.<id>` within the step's own script. */
export function fillText(text: string, step: Pick<PlanStep, 'prefix'>, fields: FieldValues, answerLabel: (planId: string) => string | null): { parts: ScriptTextPart[]; text: string } {
  const parts: ScriptTextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(TEMPLATE_PATTERN)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    const field = m[1] ?? '';
    const answer = /^answers\.(.+)$/.exec(field)?.[1];
    const value = answer !== undefined ? answerLabel(`${step.prefix}${answer}`) : (fields[field] ?? null);
    parts.push({ field, value });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  const filled = parts
    .map((p) => ('text' in p ? p.text : (p.value ?? `[${PLACEHOLDER[p.field] ?? p.field.replace(/^answers\./, 'answer to ')}]`)))
    .join('');
  return { parts, text: filled };
}

/** The macro's argument and its button's words. */
export function macroLabel(body: Extract<PlanBody, { type: 'macro' }>, names: { queue(id: string): string; disposition(code: string): string }): { argument: string | null; actionLabel: string } {
  const words: Record<MacroAction, () => { argument: string | null; actionLabel: string }> = {
    'verify-identity': () => ({ argument: null, actionLabel: 'Verify identity' }),
    'open-360-section': () => body.action === 'open-360-section' ? { argument: body.section, actionLabel: `Open ${body.section.replace(/-/g, ' ')} in the patient 360` } : none,
    'search-knowledge': () => body.action === 'search-knowledge' ? { argument: body.query, actionLabel: `Search the knowledge base for “${body.query}”` } : none,
    'send-article': () => body.action === 'send-article' ? { argument: body.article, actionLabel: `Send the article “${body.article}”` } : none,
    'book-appointment': () => body.action === 'book-appointment' ? { argument: body.specialty, actionLabel: `Book a ${body.specialty.replace(/-/g, ' ')} appointment` } : none,
    'send-survey': () => ({ argument: null, actionLabel: 'End the chat and send the survey' }),
    'transfer-to-queue': () => body.action === 'transfer-to-queue' ? { argument: body.queue, actionLabel: `Transfer to ${names.queue(body.queue)}` } : none,
    'add-note': () => body.action === 'add-note' ? { argument: body.note, actionLabel: 'Add the note' } : none,
    'set-disposition': () => body.action === 'set-disposition' ? { argument: body.disposition, actionLabel: `Close as “${names.disposition(body.disposition)}”` } : none,
  };
  return words[body.action]();
}
const none = { argument: null, actionLabel: '' };

/** A plan step as the runner shows it. */
export function presentStep(
  step: PlanStep,
  ctx: {
    onPath: boolean;
    done: boolean;
    answer: (StoredAnswer & { label: string; byName: string | null }) | null;
    fields: FieldValues;
    answerLabel: (planId: string) => string | null;
    names: { queue(id: string): string; disposition(code: string): string };
  },
): ScriptRunStep {
  const body = step.body;
  const rawText = body.type === 'macro' ? (body.text ?? '') : body.text;
  const filled = fillText(rawText, step, ctx.fields, ctx.answerLabel);
  const base: ScriptRunStep = { id: step.id, type: body.type, required: step.required, onPath: ctx.onPath, done: ctx.done, from: step.from, parts: filled.parts, text: filled.text };
  if (body.type === 'question') {
    return {
      ...base,
      answerKind: body.answer,
      ...(step.choices ? { choices: step.choices.map(({ value, label }) => ({ value, label })) } : {}),
      answer: ctx.answer ? { value: ctx.answer.value, label: ctx.answer.label, by: ctx.answer.byName, at: ctx.answer.at } : null,
    };
  }
  if (body.type === 'macro') {
    const words = macroLabel(body, ctx.names);
    if (body.action === 'add-note') {
      const note = fillText(body.note, step, ctx.fields, ctx.answerLabel);
      return { ...base, action: body.action, argument: note.text, actionLabel: words.actionLabel };
    }
    return { ...base, action: body.action, argument: words.argument, actionLabel: words.actionLabel };
  }
  return base;
}
