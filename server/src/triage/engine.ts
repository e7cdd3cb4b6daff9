/**
 * The triage decision, as pure functions: which protocols apply to what is known of the patient,
 * which of their rules hold, the most urgent disposition among them (global red flags are always
 * evaluated, whatever the complaint), the reasons and advice, and which unanswered questions could
 * still raise the urgency (asked next, red flags first).
 */
import {
  urgencyOf,
  type LocalizedText,
  type NumberRange,
  type TriageCondition,
  type TriageDisposition,
  type TriageLanguage,
  type TriageProtocol,
  type TriageQuestion,
  type TriageRule,
} from '../contracts/triage.js';

/** What is known: findings said present or absent, and facts about the patient. */
export interface PatientState {
  present: ReadonlySet<string>;
  absent: ReadonlySet<string>;
  age?: number;
  sex?: 'female' | 'male' | 'other';
  pregnant?: boolean;
  temperatureC?: number;
  durationHours?: number;
}

/** Questions about facts rather than findings. */
export const FACT_QUESTIONS = ['age', 'pregnant', 'temperature', 'duration'] as const;
export type FactQuestion = (typeof FACT_QUESTIONS)[number];
export const isFactQuestion = (id: string): id is FactQuestion => (FACT_QUESTIONS as readonly string[]).includes(id);

export const GLOBAL_PROTOCOL_ID = 'global-red-flags';
/** Applies when nothing more specific does: a description with symptoms but no known complaint. */
export const GENERAL_PROTOCOL_ID = 'general';

function inRange(value: number | undefined, r: NumberRange): boolean {
  if (value === undefined) return false;
  return (r.lt === undefined || value < r.lt) && (r.lte === undefined || value <= r.lte) && (r.gt === undefined || value > r.gt) && (r.gte === undefined || value >= r.gte);
}

export const isPregnant = (state: PatientState) => state.pregnant ?? (state.present.has('pregnant') ? true : state.absent.has('pregnant') ? false : undefined);

/** Unknown counts as not so: a rule holds only on what was said. */
export function holds(condition: TriageCondition, state: PatientState): boolean {
  if (typeof condition === 'string') return state.present.has(condition);
  if ('all' in condition) return condition.all.every((c) => holds(c, state));
  if ('any' in condition) return condition.any.some((c) => holds(c, state));
  if ('not' in condition) return !holds(condition.not, state);
  if ('atLeast' in condition) return condition.of.filter((c) => holds(c, state)).length >= condition.atLeast;
  if ('age' in condition) return inRange(state.age, condition.age);
  if ('sex' in condition) return state.sex === condition.sex;
  if ('pregnant' in condition) return isPregnant(state) === condition.pregnant;
  if ('temperatureC' in condition) return inRange(state.temperatureC, condition.temperatureC);
  return inRange(state.durationHours, condition.durationHours);
}

/** Finding ids and fact questions a condition looks at. */
export function referencedIds(condition: TriageCondition, into = new Set<string>()): Set<string> {
  if (typeof condition === 'string') into.add(condition);
  else if ('all' in condition) condition.all.forEach((c) => referencedIds(c, into));
  else if ('any' in condition) condition.any.forEach((c) => referencedIds(c, into));
  else if ('not' in condition) referencedIds(condition.not, into);
  else if ('atLeast' in condition) condition.of.forEach((c) => referencedIds(c, into));
  else if ('age' in condition) into.add('age');
  else if ('pregnant' in condition) into.add('pregnant');
  else if ('temperatureC' in condition) into.add('temperature');
  else if ('durationHours' in condition) into.add('duration');
  return into;
}

/** The present findings a holding condition rests on (for "the findings that drove it"). */
function drivingFindings(condition: TriageCondition, state: PatientState, into: Set<string>): void {
  if (typeof condition === 'string') {
    if (state.present.has(condition)) into.add(condition);
  } else if ('all' in condition) condition.all.forEach((c) => drivingFindings(c, state, into));
  else if ('any' in condition || 'atLeast' in condition) {
    for (const c of 'any' in condition ? condition.any : condition.of) if (holds(c, state)) drivingFindings(c, state, into);
  }
}

export interface RuleHit {
  protocol: TriageProtocol;
  rule: TriageRule;
  findings: string[];
}

export interface Decision {
  disposition: TriageDisposition;
  /** Rules that hold at the decided disposition (empty: a protocol's default decided). */
  hits: RuleHit[];
  /** Protocols that applied, the global red flags not counted. */
  protocols: TriageProtocol[];
  /** The protocol whose advice is given. */
  adviceFrom: TriageProtocol | null;
}

export class ProtocolSet {
  readonly global: TriageProtocol;
  readonly general: TriageProtocol;
  readonly complaints: readonly TriageProtocol[];

  constructor(readonly all: readonly TriageProtocol[]) {
    const global = all.find((p) => p.id === GLOBAL_PROTOCOL_ID);
    const general = all.find((p) => p.id === GENERAL_PROTOCOL_ID);
    if (!global || !general) throw new Error(`triage protocols: ${GLOBAL_PROTOCOL_ID}.json and ${GENERAL_PROTOCOL_ID}.json are required`);
    this.global = global;
    this.general = general;
    this.complaints = all.filter((p) => p !== global && p !== general);
  }

  byId(id: string): TriageProtocol | undefined {
    return this.all.find((p) => p.id === id);
  }

  /** Complaint protocols whose trigger was said (and that fit the patient); else the general one. */
  applicable(state: PatientState): TriageProtocol[] {
    const found = this.complaints.filter((p) => p.triggers.some((t) => state.present.has(t)) && (p.appliesTo === undefined || holds(p.appliesTo, state)));
    // Nothing recognised is not "nothing wrong": the general protocol (a consultation) decides.
    return found.length > 0 ? found : [this.general];
  }

  decide(state: PatientState): Decision {
    const protocols = this.applicable(state);
    const hits: RuleHit[] = [];
    let disposition: TriageDisposition = 'self_care';
    let adviceFrom: TriageProtocol | null = null;
    for (const protocol of protocols) {
      if (urgencyOf(protocol.default) > urgencyOf(disposition)) {
        disposition = protocol.default;
        adviceFrom = protocol;
      }
    }
    for (const protocol of [this.global, ...protocols]) {
      for (const rule of protocol.rules) {
        if (!holds(rule.when, state)) continue;
        const findings = new Set<string>();
        drivingFindings(rule.when, state, findings);
        hits.push({ protocol, rule, findings: [...findings] });
        if (urgencyOf(rule.disposition) > urgencyOf(disposition)) {
          disposition = rule.disposition;
          adviceFrom = protocol;
        }
      }
    }
    const decisive = hits.filter((h) => h.rule.disposition === disposition);
    if (decisive.length > 0) adviceFrom = decisive[0]!.protocol;
    else adviceFrom ??= protocols[0] ?? null;
    return { disposition, hits: decisive, protocols, adviceFrom };
  }

  /**
   * Unanswered questions whose answer could make the disposition more urgent, in asking order:
   * the global red flags' questions first, then each applicable protocol's (red flags first there
   * too, as authored), each asked once.
   */
  usefulQuestions(state: PatientState, current: TriageDisposition): TriageQuestion[] {
    const protocols = this.applicable(state);
    const raising = new Set<string>();
    for (const protocol of [this.global, ...protocols]) {
      for (const rule of protocol.rules) if (urgencyOf(rule.disposition) > urgencyOf(current)) referencedIds(rule.when, raising);
    }
    const seen = new Set<string>();
    const questions: TriageQuestion[] = [];
    // The global red flags are asked when no complaint is recognised; a complaint's protocol
    // names the red flags that fit it (nobody with toothache wants the stroke questions).
    const sources = protocols.length === 0 || protocols[0] === this.general ? [this.general, this.global, ...protocols] : protocols;
    for (const protocol of sources) {
      for (const q of protocol.questions) {
        if (seen.has(q.id) || !raising.has(q.id) || known(q.id, state)) continue;
        seen.add(q.id);
        questions.push(q);
      }
    }
    // Most useful first: the questions whose answer alone could lead furthest (a red flag that
    // means 911 before one that means a visit), in the authors' order among equals.
    const reach = new Map(questions.map((q) => [q.id, this.reachAlone(q.id, state, protocols)]));
    return questions.map((q, i) => ({ q, i })).sort((a, b) => reach.get(b.q.id)! - reach.get(a.q.id)! || a.i - b.i).map(({ q }) => q);
  }

  /** The most urgent disposition one answer to `id` could bring on its own (its urgency). */
  private reachAlone(id: string, state: PatientState, protocols: readonly TriageProtocol[]): number {
    const answers: PatientState[] = [];
    const base = { ...state };
    if (id === 'age') for (const age of [0.1, 0.4, 1, 3, 8, 30, 55, 70, 85]) answers.push({ ...base, age });
    else if (id === 'temperature') for (const temperatureC of [38.2, 39.2, 40.2]) answers.push({ ...base, temperatureC, present: new Set([...state.present, 'fever']) });
    else if (id === 'duration') for (const durationHours of [0.5, 8, 30, 80, 200, 400, 800]) answers.push({ ...base, durationHours });
    else if (id === 'pregnant') answers.push({ ...base, pregnant: true });
    else answers.push({ ...base, present: new Set([...state.present, id]) });
    let best = 0;
    for (const answer of answers) {
      for (const protocol of [this.global, ...protocols]) {
        for (const rule of protocol.rules) if (urgencyOf(rule.disposition) > best && holds(rule.when, answer)) best = urgencyOf(rule.disposition);
      }
    }
    return best;
  }
}

export function known(id: string, state: PatientState): boolean {
  switch (id) {
    case 'age':
      return state.age !== undefined;
    case 'pregnant':
      return isPregnant(state) !== undefined || state.sex === 'male' || (state.age !== undefined && (state.age < 10 || state.age > 60));
    case 'temperature':
      return state.temperatureC !== undefined;
    case 'duration':
      return state.durationHours !== undefined;
    default:
      return state.present.has(id) || state.absent.has(id);
  }
}

export const localized = (text: LocalizedText, language: TriageLanguage) => text[language];
