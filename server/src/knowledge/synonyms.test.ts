/** Synonym groups from the vocabulary files: synonyms.json, and the conditions and symptoms beside it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Synonyms } from './synonyms.js';
import { words } from './text.js';

const SHIPPED = fileURLToPath(new URL('../../../health-bot/vocabulary/synonyms.json', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synonyms-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function alternativesOf(synonyms: Synonyms, text: string): string[] {
  return (synonyms.matchAt(words(text), 0)?.alternatives ?? []).map((w) => w.join(' '));
}

function write(name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

const synonymsFile = { version: 1, groups: [{ id: 'bp', language: 'en', terms: ['blood pressure', 'bp'] }] };
const conditionsFile = {
  version: 1,
  codeSet: 'ICD-10-CM FY2026',
  sources: [{ title: 'Tabular list', publisher: 'NCHS' }],
  conditions: [{ id: 'asthma', icd10: 'J45.909', name: 'Asthma', terms: ['asthma', 'athsma', 'reactive airway disease'], es: ['asma', 'asmático'] }],
};

describe('Synonyms.fromFile with the vocabulary beside it', () => {
  it('loads the shipped conditions: lay words, abbreviations and Spanish find one another', () => {
    const synonyms = Synonyms.fromFile(SHIPPED);
    expect(alternativesOf(synonyms, 'sugar diabetes')).toContain('type 2 diabetes');
    expect(alternativesOf(synonyms, 'athsma')).toContain('asthma');
    expect(alternativesOf(synonyms, 'pink eye')).toContain('conjunctivitis');
    expect(alternativesOf(synonyms, 'culebrilla')).toContain('herpes zoster');
    // The groups of synonyms.json are still there.
    expect(alternativesOf(synonyms, 'hbp')).toContain('hypertension');
    expect(Synonyms.fromFile(SHIPPED, { conditionsFile: null, symptomsFile: null }).size).toBeLessThan(synonyms.size);
  });

  it('loads conditions.json and symptoms.json from the same folder when they exist', () => {
    const file = write('synonyms.json', synonymsFile);
    expect(Synonyms.fromFile(file).size).toBe(1);
    write('conditions.json', conditionsFile);
    write('symptoms.json', {
      version: 1,
      symptoms: [
        { id: 'shortness_of_breath', name: 'shortness of breath', terms: ['short of breath', 'cant breathe', 'sob'], es: ['falta de aire', 'me falta el aire'], redFlag: true },
        { id: 'itch', name: 'itching', terms: [] },
      ],
    });
    const synonyms = Synonyms.fromFile(file);
    // bp, asthma (en, es), shortness of breath (en, es); "itching" alone makes no group.
    expect(synonyms.size).toBe(5);
    expect(alternativesOf(synonyms, 'athsma attack')).toEqual(['athsma', 'asthma', 'reactive airway disease']);
    expect(alternativesOf(synonyms, 'asmatico')).toEqual(['asmatico', 'asma']);
    expect(alternativesOf(synonyms, 'cant breathe')).toContain('shortness of breath');
    expect(alternativesOf(synonyms, 'me falta el aire')).toEqual(['me falta el aire', 'falta de aire']);
  });

  it('names the file and the field when a vocabulary file is bad', () => {
    const file = write('synonyms.json', synonymsFile);
    const bad = write('bad-conditions.json', { ...conditionsFile, conditions: [{ ...conditionsFile.conditions[0], icd10: 'asthma' }] });
    expect(() => Synonyms.fromFile(file, { conditionsFile: bad })).toThrow(/bad-conditions\.json: conditions\.0\.icd10: must be an ICD-10-CM code/);
    fs.writeFileSync(path.join(dir, 'broken.json'), '{ not json');
    expect(() => Synonyms.fromFile(file, { symptomsFile: path.join(dir, 'broken.json') })).toThrow(/broken\.json: not readable JSON/);
  });
});
