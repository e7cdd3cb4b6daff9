/**
 * Pure helpers for the scenario editor: the `code` object as the JSON text the author edits and back,
 * where each step sits in that text (to mark a step's problems and to jump to it from the flow
 * graph), and the JSON schema Monaco checks it with — generated from the contract's zod schemas, so
 * the editor and the server agree on every step type and field.
 */
import { z } from 'zod';
import { scenarioCodeSchema, scenarioStepSchema, type ScenarioCode } from '@carebridge/server/contracts/bot';

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

let schema: object | undefined;

/** The JSON schema of a scenario's `code` (every step type), for Monaco. Built once. */
export function scenarioJsonSchema(): object {
  schema ??= z.toJSONSchema(scenarioCodeSchema.extend({ steps: z.array(scenarioStepSchema).min(1).describe('The steps; the first is where the scenario begins.') }), {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-7',
  });
  return schema;
}
