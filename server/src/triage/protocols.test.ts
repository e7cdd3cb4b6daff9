/**
 * The shipped content: every protocol file validates and names only findings the vocabulary has;
 * red flags short-circuit in every protocol; age, sex and pregnancy modifiers change the outcome.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { symptomsFileSchema, triageProtocolSchema, type TriageDisposition } from '../contracts/triage.js';
import { GENERAL_PROTOCOL_ID, GLOBAL_PROTOCOL_ID, referencedIds } from './engine.js';
import { SHIPPED_PROTOCOLS_DIR, SHIPPED_SYMPTOMS_FILE, TriageService, Vocabulary, loadProtocols, parseProtocolFile } from './index.js';

const vocabulary = Vocabulary.fromFile(SHIPPED_SYMPTOMS_FILE);
const protocols = loadProtocols(SHIPPED_PROTOCOLS_DIR, vocabulary);
const service = new TriageService(vocabulary, protocols);
const files = fs.readdirSync(SHIPPED_PROTOCOLS_DIR).filter((f) => f.endsWith('.json'));

describe('health-bot/vocabulary/symptoms.json', () => {
  it('validates, with at least 200 symptoms and findings, unique ids, and sources', () => {
    const file = symptomsFileSchema.parse(JSON.parse(fs.readFileSync(SHIPPED_SYMPTOMS_FILE, 'utf8')));
    expect(file.symptoms.length).toBeGreaterThanOrEqual(200);
    expect(new Set(file.symptoms.map((s) => s.id)).size).toBe(file.symptoms.length);
    expect(file.sources.length).toBeGreaterThan(0);
    expect(file.symptoms.filter((s) => s.es && s.es.length > 0).length).toBeGreaterThan(180);
  });
});

describe('health-bot/triage/', () => {
  it('has the global red flags, a general protocol and at least 40 chief complaints', () => {
    expect(protocols.complaints.length).toBeGreaterThanOrEqual(40);
    expect(protocols.global.id).toBe(GLOBAL_PROTOCOL_ID);
    expect(protocols.general.id).toBe(GENERAL_PROTOCOL_ID);
  });

  it.each(files)('%s validates and names only known findings', (file) => {
    const protocol = parseProtocolFile(path.join(SHIPPED_PROTOCOLS_DIR, file), vocabulary);
    expect(triageProtocolSchema.safeParse(protocol).success).toBe(true);
    for (const rule of protocol.rules) for (const id of referencedIds(rule.when)) expect(vocabulary.has(id) || ['age', 'pregnant', 'temperature', 'duration'].includes(id), `${rule.id}: ${id}`).toBe(true);
    for (const q of protocol.questions) expect(q.text.en.endsWith('?') && q.text.es.endsWith('?'), q.id).toBe(true);
    // Non-urgent endings need advice on what to do.
    for (const d of new Set<TriageDisposition>([protocol.default, ...protocol.rules.map((r) => r.disposition)])) {
      if (d === 'self_care' && protocol.id !== GLOBAL_PROTOCOL_ID) expect(protocol.advice.self_care, `${protocol.id} self_care advice`).toBeDefined();
    }
  });

  it('stops the server with the file and the id when a protocol names an unknown finding', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-protocols-'));
    try {
      const broken = JSON.parse(fs.readFileSync(path.join(SHIPPED_PROTOCOLS_DIR, 'cough.json'), 'utf8'));
      broken.rules[0].when = 'coughing_frogs';
      fs.writeFileSync(path.join(dir, 'cough.json'), JSON.stringify(broken));
      expect(() => parseProtocolFile(path.join(dir, 'cough.json'), vocabulary)).toThrow(/cough\.json: .*unknown finding "coughing_frogs"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('global red flags are never skipped', () => {
  const complaintProtocols = protocols.complaints.filter((p) => p.id !== 'mental-health-crisis');
  it.each(complaintProtocols.map((p) => [p.id, vocabulary.nameOf(p.triggers[0]!)] as const))('%s (%s) + stroke signs → call 911', (_id, complaint) => {
    const result = service.assess({ text: `${complaint}. Now my face is drooping and my speech is slurred` });
    expect(result.disposition).toBe('emergency_ambulance');
    expect(result.reasons.some((r) => r.protocol === GLOBAL_PROTOCOL_ID && r.rule === 'stroke_signs')).toBe(true);
  });
});

type Case = [string, { age?: number; sex?: 'female' | 'male'; pregnant?: boolean }, TriageDisposition, string?];

describe('protocol rules', () => {
  const cases: Case[] = [
    // Global short-circuits, each to its instruction.
    ['crushing chest pain and sweating', {}, 'emergency_ambulance', 'heart_attack_signs'],
    ['my lips are swelling and my throat is closing after peanuts', {}, 'emergency_ambulance', 'anaphylaxis'],
    ['bleeding heavily from a cut, it won’t stop', {}, 'emergency_ambulance', 'severe_bleeding'],
    ['he collapsed and is unresponsive', {}, 'emergency_ambulance', 'unresponsive'],
    ['I have a plan to kill myself tonight', {}, 'emergency', 'suicidal_intent'],
    ['fever, stiff neck and headache', { age: 20 }, 'emergency', 'meningitis_neck'],
    // Chest pain.
    ['sharp chest pain, sore to touch after lifting', { age: 25 }, 'self_care'],
    ['chest pain', { age: 55 }, 'emergency', 'older_or_heart_disease'],
    ['chest pain', { age: 25 }, 'consultation_24', 'unexplained'],
    // Abdomen, with pregnancy and age modifiers.
    ['stomach ache', { age: 30 }, 'self_care'],
    ['pain low on the right side of my belly with vomiting', { age: 30 }, 'emergency', 'appendicitis'],
    ['lower belly pain and spotting', { age: 28, sex: 'female', pregnant: true }, 'emergency', 'ectopic'],
    ['severe stomach pain', { age: 70 }, 'emergency', 'older_severe'],
    // Fever: age decides.
    ['fever 38.5', { age: 0.1 }, 'emergency', 'under_3_months'],
    ['fever 38.5', { age: 4 }, 'self_care'],
    ['fever 38.5 for 4 days', { age: 4 }, 'consultation', 'lasting'],
    ['fever', { age: 40, pregnant: true }, 'consultation_24', 'pregnant_or_old'],
    ['fever while on chemo', { age: 50 }, 'emergency', 'weak_immunity'],
    // Sore throat: Centor-like combination.
    ['sore throat, runny nose and cough', { age: 20 }, 'self_care'],
    ['sore throat with fever and white spots on my tonsils', { age: 20 }, 'consultation', 'strep_likely'],
    ['sore throat, drooling and can’t swallow my spit', { age: 20 }, 'emergency', 'airway'],
    // Urinary: sex, pregnancy and fever.
    ['burning when I pee', { age: 30, sex: 'female' }, 'consultation', 'uti'],
    ['burning when I pee', { age: 30, sex: 'female', pregnant: true }, 'consultation_24', 'pregnant_child_male'],
    ['burning when I pee with fever and pain in my side', { age: 30 }, 'consultation_24'],
    // Headache.
    ['worst headache of my life, sudden', { age: 40 }, 'emergency', 'thunderclap'],
    ['headache with blurry vision and swollen hands', { age: 30, pregnant: true }, 'emergency', 'pregnancy_emergency'],
    // Back.
    ['back pain and I lost control of my bladder', { age: 45 }, 'emergency', 'cauda_equina'],
    ['lower back pain after lifting', { age: 35 }, 'self_care'],
    // Cough.
    ['cough for 4 weeks', { age: 40 }, 'consultation', 'three_weeks'],
    ['cough with fever and shortness of breath', { age: 70 }, 'consultation_24'],
    // Testicle, falls, seizures, bites, poisoning.
    ['sudden testicle pain', { age: 15, sex: 'male' }, 'emergency', 'torsion'],
    ['my mother fell and can’t get up, her hip hurts', { age: 82 }, 'emergency', 'cant_get_up'],
    ['seizure, first one ever', { age: 30 }, 'emergency', 'first_or_risk'],
    ['dog bite that broke the skin', { age: 30 }, 'consultation_24', 'rabies_or_broken_skin'],
    ['my son swallowed a button battery', { age: 3 }, 'emergency', 'poisoning'],
    // Mental health.
    ['I have thoughts of suicide but no plan', { age: 30 }, 'consultation_24', 'suicidal_thoughts'],
    ['anxious and stressed about exams', { age: 19 }, 'self_care'],
  ];
  it.each(cases)('%s %j → %s', (text, demographics, disposition, rule) => {
    const result = service.assess({ text, ...demographics });
    expect(result.disposition, JSON.stringify(result.reasons)).toBe(disposition);
    if (rule) expect(result.reasons.map((r) => r.rule)).toContain(rule);
    expect(result.reasons.length).toBeGreaterThan(0);
    expect(result.advice.length).toBeGreaterThan(10);
  });

  it('call-911 dispositions say so, and suicidal intent names 988 and 911', () => {
    expect(service.assess({ text: 'not breathing' }).instruction).toMatch(/911/);
    const crisis = service.assess({ text: 'I am going to kill myself' });
    expect(crisis.instruction).toMatch(/988/);
    expect(crisis.instruction).toMatch(/911/);
  });
});
