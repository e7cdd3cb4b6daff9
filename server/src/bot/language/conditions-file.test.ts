/** The shipped conditions vocabulary: it validates, is big enough, and no term means two conditions. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { conditionsFileSchema } from '../../contracts/language.js';

const FILE = fileURLToPath(new URL('../../../../health-bot/vocabulary/conditions.json', import.meta.url));
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();

describe('health-bot/vocabulary/conditions.json', () => {
  const file = conditionsFileSchema.parse(JSON.parse(fs.readFileSync(FILE, 'utf8')));

  it('has at least 150 conditions, each with a code, lay terms and Spanish', () => {
    expect(file.conditions.length).toBeGreaterThanOrEqual(150);
    for (const c of file.conditions) {
      expect(c.terms.length, c.id).toBeGreaterThanOrEqual(2);
      expect(c.es.length, c.id).toBeGreaterThanOrEqual(1);
    }
    expect(path.basename(FILE)).toBe('conditions.json');
  });

  it.each([
    ['hypertension', 'I10', 'high blood pressure', 'hypertention'],
    ['type-2-diabetes', 'E11.9', 'sugar diabetes', 'diabetis'],
    ['asthma', 'J45.909', 'asthma', 'athsma'],
    ['heart-attack', 'I21.9', 'heart attack', 'myocardial infraction'],
    ['covid-19', 'U07.1', 'coronavirus', 'covid'],
  ])('%s is %s with lay and misspelt terms', (id, code, lay, misspelt) => {
    const c = file.conditions.find((x) => x.id === id)!;
    expect(c.icd10).toBe(code);
    expect(c.terms).toContain(lay);
    expect(c.terms).toContain(misspelt);
  });

  it('gives no term to two conditions (English and Spanish, accents folded)', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const c of file.conditions) {
      for (const t of new Set([...c.terms, ...c.es].map(fold))) {
        const other = owner.get(t);
        if (other && other !== c.id) clashes.push(`${t}: ${other} and ${c.id}`);
        owner.set(t, c.id);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('gives no code to two conditions', () => {
    const codes = file.conditions.map((c) => c.icd10);
    expect(codes.length - new Set(codes).size).toBe(0);
  });

  it('rejects a malformed code and a duplicate id', () => {
    const one = file.conditions[0]!;
    expect(conditionsFileSchema.safeParse({ ...file, conditions: [{ ...one, icd10: 'E119' }] }).success).toBe(false);
    expect(conditionsFileSchema.safeParse({ ...file, conditions: [one, one] }).success).toBe(false);
  });
});
