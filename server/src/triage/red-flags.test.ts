/**
 * Red flags in the words patients use, not only the textbook ones: each of these was once missed
 * or over-called (a negation swallowing "will not stop bleeding", a plan to overdose read as a
 * routine visit, "beach" corrected into "bleach"). They must stay caught, and the everyday ones calm.
 */
import { describe, expect, it } from 'vitest';
import { SHIPPED_PROTOCOLS_DIR, SHIPPED_SYMPTOMS_FILE, TriageService, Vocabulary, loadProtocols } from './index.js';

const vocabulary = Vocabulary.fromFile(SHIPPED_SYMPTOMS_FILE);
const service = new TriageService(vocabulary, loadProtocols(SHIPPED_PROTOCOLS_DIR, vocabulary));

describe('red flags in patients’ words', () => {
  it.each([
    ['I cut my hand and it will not stop bleeding, blood is spurting', {}, 'emergency_ambulance'],
    ['blood is pouring out of a cut on my leg', {}, 'emergency_ambulance'],
    ['I have pills saved up and I am going to take them all tonight', {}, 'emergency'],
    ['I want to kill myself', {}, 'emergency'],
    ['quiero matarme', { language: 'es' as const }, 'emergency'],
    ['headache, worst of my life, came on suddenly', {}, 'emergency'],
    ['bleeding and cramping, 10 weeks pregnant', { sex: 'female' as const, pregnant: true, age: 28 }, 'emergency'],
    ['I have a cough, fever and I get short of breath walking across the room', { age: 67 }, 'emergency_ambulance'],
  ])('%s → %s', (text, extra, disposition) => {
    const result = service.assess({ text, ...extra });
    expect(result.disposition).toBe(disposition);
  });

  it('sends suicidal intent to 988 first', () => {
    expect(service.assess({ text: 'I want to kill myself' }).instruction).toMatch(/988/);
    expect(service.assess({ text: 'I am thinking about ending my life' }).instruction).toMatch(/988/);
  });

  it.each([
    ['I want to die', 'en'],
    ['sometimes I think everyone would be better off without me', 'en'],
    ['I wish I could go to sleep and never wake up', 'en'],
    ["I don't want to be here anymore", 'en'],
    ['creo que todos estarían mejor sin mí', 'es'],
  ] as const)('passive thoughts of death in everyday words get the 988 instruction and same-day care: %s', (text, language) => {
    const result = service.assess({ text, language });
    expect(result.instruction).toMatch(/988/);
    expect(['emergency_ambulance', 'emergency', 'consultation_24']).toContain(result.disposition);
  });

  it('reads "bleeding" in pregnancy as vaginal bleeding only when no other place bleeds', () => {
    expect(service.assess({ text: 'I am bleeding', pregnant: true, sex: 'female', age: 30 }).findings).toContainEqual(expect.objectContaining({ id: 'vaginal_bleeding', present: true }));
    expect(service.assess({ text: 'my nose is bleeding', pregnant: true, sex: 'female', age: 30 }).findings).not.toContainEqual(expect.objectContaining({ id: 'vaginal_bleeding' }));
    expect(service.assess({ text: 'I am bleeding', sex: 'female', age: 30 }).findings).not.toContainEqual(expect.objectContaining({ id: 'vaginal_bleeding' }));
  });
});

describe('everyday complaints stay calm', () => {
  it.each([
    ['I got sunburned at the beach yesterday, my shoulders are red and sore', 'self_care'],
    ['I have a canker sore on my tongue that stings', 'self_care'],
    ['my throat hurts and I have a runny nose', 'self_care'],
  ])('%s → %s', (text, disposition) => {
    expect(service.assess({ text }).disposition).toBe(disposition);
  });

  it('sends a red, warm, spreading patch with fever to a clinician within a day', () => {
    expect(service.assess({ text: 'red, warm, swollen patch on my shin that is spreading, with a fever' }).disposition).toBe('consultation_24');
  });
});

describe('follow-up answers', () => {
  it('takes yes/no answers by question id, and ignores ids that are not findings', () => {
    const before = service.assess({ text: 'I have a headache', age: 40 });
    const question = before.followUpQuestions.find((q) => q.type === 'yes_no' && q.id !== 'pregnant');
    expect(question).toBeDefined();
    const yes = service.assess({ text: 'I have a headache', age: 40, answers: { [question!.id]: true, not_a_finding: true } });
    expect(yes.findings).toContainEqual(expect.objectContaining({ id: question!.id, present: true }));
    expect(yes.findings.some((f) => f.id === 'not_a_finding')).toBe(false);
    const no = service.assess({ text: 'I have a headache', age: 40, answers: { [question!.id]: false } });
    expect(no.findings).toContainEqual(expect.objectContaining({ id: question!.id, present: false }));
    expect(no.followUpQuestions.some((q) => q.id === question!.id)).toBe(false);
  });
});
