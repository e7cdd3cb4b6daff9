/**
 * The search parameters Carebridge indexes, per resource type, and the pure functions that turn a
 * resource into index rows. Paths are dotted element paths walked through arrays
 * (`participant.actor` visits every participant's actor); choice types list each variant.
 */
import type { Resource } from '@medplum/fhirtypes';

export type SearchParamKind = 'token' | 'string' | 'reference' | 'date';

export interface SearchParamDef {
  name: string;
  kind: SearchParamKind;
  paths: string[];
  /** For reference params: only keep references to these resource types. */
  targets?: string[];
}

const p = (name: string, kind: SearchParamKind, paths: string[], targets?: string[]): SearchParamDef =>
  targets ? { name, kind, paths, targets } : { name, kind, paths };

const subjectPatient = [p('subject', 'reference', ['subject']), p('patient', 'reference', ['subject'], ['Patient'])];
const humanName = [p('name', 'string', ['name']), p('family', 'string', ['name.family']), p('given', 'string', ['name.given'])];

export const SUPPORTED_RESOURCE_TYPES = [
  'Patient',
  'RelatedPerson',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Location',
  'HealthcareService',
  'Schedule',
  'Slot',
  'Appointment',
  'Encounter',
  'Condition',
  'AllergyIntolerance',
  'MedicationRequest',
  'Immunization',
  'Observation',
  'Procedure',
  'DiagnosticReport',
  'CarePlan',
  'CareTeam',
  'Coverage',
  'Communication',
  'Task',
  'DocumentReference',
  // Patients' consent and contact preferences (patient 360, the portal's preferences).
  'Consent',
  'Questionnaire',
  'QuestionnaireResponse',
  // The rest of what a Synthea patient export contains, so its Bundles import whole.
  'Medication',
  'MedicationAdministration',
  'Goal',
  'Device',
  'ImagingStudy',
  'SupplyDelivery',
  'Claim',
  'ExplanationOfBenefit',
  'Provenance',
] as const;

export type SupportedResourceType = (typeof SUPPORTED_RESOURCE_TYPES)[number];

const SUPPORTED = new Set<string>(SUPPORTED_RESOURCE_TYPES);

export function isSupportedResourceType(type: string): type is SupportedResourceType {
  return SUPPORTED.has(type);
}

export const SEARCH_PARAMETERS: Record<SupportedResourceType, SearchParamDef[]> = {
  Patient: [
    ...humanName,
    p('identifier', 'token', ['identifier']),
    p('birthdate', 'date', ['birthDate']),
    p('gender', 'token', ['gender']),
    p('email', 'token', ['telecom']),
    p('phone', 'token', ['telecom']),
    p('address-city', 'string', ['address.city']),
    p('address-postalcode', 'string', ['address.postalCode']),
    p('general-practitioner', 'reference', ['generalPractitioner']),
    p('language', 'token', ['communication.language']),
    p('active', 'token', ['active']),
  ],
  RelatedPerson: [
    ...humanName,
    p('identifier', 'token', ['identifier']),
    p('patient', 'reference', ['patient'], ['Patient']),
    p('relationship', 'token', ['relationship']),
  ],
  Practitioner: [
    ...humanName,
    p('identifier', 'token', ['identifier']),
    p('gender', 'token', ['gender']),
    p('communication', 'token', ['communication']),
    p('active', 'token', ['active']),
  ],
  PractitionerRole: [
    p('identifier', 'token', ['identifier']),
    p('practitioner', 'reference', ['practitioner'], ['Practitioner']),
    p('organization', 'reference', ['organization'], ['Organization']),
    p('location', 'reference', ['location'], ['Location']),
    p('service', 'reference', ['healthcareService'], ['HealthcareService']),
    p('specialty', 'token', ['specialty']),
    p('role', 'token', ['code']),
    p('active', 'token', ['active']),
  ],
  Organization: [p('name', 'string', ['name', 'alias']), p('identifier', 'token', ['identifier']), p('type', 'token', ['type'])],
  Location: [
    p('name', 'string', ['name', 'alias']),
    p('identifier', 'token', ['identifier']),
    p('status', 'token', ['status']),
    p('type', 'token', ['type']),
    p('address-city', 'string', ['address.city']),
    p('organization', 'reference', ['managingOrganization'], ['Organization']),
  ],
  HealthcareService: [
    p('name', 'string', ['name']),
    p('identifier', 'token', ['identifier']),
    p('specialty', 'token', ['specialty']),
    p('service-type', 'token', ['type']),
    p('location', 'reference', ['location'], ['Location']),
    p('organization', 'reference', ['providedBy'], ['Organization']),
    p('active', 'token', ['active']),
  ],
  Schedule: [
    p('actor', 'reference', ['actor']),
    p('practitioner', 'reference', ['actor'], ['Practitioner']),
    p('location', 'reference', ['actor'], ['Location']),
    p('specialty', 'token', ['specialty']),
    p('service-type', 'token', ['serviceType']),
    p('date', 'date', ['planningHorizon']),
    p('active', 'token', ['active']),
  ],
  Slot: [
    p('schedule', 'reference', ['schedule'], ['Schedule']),
    p('status', 'token', ['status']),
    p('start', 'date', ['start']),
    p('date', 'date', ['start']),
    p('specialty', 'token', ['specialty']),
    p('service-type', 'token', ['serviceType']),
    p('appointment-type', 'token', ['appointmentType']),
  ],
  Appointment: [
    p('patient', 'reference', ['participant.actor'], ['Patient']),
    p('practitioner', 'reference', ['participant.actor'], ['Practitioner']),
    p('location', 'reference', ['participant.actor'], ['Location']),
    p('actor', 'reference', ['participant.actor']),
    p('date', 'date', ['start']),
    p('status', 'token', ['status']),
    p('slot', 'reference', ['slot'], ['Slot']),
    p('specialty', 'token', ['specialty']),
    p('service-type', 'token', ['serviceType']),
    p('appointment-type', 'token', ['appointmentType']),
    p('identifier', 'token', ['identifier']),
  ],
  Encounter: [
    ...subjectPatient,
    p('date', 'date', ['period']),
    p('status', 'token', ['status']),
    p('class', 'token', ['class']),
    p('type', 'token', ['type']),
    p('practitioner', 'reference', ['participant.individual'], ['Practitioner']),
    p('participant', 'reference', ['participant.individual']),
    p('location', 'reference', ['location.location'], ['Location']),
    p('identifier', 'token', ['identifier']),
  ],
  Condition: [
    ...subjectPatient,
    p('code', 'token', ['code']),
    p('clinical-status', 'token', ['clinicalStatus']),
    p('verification-status', 'token', ['verificationStatus']),
    p('category', 'token', ['category']),
    p('onset-date', 'date', ['onsetDateTime', 'onsetPeriod']),
    p('recorded-date', 'date', ['recordedDate']),
    p('encounter', 'reference', ['encounter'], ['Encounter']),
  ],
  AllergyIntolerance: [
    p('patient', 'reference', ['patient'], ['Patient']),
    p('code', 'token', ['code']),
    p('clinical-status', 'token', ['clinicalStatus']),
    p('criticality', 'token', ['criticality']),
    p('date', 'date', ['recordedDate']),
  ],
  MedicationRequest: [
    ...subjectPatient,
    p('code', 'token', ['medicationCodeableConcept']),
    p('status', 'token', ['status']),
    p('intent', 'token', ['intent']),
    p('authoredon', 'date', ['authoredOn']),
    p('date', 'date', ['authoredOn']),
    p('requester', 'reference', ['requester']),
    p('encounter', 'reference', ['encounter'], ['Encounter']),
    p('medication', 'reference', ['medicationReference'], ['Medication']),
    p('intended-performer', 'reference', ['performer']),
  ],
  Immunization: [
    p('patient', 'reference', ['patient'], ['Patient']),
    p('vaccine-code', 'token', ['vaccineCode']),
    p('date', 'date', ['occurrenceDateTime']),
    p('status', 'token', ['status']),
    p('location', 'reference', ['location'], ['Location']),
    p('performer', 'reference', ['performer.actor']),
  ],
  Observation: [
    ...subjectPatient,
    p('code', 'token', ['code', 'component.code']),
    p('category', 'token', ['category']),
    p('date', 'date', ['effectiveDateTime', 'effectivePeriod', 'effectiveInstant']),
    p('status', 'token', ['status']),
    p('encounter', 'reference', ['encounter'], ['Encounter']),
    p('performer', 'reference', ['performer']),
  ],
  Procedure: [
    ...subjectPatient,
    p('code', 'token', ['code']),
    p('date', 'date', ['performedDateTime', 'performedPeriod']),
    p('status', 'token', ['status']),
    p('performer', 'reference', ['performer.actor']),
    p('encounter', 'reference', ['encounter'], ['Encounter']),
  ],
  DiagnosticReport: [
    ...subjectPatient,
    p('code', 'token', ['code']),
    p('category', 'token', ['category']),
    p('date', 'date', ['effectiveDateTime', 'effectivePeriod']),
    p('status', 'token', ['status']),
    p('result', 'reference', ['result'], ['Observation']),
    p('encounter', 'reference', ['encounter'], ['Encounter']),
    p('performer', 'reference', ['performer']),
  ],
  CarePlan: [
    ...subjectPatient,
    p('status', 'token', ['status']),
    p('intent', 'token', ['intent']),
    p('category', 'token', ['category']),
    p('date', 'date', ['period']),
    p('care-team', 'reference', ['careTeam'], ['CareTeam']),
  ],
  CareTeam: [
    ...subjectPatient,
    p('status', 'token', ['status']),
    p('category', 'token', ['category']),
    p('participant', 'reference', ['participant.member']),
    p('date', 'date', ['period']),
  ],
  Coverage: [
    p('beneficiary', 'reference', ['beneficiary'], ['Patient']),
    p('patient', 'reference', ['beneficiary'], ['Patient']),
    p('payor', 'reference', ['payor']),
    p('status', 'token', ['status']),
    p('type', 'token', ['type']),
    p('identifier', 'token', ['identifier']),
  ],
  Communication: [
    ...subjectPatient,
    p('status', 'token', ['status']),
    p('category', 'token', ['category']),
    p('sent', 'date', ['sent']),
    p('date', 'date', ['sent']),
    p('recipient', 'reference', ['recipient']),
    p('sender', 'reference', ['sender']),
    p('encounter', 'reference', ['encounter'], ['Encounter']),
  ],
  Consent: [
    p('patient', 'reference', ['patient'], ['Patient']),
    p('status', 'token', ['status']),
    p('category', 'token', ['category']),
    p('scope', 'token', ['scope']),
    p('date', 'date', ['dateTime']),
  ],
  Task: [
    p('patient', 'reference', ['for'], ['Patient']),
    p('subject', 'reference', ['for']),
    p('owner', 'reference', ['owner']),
    p('requester', 'reference', ['requester']),
    p('status', 'token', ['status']),
    p('code', 'token', ['code']),
    p('priority', 'token', ['priority']),
    p('authored-on', 'date', ['authoredOn']),
    p('date', 'date', ['authoredOn']),
    p('identifier', 'token', ['identifier']),
  ],
  DocumentReference: [
    ...subjectPatient,
    p('type', 'token', ['type']),
    p('category', 'token', ['category']),
    p('status', 'token', ['status']),
    p('date', 'date', ['date']),
    p('encounter', 'reference', ['context.encounter'], ['Encounter']),
    p('author', 'reference', ['author']),
  ],
  Questionnaire: [
    p('name', 'string', ['name']),
    p('title', 'string', ['title']),
    p('status', 'token', ['status']),
    p('identifier', 'token', ['identifier']),
    p('code', 'token', ['code']),
    p('url', 'token', ['url']),
    p('date', 'date', ['date']),
  ],
  QuestionnaireResponse: [
    ...subjectPatient,
    p('questionnaire', 'token', ['questionnaire']),
    p('status', 'token', ['status']),
    p('authored', 'date', ['authored']),
    p('date', 'date', ['authored']),
    p('author', 'reference', ['author']),
    p('encounter', 'reference', ['encounter'], ['Encounter']),
  ],
  Medication: [p('code', 'token', ['code']), p('status', 'token', ['status'])],
  MedicationAdministration: [
    ...subjectPatient,
    p('code', 'token', ['medicationCodeableConcept']),
    p('status', 'token', ['status']),
    p('effective-time', 'date', ['effectiveDateTime', 'effectivePeriod']),
    p('context', 'reference', ['context'], ['Encounter']),
    p('medication', 'reference', ['medicationReference'], ['Medication']),
    p('performer', 'reference', ['performer.actor']),
  ],
  Goal: [
    ...subjectPatient,
    p('lifecycle-status', 'token', ['lifecycleStatus']),
    p('category', 'token', ['category']),
    p('target-date', 'date', ['target.dueDate']),
  ],
  Device: [p('patient', 'reference', ['patient'], ['Patient']), p('type', 'token', ['type']), p('status', 'token', ['status'])],
  ImagingStudy: [
    ...subjectPatient,
    p('status', 'token', ['status']),
    p('started', 'date', ['started']),
    p('modality', 'token', ['series.modality']),
    p('encounter', 'reference', ['encounter'], ['Encounter']),
  ],
  SupplyDelivery: [p('patient', 'reference', ['patient'], ['Patient']), p('status', 'token', ['status'])],
  Claim: [
    p('patient', 'reference', ['patient'], ['Patient']),
    p('status', 'token', ['status']),
    p('use', 'token', ['use']),
    p('created', 'date', ['created']),
    p('provider', 'reference', ['provider']),
  ],
  ExplanationOfBenefit: [
    p('patient', 'reference', ['patient'], ['Patient']),
    p('status', 'token', ['status']),
    p('created', 'date', ['created']),
    p('claim', 'reference', ['claim'], ['Claim']),
    p('provider', 'reference', ['provider']),
  ],
  Provenance: [
    p('target', 'reference', ['target']),
    p('patient', 'reference', ['target'], ['Patient']),
    p('recorded', 'date', ['recorded']),
    p('agent', 'reference', ['agent.who']),
  ],
};

/** The element that puts a resource in a patient's compartment. */
const COMPARTMENT_PATHS: Partial<Record<SupportedResourceType, string[]>> = {
  RelatedPerson: ['patient'],
  Appointment: ['participant.actor'],
  Encounter: ['subject'],
  Condition: ['subject'],
  AllergyIntolerance: ['patient'],
  MedicationRequest: ['subject'],
  Immunization: ['patient'],
  Observation: ['subject'],
  Procedure: ['subject'],
  DiagnosticReport: ['subject'],
  CarePlan: ['subject'],
  CareTeam: ['subject'],
  Coverage: ['beneficiary'],
  Communication: ['subject'],
  Task: ['for'],
  DocumentReference: ['subject'],
  Consent: ['patient'],
  QuestionnaireResponse: ['subject'],
  MedicationAdministration: ['subject'],
  Goal: ['subject'],
  Device: ['patient'],
  ImagingStudy: ['subject'],
  SupplyDelivery: ['patient'],
  Claim: ['patient'],
  ExplanationOfBenefit: ['patient'],
  Provenance: ['target'],
};

/** True for the types of the Patient compartment: the Patient itself and those with a compartment path. */
export function isPatientCompartmentType(type: SupportedResourceType): boolean {
  return type === 'Patient' || COMPARTMENT_PATHS[type] !== undefined;
}

/** The Patient compartment's types, in SUPPORTED_RESOURCE_TYPES order. */
export const PATIENT_COMPARTMENT_TYPES: readonly SupportedResourceType[] = SUPPORTED_RESOURCE_TYPES.filter((t) => t === 'Patient' || COMPARTMENT_PATHS[t] !== undefined);

export function getSearchParam(type: string, name: string): SearchParamDef | undefined {
  return isSupportedResourceType(type) ? SEARCH_PARAMETERS[type].find((d) => d.name === name) : undefined;
}

/** Walks a dotted path through objects and arrays, returning every value found. */
export function valuesAt(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const node of current) {
      if (node === null || typeof node !== 'object') continue;
      const value = (node as Record<string, unknown>)[key];
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) next.push(...value);
      else next.push(value);
    }
    current = next;
  }
  return current;
}

export interface TokenRow {
  param: string;
  system: string | null;
  code: string;
}
export interface StringRow {
  param: string;
  value: string;
}
export interface ReferenceRow {
  param: string;
  target_type: string;
  target_id: string;
}
export interface DateRow {
  param: string;
  start: string;
  end: string;
}
export interface IndexRows {
  tokens: TokenRow[];
  strings: StringRow[];
  references: ReferenceRow[];
  dates: DateRow[];
}

/** Lower-case and strip accents so "José" matches "jose". */
export function normalizeString(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

/** Splits `Type/id` (relative, absolute URL or versioned) into its parts. */
export function parseReference(reference: string): { type: string; id: string } | undefined {
  const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return match ? { type: match[1]!, id: match[2]! } : undefined;
}

/**
 * The instant range a FHIR date/dateTime/instant/Period covers. A partial date covers its whole
 * span: `2020` is all of 2020, `2020-03-04` the whole day (UTC).
 */
export function dateRange(value: string): { start: string; end: string } | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h] = m;
  if (h !== undefined) {
    const t = Date.parse(value.length === 16 ? `${value}:00Z` : /Z|[+-]\d{2}:\d{2}$/.test(value) ? value : `${value}Z`);
    if (Number.isNaN(t)) return undefined;
    const iso = new Date(t).toISOString();
    return { start: iso, end: iso };
  }
  const year = Number(y);
  const month = mo === undefined ? undefined : Number(mo) - 1;
  const day = d === undefined ? undefined : Number(d);
  const start = Date.UTC(year, month ?? 0, day ?? 1);
  const end =
    day !== undefined
      ? Date.UTC(year, month!, day + 1)
      : month !== undefined
        ? Date.UTC(year, month + 1, 1)
        : Date.UTC(year + 1, 0, 1);
  if (Number.isNaN(start)) return undefined;
  return { start: new Date(start).toISOString(), end: new Date(end - 1).toISOString() };
}

function tokensOf(value: unknown): Array<{ system: string | null; code: string }> {
  if (typeof value === 'string') return [{ system: null, code: value }];
  if (typeof value === 'boolean') return [{ system: null, code: String(value) }];
  if (!value || typeof value !== 'object') return [];
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.coding)) return v.coding.flatMap((c) => tokensOf(c)); // CodeableConcept
  if (typeof v.code === 'string') return [{ system: typeof v.system === 'string' ? v.system : null, code: v.code }]; // Coding
  if (typeof v.value === 'string') return [{ system: typeof v.system === 'string' ? v.system : null, code: v.value }]; // Identifier, ContactPoint
  return [];
}

/** The searchable strings of a string-typed element (every part of a HumanName or Address). */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!value || typeof value !== 'object') return [];
  const v = value as Record<string, unknown>;
  // HumanName and Address: every part is searchable.
  const parts: string[] = [];
  for (const key of ['text', 'family', 'given', 'prefix', 'suffix', 'line', 'city', 'state', 'postalCode', 'country']) {
    const part = v[key];
    if (typeof part === 'string') parts.push(part);
    else if (Array.isArray(part)) parts.push(...part.filter((x): x is string => typeof x === 'string'));
  }
  return parts;
}

function datesOf(value: unknown): Array<{ start: string; end: string }> {
  if (typeof value === 'string') {
    const r = dateRange(value);
    return r ? [r] : [];
  }
  if (value && typeof value === 'object') {
    const period = value as { start?: string; end?: string };
    const start = period.start ? dateRange(period.start)?.start : undefined;
    const end = period.end ? dateRange(period.end)?.end : undefined;
    if (start || end) return [{ start: start ?? '0001-01-01T00:00:00.000Z', end: end ?? '9999-12-31T23:59:59.999Z' }];
  }
  return [];
}

/** Every index row a resource contributes, for the types and params above. */
export function extractIndexRows(resource: Resource): IndexRows {
  const rows: IndexRows = { tokens: [], strings: [], references: [], dates: [] };
  const type = resource.resourceType;
  if (!isSupportedResourceType(type)) return rows;
  for (const def of SEARCH_PARAMETERS[type]) {
    const seen = new Set<string>();
    const add = <T>(list: T[], row: T, key: string) => {
      if (seen.has(key)) return;
      seen.add(key);
      list.push(row);
    };
    for (const path of def.paths) {
      for (const value of valuesAt(resource, path)) {
        switch (def.kind) {
          case 'token':
            for (const t of tokensOf(value)) {
              if (def.name === 'email' && (value as { system?: string }).system !== 'email') continue;
              if (def.name === 'phone' && (value as { system?: string }).system !== 'phone') continue;
              add(rows.tokens, { param: def.name, system: t.system, code: t.code }, `${t.system}|${t.code}`);
            }
            break;
          case 'string':
            for (const s of stringsOf(value)) {
              const n = normalizeString(s);
              if (n) add(rows.strings, { param: def.name, value: n }, n);
            }
            break;
          case 'reference': {
            const ref = (value as { reference?: unknown }).reference;
            if (typeof ref !== 'string') break;
            const parsed = parseReference(ref);
            if (!parsed || (def.targets && !def.targets.includes(parsed.type))) break;
            add(rows.references, { param: def.name, target_type: parsed.type, target_id: parsed.id }, `${parsed.type}/${parsed.id}`);
            break;
          }
          case 'date':
            for (const r of datesOf(value)) add(rows.dates, { param: def.name, ...r }, `${r.start}|${r.end}`);
            break;
        }
      }
    }
  }
  return rows;
}

/** The patient whose compartment holds the resource, if any. */
export function compartmentPatientId(resource: Resource): string | null {
  if (resource.resourceType === 'Patient') return resource.id ?? null;
  const paths = COMPARTMENT_PATHS[resource.resourceType as SupportedResourceType];
  if (!paths) return null;
  for (const path of paths) {
    for (const value of valuesAt(resource, path)) {
      const ref = (value as { reference?: unknown }).reference;
      if (typeof ref !== 'string') continue;
      const parsed = parseReference(ref);
      if (parsed?.type === 'Patient') return parsed.id;
    }
  }
  return null;
}
