/**
 * Pure helpers for the scenario editor: the `code` object as the JSON text the author edits and back,
 * where each step sits in that text (to mark a step's problems and to jump to it from the flow
 * graph), and the JSON schema Monaco checks it with — generated from the contract's zod schemas, so
 * the editor and the server agree on every step type and field.
 */
import { z } from 'zod';
import { STEP_TYPES, scenarioCodeSchema, scenarioStepSchema, type ScenarioCode, type StepType } from '@carebridge/server/contracts/bot';

export function codeToText(code: ScenarioCode): string {
  return `${JSON.stringify(code, null, 2)}\n`;
}

export type ParsedCode = { ok: true; code: ScenarioCode } | { ok: false; message: string; line: number; column: number };

/** The text as a `code` object, or where and why it is not one (JSON syntax, or not `{ steps: [...] }`). */
export function parseCodeText(text: string): ParsedCode {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const { line, column } = positionOf(text, message);
    return { ok: false, message: `Not valid JSON: ${message.replace(/\s*\(line \d+ column \d+\)/, '')}`, line, column };
  }
  const shape = scenarioCodeSchema.safeParse(value);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    return { ok: false, message: `The scenario needs { "steps": [ … ] }: ${issue.path.join('.') || 'the top level'} — ${issue.message}`, line: 1, column: 1 };
  }
  return { ok: true, code: value as ScenarioCode };
}

/** Where a JSON.parse error points: "(line L column C)" in newer engines, "at position N" in others. */
function positionOf(text: string, message: string): { line: number; column: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  if (!pos) return { line: 1, column: 1 };
  const before = text.slice(0, Number(pos[1]));
  const lines = before.split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/**
 * The line of each step's `"id"` in the text (1-based), for steps written one key per line as the
 * editor formats them. A step id that appears twice keeps its first line.
 */
export function stepLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const pattern = /^\s*"id"\s*:\s*"((?:[^"\\]|\\.)*)"/;
  text.split('\n').forEach((line, i) => {
    const match = pattern.exec(line);
    if (!match) return;
    let id: string;
    try {
      id = JSON.parse(`"${match[1]}"`) as string;
    } catch {
      return;
    }
    if (!lines.has(id)) lines.set(id, i + 1);
  });
  return lines;
}

/** What each step type does, shown by completion and hover (server/src/bot/README.md has the whole story). */
const STEP_DOCS: Record<StepType, { doc: string; body: Record<string, unknown> }> = {
  statement: { doc: 'Sends `text` (Markdown) and its cards.', body: { text: '$2' } },
  prompt: { doc: 'Asks `text` and waits; the answer goes to `scenario.<variable>` by `dataType` (number, string, boolean, date, time, choice, object).', body: { text: '$2', variable: '${3:answer}', dataType: '${4:string}' } },
  yesno: { doc: 'A yes/no question with Yes and No buttons.', body: { text: '$2', variable: '${3:answer}' } },
  branch: { doc: '`condition` true → `targetStepId`, false → `designer.next`.', body: { condition: '$2', targetStepId: '$3' } },
  switch: { doc: '`condition`’s value compared with each case’s `value` → its `targetStepId`; none → `designer.next`.', body: { condition: '$2', cases: [{ value: '$3', targetStepId: '$4' }] } },
  assignVariable: { doc: 'Sets `scope.variable` by `operation` (set, incrementBy, decrementBy, push, pop, delete).', body: { scope: 'scenario', operation: 'set', variable: '$2', value: '$3' } },
  action: { doc: 'Runs `onInit` (JavaScript in the sandbox).', body: { onInit: '$2' } },
  beginScenario: { doc: 'Begins the scenario with trigger `scenario`; its end value goes to `variable`.', body: { scenario: '$2' } },
  replaceScenario: { doc: 'Ends this scenario; the named one takes its place.', body: { scenario: '$2' } },
  end: { doc: 'Ends the scenario with `returnValue`.', body: {} },
  dataConnection: { doc: 'Calls a configured connection (`carebridge` is this server’s API); the body goes to `variable`.', body: { connection: 'carebridge', method: 'GET', path: '$2', variable: '$3' } },
  wait: { doc: 'Pauses `duration` milliseconds (at most 3 s).', body: { duration: 1000 } },
  handoff: { doc: 'Says `text` and hands the patient to a person (`intent`, `reason`, `priority`, `summary`).', body: { text: '$2', intent: 'general', reason: 'patient-asked' } },
  triage: { doc: 'The triage assessment of `input` (default: the patient’s message) → `variable`.', body: { variable: '${2:assessment}' } },
  redFlag: { doc: 'As triage; an emergency goes to `targetStepId`.', body: { variable: '${2:assessment}', targetStepId: '$3' } },
};

let schema: object | undefined;

interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  oneOf?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  const?: unknown;
  description?: string;
  defaultSnippets?: { label: string; description: string; body: unknown }[];
}

/**
 * The JSON schema of a scenario's `code` (every step type), for Monaco: generated from the
 * contract, with each step type described and offered as a snippet when a step is added. Built once.
 */
export function scenarioJsonSchema(): object {
  if (schema) return schema;
  const generated = z.toJSONSchema(scenarioCodeSchema.extend({ steps: z.array(scenarioStepSchema).min(1).describe('The steps; the first is where the scenario begins.') }), {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-7',
  }) as JsonSchemaNode;
  const items = generated.properties?.steps?.items;
  for (const variant of items?.oneOf ?? items?.anyOf ?? []) {
    const type = variant.properties?.type;
    const docs = typeof type?.const === 'string' ? STEP_DOCS[type.const as StepType] : undefined;
    if (type && docs) type.description = docs.doc;
  }
  if (items) {
    items.defaultSnippets = STEP_TYPES.map((type) => ({
      label: `${type} step`,
      description: STEP_DOCS[type].doc,
      body: { id: `\${1:${type}_step}`, type, ...STEP_DOCS[type].body, designer: {} },
    }));
  }
  schema = generated;
  return schema;
}
