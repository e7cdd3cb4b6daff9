/**
 * The triage service: a whole description assessed in one call (`assess`), and interactive
 * sessions that ask the next most useful question until a disposition. In-process callers (the
 * bot engine's `triage` and `redFlag` steps) use `assess` directly.
 */
import { randomUUID } from 'node:crypto';
import {
  TRIAGE_TEXT_LIMIT,
  triageLevelOf,
  urgencyOf,
  type TriageAnswer,
  type TriageAssessment,
  type TriageDisposition,
  type TriageFollowUpQuestion,
  type TriageLanguage,
  type TriageQuestion,
  type TriageSessionView,
} from '../contracts/triage.js';
import { badRequest, conflict, notFound, unprocessable } from '../platform/errors.js';
import { isFactQuestion, known, type Decision, type PatientState, type ProtocolSet } from './engine.js';
import { extract } from './extract.js';
import { fold } from './text.js';
import type { Vocabulary } from './vocabulary.js';

export interface TriageInput {
  text: string;
  age?: number;
  sex?: 'female' | 'male' | 'other';
  pregnant?: boolean;
  language?: TriageLanguage;
  /** Yes/no answers to follow-up questions already asked, by question id (a finding, or `pregnant`). */
  answers?: Record<string, boolean>;
}

/** The one-line instruction of each disposition. */
const INSTRUCTIONS: Record<TriageDisposition, Record<TriageLanguage, string>> = {
  emergency_ambulance: { en: 'Call 911 now.', es: 'Llame al 911 ahora.' },
  emergency: {
    en: 'Go to the nearest emergency department now. If you cannot get there safely or quickly, call 911.',
    es: 'Vaya ahora a la sala de urgencias más cercana. Si no puede llegar rápido y con seguridad, llame al 911.',
  },
  consultation_24: { en: 'See a doctor or an urgent care clinic within 24 hours.', es: 'Vea a un médico o vaya a una clínica de atención urgente en las próximas 24 horas.' },
  consultation: { en: 'Make an appointment with your doctor in the next few days.', es: 'Pida una cita con su médico en los próximos días.' },
  self_care: { en: 'You can most likely look after this at home.', es: 'Lo más probable es que pueda cuidarse en casa.' },
};

/** Advice when neither the rule nor the protocol has its own for the disposition. */
const GENERIC_ADVICE: Record<TriageDisposition, Record<TriageLanguage, string>> = {
  emergency_ambulance: {
    en: 'Do not drive yourself. Stay with the person, unlock the door, and follow the dispatcher’s instructions.',
    es: 'No maneje. Quédese con la persona, abra la puerta y siga las instrucciones del operador.',
  },
  emergency: {
    en: 'Do not eat or drink until you have been seen. Have someone take you; call 911 if it gets worse on the way.',
    es: 'No coma ni beba hasta que lo vean. Pida que alguien lo lleve; llame al 911 si empeora en el camino.',
  },
  consultation_24: {
    en: 'Call your doctor’s office today or go to urgent care. If it gets worse or new warning signs appear, go to the emergency department or call 911.',
    es: 'Llame hoy al consultorio de su médico o vaya a atención urgente. Si empeora o aparecen señales de alarma, vaya a urgencias o llame al 911.',
  },
  consultation: {
    en: 'Book a visit with your doctor in the next few days. Contact them sooner if it gets worse.',
    es: 'Pida una cita con su médico en los próximos días. Llame antes si empeora.',
  },
  self_care: {
    en: 'Rest, drink fluids and watch how you feel. Contact your doctor if it lasts longer than expected or gets worse.',
    es: 'Descanse, tome líquidos y observe cómo se siente. Consulte a su médico si dura más de lo esperado o empeora.',
  },
};

const NOTICES = {
  truncated: {
    en: `The description was longer than ${TRIAGE_TEXT_LIMIT.toLocaleString('en-US')} characters: only the beginning was read.`,
    es: `La descripción tenía más de ${TRIAGE_TEXT_LIMIT.toLocaleString('en-US')} caracteres: solo se leyó el principio.`,
  },
  unrecognised: {
    en: 'No symptoms were recognised. Describe the main symptom in a few words in English or Spanish (for example "fever and cough for 2 days"). If this is an emergency, call 911.',
    es: 'No se reconocieron síntomas. Describa el síntoma principal en pocas palabras en español o inglés (por ejemplo "fiebre y tos desde hace 2 días"). Si es una emergencia, llame al 911.',
  },
  defaultReason: {
    en: (title: string) => `${title}: none of the warning signs was mentioned.`,
    es: (title: string) => `${title}: no se mencionó ninguna señal de alarma.`,
  },
};

const MAIN_SYMPTOM_QUESTION: Record<TriageLanguage, string> = { en: 'What is the main symptom, and how long has it lasted?', es: '¿Cuál es el síntoma principal y desde cuándo lo tiene?' };

/** Control characters other than tab and newlines, and the replacement character: signs of binary data. */
// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/g;

/** Cleans the text: refuses binary data, cuts what is too long (with a notice). */
export function readableText(text: string): { text: string; truncated: boolean } {
  const binary = text.match(BINARY)?.length ?? 0;
  if (binary > 0 && binary / text.length > 0.1) {
    throw unprocessable('The text looks like binary data, not a description: describe the symptoms in words.');
  }
  const clean = text.replace(BINARY, ' ');
  if (clean.length <= TRIAGE_TEXT_LIMIT) return { text: clean, truncated: false };
  return { text: clean.slice(0, TRIAGE_TEXT_LIMIT), truncated: true };
}

interface MutableState {
  present: Set<string>;
  absent: Set<string>;
  age?: number;
  sex?: 'female' | 'male' | 'other';
  pregnant?: boolean;
  temperatureC?: number;
  durationHours?: number;
}

/** Adds what a text says to a state; what was given explicitly (age, sex, pregnancy) wins. */
function absorb(state: MutableState, text: string, vocabulary: Vocabulary): { language: TriageLanguage; words: number } {
  const extraction = extract(text, vocabulary);
  for (const [id, present] of extraction.findings) {
    if (present) {
      state.present.add(id);
      state.absent.delete(id);
    } else if (!state.present.has(id)) state.absent.add(id);
  }
  state.age ??= extraction.age;
  state.sex ??= extraction.sex;
  state.pregnant ??= extraction.pregnant;
  if (extraction.temperatureC !== undefined) state.temperatureC = Math.max(state.temperatureC ?? 0, extraction.temperatureC);
  if (extraction.durationHours !== undefined) state.durationHours = Math.max(state.durationHours ?? 0, extraction.durationHours);
  return { language: extraction.language, words: extraction.words };
}

function cleanState(state: MutableState): PatientState {
  const out: PatientState = { present: state.present, absent: state.absent };
  if (state.age !== undefined) out.age = state.age;
  if (state.sex !== undefined) out.sex = state.sex;
  if (state.pregnant !== undefined) out.pregnant = state.pregnant;
  if (state.temperatureC !== undefined) out.temperatureC = state.temperatureC;
  if (state.durationHours !== undefined) out.durationHours = state.durationHours;
  return out;
}

export const questionType = (id: string): TriageFollowUpQuestion['type'] => (id === 'age' || id === 'temperature' || id === 'duration' ? 'number' : 'yes_no');

interface Session {
  id: string;
  state: MutableState;
  language: TriageLanguage;
  notices: string[];
  pending: TriageQuestion | null;
  answered: number;
  expiresAt: number;
}

export interface TriageServiceOptions {
  /** How long an idle session is kept. */
  sessionTtlMs?: number;
  /** The most sessions kept at once (the oldest go first). */
  maxSessions?: number;
  /** The most questions one session asks before deciding on what it knows. */
  maxQuestions?: number;
  now?: () => number;
}

export class TriageService {
  private readonly sessions = new Map<string, Session>();
  private readonly ttlMs: number;
  private readonly maxSessions: number;
  private readonly maxQuestions: number;
  private readonly now: () => number;

  constructor(
    readonly vocabulary: Vocabulary,
    readonly protocols: ProtocolSet,
    options: TriageServiceOptions = {},
  ) {
    this.ttlMs = options.sessionTtlMs ?? 30 * 60_000;
    this.maxSessions = options.maxSessions ?? 10_000;
    this.maxQuestions = options.maxQuestions ?? 12;
    this.now = options.now ?? Date.now;
  }

  /** Assesses a whole description at once; unanswered questions come back as `followUpQuestions`. */
  assess(input: TriageInput): TriageAssessment {
    const { state, language, notices } = this.start(input);
    return this.present(state, language, notices, 5);
  }

  private start(input: TriageInput): { state: MutableState; language: TriageLanguage; notices: string[] } {
    const { text, truncated } = readableText(input.text);
    const state: MutableState = { present: new Set(), absent: new Set() };
    if (input.age !== undefined) state.age = input.age;
    if (input.sex !== undefined) state.sex = input.sex;
    if (input.pregnant !== undefined) state.pregnant = input.pregnant;
    const read = absorb(state, text, this.vocabulary);
    for (const [id, yes] of Object.entries(input.answers ?? {})) {
      if (id === 'pregnant') state.pregnant = yes;
      else if (!isFactQuestion(id) && this.vocabulary.has(id)) {
        (yes ? state.present : state.absent).add(id);
        (yes ? state.absent : state.present).delete(id);
      }
    }
    inferPregnancyBleeding(state);
    const language = input.language ?? read.language;
    const notices = truncated ? [NOTICES.truncated[language]] : [];
    return { state, language, notices };
  }

  private present(mutable: MutableState, language: TriageLanguage, notices: string[], questionLimit: number, decision?: Decision): TriageAssessment {
    const state = cleanState(mutable);
    const decided = decision ?? this.protocols.decide(state);
    const recognised = state.present.size > 0 || state.absent.size > 0;
    const rule = decided.hits[0]?.rule;
    const protocol = decided.adviceFrom;
    const advice = rule?.advice?.[language] ?? protocol?.advice[decided.disposition]?.[language] ?? GENERIC_ADVICE[decided.disposition][language];
    const instruction = rule?.instruction?.[language] ?? INSTRUCTIONS[decided.disposition][language];
    const reasons = decided.hits.map((h) => ({ protocol: h.protocol.id, rule: h.rule.id, text: h.rule.reason[language], findings: h.findings }));
    if (reasons.length === 0 && decided.protocols.length > 0) {
      const first = decided.protocols.find((p) => p.default === decided.disposition) ?? decided.protocols[0]!;
      reasons.push({ protocol: first.id, rule: 'default', text: NOTICES.defaultReason[language](first.title[language]), findings: first.triggers.filter((t) => state.present.has(t)) });
    }
    const followUpQuestions: TriageFollowUpQuestion[] = this.protocols
      .usefulQuestions(state, decided.disposition)
      .slice(0, questionLimit)
      .map((q) => ({ id: q.id, text: q.text[language], type: questionType(q.id) }));
    const allNotices = [...notices];
    if (!recognised) {
      allNotices.push(NOTICES.unrecognised[language]);
      followUpQuestions.unshift({ id: 'main_symptom', text: MAIN_SYMPTOM_QUESTION[language], type: 'text' });
    }
    const facts: TriageAssessment['facts'] = {};
    if (state.age !== undefined) facts.age = state.age;
    if (state.temperatureC !== undefined) facts.temperatureC = state.temperatureC;
    if (state.durationHours !== undefined) facts.durationHours = state.durationHours;
    const findings = [...state.present].map((id) => ({ id, name: this.vocabulary.nameOf(id), present: true }));
    for (const id of state.absent) findings.push({ id, name: this.vocabulary.nameOf(id), present: false });
    return {
      disposition: decided.disposition,
      level: triageLevelOf(decided.disposition),
      instruction,
      advice,
      reasons,
      findings,
      followUpQuestions,
      protocols: decided.protocols.map((p) => p.id),
      facts,
      language,
      recognised,
      notices: allNotices,
    };
  }

  // ─── Interactive sessions ───────────────────────────────────────────────────

  startSession(input: TriageInput): TriageSessionView {
    this.sweep();
    const { state, language, notices } = this.start(input);
    const session: Session = { id: randomUUID(), state, language, notices, pending: null, answered: 0, expiresAt: this.now() + this.ttlMs };
    this.sessions.set(session.id, session);
    while (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    return this.advance(session);
  }

  answer(sessionId: string, answer: TriageAnswer): TriageSessionView {
    const session = this.sessions.get(sessionId);
    if (!session || session.expiresAt <= this.now()) {
      this.sessions.delete(sessionId);
      throw notFound('Triage session', sessionId);
    }
    const pending = session.pending;
    if (!pending) throw conflict('This triage session has finished: start a new one to assess new symptoms.');
    if (answer.questionId !== pending.id) {
      throw conflict(`Answer the question asked ("${pending.id}"), not "${answer.questionId}".`, { questionId: pending.id });
    }
    this.apply(session, pending, answer.answer);
    session.answered++;
    session.expiresAt = this.now() + this.ttlMs;
    return this.advance(session);
  }

  /** Sessions held now (for tests and the module's health). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  private apply(session: Session, question: TriageQuestion, answer: boolean | number | string): void {
    const { state } = session;
    const id = question.id;
    if (isFactQuestion(id) && id !== 'pregnant') {
      const value = typeof answer === 'number' ? answer : typeof answer === 'string' ? this.numberFrom(id, answer) : undefined;
      if (value === undefined || !Number.isFinite(value)) throw badRequest(`Answer "${id}" with a number${id === 'duration' ? ' of hours, or words like "3 days"' : ''}.`, { questionId: id });
      if (id === 'age') {
        if (value < 0 || value > 130) throw badRequest('An age is between 0 and 130 years.', { questionId: id });
        state.age = value;
      } else if (id === 'temperature') {
        const celsius = value > 50 ? ((value - 32) * 5) / 9 : value;
        if (celsius < 30 || celsius > 45) throw badRequest('That temperature is out of range: give it in °F or °C.', { questionId: id });
        state.temperatureC = Math.round(celsius * 10) / 10;
        if (celsius >= 38) state.present.add('fever');
      } else {
        if (value < 0) throw badRequest('A duration cannot be negative.', { questionId: id });
        state.durationHours = value;
      }
      return;
    }
    const yes = typeof answer === 'boolean' ? answer : typeof answer === 'string' ? yesOrNo(answer) : undefined;
    if (typeof answer === 'string') absorb(state, answer, this.vocabulary);
    if (yes === undefined) {
      if (typeof answer === 'string' && known(id, cleanState(state))) return;
      throw badRequest(`Answer "${id}" with yes or no.`, { questionId: id, question: question.text[session.language] });
    }
    if (id === 'pregnant') {
      state.pregnant = yes;
      return;
    }
    if (yes) {
      state.present.add(id);
      state.absent.delete(id);
    } else if (!state.present.has(id)) state.absent.add(id);
  }

  private numberFrom(id: string, text: string): number | undefined {
    if (id === 'duration') {
      const probe: MutableState = { present: new Set(), absent: new Set() };
      absorb(probe, text, this.vocabulary);
      if (probe.durationHours !== undefined) return probe.durationHours;
    }
    if (id === 'temperature') {
      const probe: MutableState = { present: new Set(), absent: new Set() };
      absorb(probe, `temperature ${text}`, this.vocabulary);
      if (probe.temperatureC !== undefined) return probe.temperatureC;
    }
    const m = /-?\d+(?:[.,]\d+)?/.exec(text);
    return m ? Number(m[0].replace(',', '.')) : undefined;
  }

  private advance(session: Session): TriageSessionView {
    const state = cleanState(session.state);
    const decision = this.protocols.decide(state);
    const done = urgencyOf(decision.disposition) === urgencyOf('emergency_ambulance') || session.answered >= this.maxQuestions;
    const next = done ? undefined : this.protocols.usefulQuestions(state, decision.disposition)[0];
    session.pending = next ?? null;
    const assessment = this.present(session.state, session.language, session.notices, 5, decision);
    return {
      sessionId: session.id,
      status: session.pending ? 'asking' : 'done',
      question: session.pending ? { id: session.pending.id, text: session.pending.text[session.language], type: questionType(session.pending.id) } : null,
      assessment,
      answered: session.answered,
      expiresAt: new Date(session.expiresAt).toISOString(),
    };
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}

const YES = new Set(['yes', 'y', 'yeah', 'yep', 'yup', 'sure', 'true', 'correct', 'right', 'i do', 'it is', 'si', 'claro', 'cierto', 'afirmativo', 'of course', 'definitely']);
const NO = new Set(['no', 'n', 'nope', 'nah', 'false', 'not', 'none', 'i dont', 'it isnt', 'never', 'negative', 'tampoco', 'nunca', 'not really']);

export function yesOrNo(text: string): boolean | undefined {
  const words = fold(text).replace(/[^a-z ]/g, ' ').trim().replace(/\s+/g, ' ');
  if (YES.has(words)) return true;
  if (NO.has(words)) return false;
  const first = words.split(' ')[0] ?? '';
  if (YES.has(first)) return true;
  if (NO.has(first)) return false;
  return undefined;
}

/** Bleeding from a named place other than the vagina: with it, "bleeding" in pregnancy is that. */
const OTHER_BLEEDING_SITES = ['nosebleed', 'wound', 'rectal_bleeding', 'vomiting_blood', 'coughing_blood', 'blood_in_urine', 'blood_in_stool', 'black_stool', 'bleeding_gums', 'head_injury'];

/** A pregnant patient who says "bleeding" without a place most likely means vaginal bleeding (the safer reading). */
function inferPregnancyBleeding(state: MutableState): void {
  if (state.pregnant !== true || !state.present.has('bleeding') || state.absent.has('vaginal_bleeding')) return;
  if (OTHER_BLEEDING_SITES.some((id) => state.present.has(id))) return;
  state.present.add('vaginal_bleeding');
}
