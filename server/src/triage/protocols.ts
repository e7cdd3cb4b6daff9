/**
 * Loads the protocol files of health-bot/triage/ at start: each validated with
 * `triageProtocolSchema`, and every finding id it names checked against the vocabulary, so a typo
 * in a protocol stops the server with one line naming the file and the id instead of a rule that
 * silently never holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { triageProtocolSchema, type TriageProtocol } from '../contracts/triage.js';
import { isFactQuestion, ProtocolSet, referencedIds } from './engine.js';
import type { Vocabulary } from './vocabulary.js';

/** Problems with one protocol (empty: it is sound). */
export function protocolProblems(protocol: TriageProtocol, vocabulary: Vocabulary): string[] {
  const problems: string[] = [];
  const known = (id: string) => vocabulary.has(id) || isFactQuestion(id);
  for (const id of protocol.triggers) if (!vocabulary.has(id)) problems.push(`triggers: unknown finding "${id}"`);
  if (protocol.appliesTo) for (const id of referencedIds(protocol.appliesTo)) if (!known(id)) problems.push(`appliesTo: unknown finding "${id}"`);
  const ruleIds = new Set<string>();
  for (const rule of protocol.rules) {
    if (ruleIds.has(rule.id)) problems.push(`rules: the id "${rule.id}" appears twice`);
    ruleIds.add(rule.id);
    for (const id of referencedIds(rule.when)) if (!known(id)) problems.push(`rules.${rule.id}: unknown finding "${id}"`);
  }
  const questionIds = new Set<string>();
  for (const question of protocol.questions) {
    if (!known(question.id)) problems.push(`questions: unknown finding "${question.id}"`);
    if (questionIds.has(question.id)) problems.push(`questions: "${question.id}" is asked twice`);
    questionIds.add(question.id);
  }
  return problems;
}

export function parseProtocolFile(file: string, vocabulary: Vocabulary): TriageProtocol {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = triageProtocolSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  const expectedId = path.basename(file, '.json');
  if (parsed.data.id !== expectedId) throw new Error(`${file}: id "${parsed.data.id}" must match the file name ("${expectedId}")`);
  const problems = protocolProblems(parsed.data, vocabulary);
  if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
  return parsed.data;
}

export function loadProtocols(dir: string, vocabulary: Vocabulary): ProtocolSet {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return new ProtocolSet(files.map((f) => parseProtocolFile(path.join(dir, f), vocabulary)));
}
