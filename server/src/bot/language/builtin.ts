/** Reads the built-in model files of `health-bot/language-models/` (each validated; a bad file stops the server naming it). */
import fs from 'node:fs';
import path from 'node:path';
import { builtInModelFileSchema, type BuiltInModelFile } from '../../contracts/language.js';

export function readBuiltInModels(dir: string): BuiltInModelFile[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const models = files.map((f) => {
    const file = path.join(dir, f);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: not readable JSON: ${(err as Error).message}`, { cause: err });
    }
    const parsed = builtInModelFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
    }
    if (parsed.data.id !== path.basename(f, '.json')) throw new Error(`${file}: id: must be the file's name (${path.basename(f, '.json')})`);
    return parsed.data;
  });
  const owner = new Map<string, string>();
  for (const m of models) {
    for (const i of m.intents) {
      const other = owner.get(i.intent);
      if (other) throw new Error(`${path.join(dir, `${m.id}.json`)}: intent ${i.intent} is already in ${other}.json`);
      owner.set(i.intent, m.id);
    }
  }
  return models;
}
