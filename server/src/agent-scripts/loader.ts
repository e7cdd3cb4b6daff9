/**
 * Reading a script's YAML: parsed with `yaml` and its line counter, validated with the contract's
 * zod schema and then against what the server knows (queues, dispositions, other scripts). Every
 * problem names its line, column and step, so a supervisor's editor can mark it and the start-up
 * log can point at the file. Pure apart from the parser.
 */
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { agentScriptSchema, checkScriptReferences, type AgentScript, type ScriptError, type ScriptIssue, type ScriptReferenceContext } from '../contracts/agent-scripts.js';

export type ParsedScript = { ok: true; script: AgentScript } | { ok: false; errors: ScriptError[] };

/**
 * Parses and validates one script. Without `refs` only the file's own shape is checked (the start-up
 * import checks references once every file is read).
 */
export function parseScript(source: string, refs?: ScriptReferenceContext): ParsedScript {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = locator(doc, lineCounter);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, step: null, message: firstLine(e.message) };
      }),
    };
  }
  const value: unknown = doc.toJS();
  const parsed = agentScriptSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: sortErrors(parsed.error.issues.map((issue) => locate(issuePath(issue), issueMessage(issue), unknownKeyOf(issue)))) };
  if (!refs) return { ok: true, script: parsed.data };
  const issues = checkScriptReferences(parsed.data, refs);
  if (issues.length > 0) return { ok: false, errors: sortErrors(issues.map((i: ScriptIssue) => locate(i.path, `${lastKey(i.path)}${i.message}`))) };
  return { ok: true, script: parsed.data };
}

/** One line per error, as the start-up log and tests print them: `file:line:column [step] message`. */
export function formatScriptError(file: string, error: ScriptError): string {
  return `${file}:${error.line}:${error.column}${error.step ? ` (step ${error.step})` : ''}: ${error.message}`;
}

type Locate = (path: readonly PropertyKey[], message: string, key?: string) => ScriptError;

function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path, message, key) => {
    // The deepest node that exists on the path (a missing key points at its object).
    let node: unknown = doc.contents;
    let found: Node | null = isNode(node) ? node : null;
    for (const segment of path) {
      const next = childOf(node, segment);
      if (next === undefined) break;
      node = next;
      if (isNode(next)) found = next;
    }
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (pair && isNode(pair.key)) found = pair.key;
    }
    const offset = found?.range?.[0] ?? 0;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col, step: stepOf(doc, path), message };
  };
}

function childOf(node: unknown, segment: PropertyKey): unknown {
  if (isSeq(node) && typeof segment === 'number') return node.items[segment];
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
    return pair?.value ?? undefined;
  }
  return undefined;
}

/** The step a path is in: its id when it has one, else its place (`#3`). */
function stepOf(doc: Document, path: readonly PropertyKey[]): string | null {
  if (path[0] !== 'steps' || typeof path[1] !== 'number') return null;
  const id: unknown = doc.getIn(['steps', path[1], 'id']);
  return typeof id === 'string' && id.length > 0 ? id : `#${path[1] + 1}`;
}

function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  return issue.path;
}

function unknownKeyOf(issue: z.core.$ZodIssue): string | undefined {
  return issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
}

function lastKey(path: readonly PropertyKey[]): string {
  const key = [...path].reverse().find((p) => typeof p === 'string');
  return typeof key === 'string' ? `${key}: ` : '';
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && Array.isArray((issue as { options?: unknown }).options)) {
    const { discriminator, options } = issue as unknown as { discriminator: string; options: string[] };
    return `${discriminator}: must be one of ${options.join(', ')}`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${lastKey(issue.path)}is missing`;
  return `${lastKey(issue.path)}${issue.message}`;
}

function sortErrors(errors: ScriptError[]): ScriptError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
