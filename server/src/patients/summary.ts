/**
 * Patient 360: the whole record an agent needs beside the chat, in one answer. Every part is read
 * through the FHIR service as the asking staff member (its access rules apply, and each read and
 * search is audited with the stated reason, or "conversation <id>" for a verified patient in a chat).
 * Contact details are masked; `reveal` shows one of them, audited as `phi.reveal`.
 */
import type {
  AllergyIntolerance,
  Appointment,
  CarePlan,
  CareTeam,
  CodeableConcept,
  Condition,
  Consent,
  Coverage,
  DocumentReference,
  Encounter,
  Immunization,
  MedicationRequest,
  Observation,
  Patient,
  Reference,
  RelatedPerson,
  Resource,
  Task,
} from '@medplum/fhirtypes';
import type {
  CodedItem,
  Patient360,
  Patient360Appointment,
  Patient360Conversation,
  Patient360Series,
  RevealableField,
  RevealResponse,
} from '../contracts/patients.js';
import { parseSearch, type FhirActor, type FhirService, type SupportedResourceType } from '../fhir/index.js';
import type { AuditLog } from '../platform/audit/audit.js';
import { ageOn, displayName, mrnOf } from './search.js';

/** How many of each list the 360 shows (newest first); the FHIR API has the rest. */
const LIMITS = { immunizations: 10, encounters: 5, appointments: 5, tasks: 10, conversations: 10, seriesPoints: 12, labs: 8 };
/** Observations read for the charts: the newest this many. */
const OBSERVATIONS_READ = 300;
const VITAL_CODES: Record<string, string> = {
  '85354-9': 'Blood pressure',
  '8480-6': 'Systolic blood pressure',
  '29463-7': 'Weight',
  '39156-5': 'BMI',
  '8867-4': 'Heart rate',
  '8310-5': 'Temperature',
  '9279-1': 'Respiratory rate',
  '59408-5': 'Oxygen saturation',
  '2708-6': 'Oxygen saturation',
  '8302-2': 'Height',
};

export interface PreviousConversationRow {
  id: string;
  channel: string;
  created_at: string;
  closed_at: string | null;
  queue: string | null;
  agent_id: string | null;
  disposition: string | null;
  notes: string | null;
}

export interface SummaryDeps {
  fhir: Pick<FhirService, 'read' | 'searchType'>;
  audit: Pick<AuditLog, 'record'>;
  /** Closed or open conversations of this patient (portal sign-in or verified), newest first. */
  previousConversations(patientId: string, limit: number, exceptConversationId: string | null): Promise<PreviousConversationRow[]>;
  displayNameOf(userId: string): string | undefined;
  dispositionLabel(code: string): string | undefined;
  now?: () => Date;
}

const text = (concept: CodeableConcept | undefined): string => concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? concept?.coding?.[0]?.code ?? 'Unnamed';
const code = (concept: CodeableConcept | undefined): string | null => concept?.coding?.[0]?.code ?? null;
const refName = (ref: Reference | undefined): string | null => ref?.display ?? null;
const mask = (value: string, keep = 4): string => (value.length <= keep ? '•'.repeat(value.length) : `•••${value.slice(-keep)}`);
const maskEmail = (email: string): string => {
  const [user = '', domain = ''] = email.split('@');
  return `${user.slice(0, 1)}•••@${domain}`;
};
const newestFirst = (a: string | null, b: string | null) => (b ?? '').localeCompare(a ?? '');

export class PatientSummary {
  private readonly now: () => Date;

  constructor(private readonly deps: SummaryDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Every resource of `type` in the patient's compartment (the newest `count`, when it sorts). */
  private async compartment<T extends Resource>(actor: FhirActor, patientId: string, type: SupportedResourceType, pairs: Array<[string, string]> = [], count = 100): Promise<T[]> {
    const all: Array<[string, string]> = [...pairs, ['_count', String(count)]];
    const outcome = await this.deps.fhir.searchType(actor, parseSearch(type, all), new URLSearchParams(all).toString(), { compartment: patientId });
    return outcome.rows.map((row) => JSON.parse(row.content) as T);
  }

  async build(actor: FhirActor, patientId: string, access: Patient360['access']): Promise<Patient360> {
    const row = await this.deps.fhir.read(actor, 'Patient', patientId);
    const patient = JSON.parse(row.content) as Patient;
    const today = this.now();
    const [related, coverages, allergies, conditions, medications, immunizations, observations, appointments, encounters, documents, carePlans, careTeams, tasks, consents] =
      await Promise.all([
        this.compartment<RelatedPerson>(actor, patientId, 'RelatedPerson', [], 20),
        this.compartment<Coverage>(actor, patientId, 'Coverage', [], 20),
        this.compartment<AllergyIntolerance>(actor, patientId, 'AllergyIntolerance', [], 50),
        this.compartment<Condition>(actor, patientId, 'Condition', [], 100),
        this.compartment<MedicationRequest>(actor, patientId, 'MedicationRequest', [], 100),
        this.compartment<Immunization>(actor, patientId, 'Immunization', [], 100),
        this.compartment<Observation>(actor, patientId, 'Observation', [['_sort', '-date']], OBSERVATIONS_READ),
        this.compartment<Appointment>(actor, patientId, 'Appointment', [['_sort', '-date']], 50),
        this.compartment<Encounter>(actor, patientId, 'Encounter', [['_sort', '-date']], LIMITS.encounters),
        this.compartment<DocumentReference>(actor, patientId, 'DocumentReference', [['_sort', '-date']], 20),
        this.compartment<CarePlan>(actor, patientId, 'CarePlan', [], 20),
        this.compartment<CareTeam>(actor, patientId, 'CareTeam', [], 10),
        this.compartment<Task>(actor, patientId, 'Task', [], 50),
        this.compartment<Consent>(actor, patientId, 'Consent', [['_sort', '-date']], 20),
      ]);

    const nowIso = today.toISOString();
    const appointmentViews = appointments.map(toAppointment);
    const upcoming = appointmentViews
      .filter((a) => (a.start ?? '') >= nowIso && a.status !== 'cancelled' && a.status !== 'noshow' && a.status !== 'fulfilled')
      .sort((a, b) => (a.start ?? '').localeCompare(b.start ?? ''))
      .slice(0, LIMITS.appointments);
    const recent = appointmentViews
      .filter((a) => !upcoming.includes(a) && (a.start ?? '') < nowIso)
      .sort((a, b) => newestFirst(a.start, b.start))
      .slice(0, LIMITS.appointments);

    const summaryByEncounter = new Map<string, string>();
    for (const doc of documents) {
      const encounterRef = doc.context?.encounter?.[0]?.reference;
      const data = doc.content?.[0]?.attachment?.data;
      if (encounterRef && data && !summaryByEncounter.has(encounterRef)) summaryByEncounter.set(encounterRef, Buffer.from(data, 'base64').toString('utf8').slice(0, 4000));
    }

    const { labs, vitals } = series(observations);
    const language = patient.communication?.find((c) => c.preferred)?.language ?? patient.communication?.[0]?.language;
    const address = patient.address?.find((a) => a.use === 'home') ?? patient.address?.[0];
    const conversations = (await this.deps.previousConversations(patientId, LIMITS.conversations, access.conversationId)).map(
      (c): Patient360Conversation => ({
        id: c.id,
        channel: c.channel,
        createdAt: c.created_at,
        closedAt: c.closed_at,
        queue: c.queue,
        agentName: c.agent_id ? (this.deps.displayNameOf(c.agent_id) ?? null) : null,
        disposition: c.disposition,
        dispositionLabel: c.disposition ? (this.deps.dispositionLabel(c.disposition) ?? c.disposition) : null,
        summary: c.notes,
      }),
    );

    return {
      patient: {
        id: patientId,
        name: displayName(patient),
        birthDate: patient.birthDate ?? null,
        age: ageOn(patient.birthDate, today),
        gender: patient.gender ?? null,
        language: language ? text(language) : null,
        maritalStatus: patient.maritalStatus ? text(patient.maritalStatus) : null,
        mrn: (() => {
          const mrn = mrnOf(patient);
          return mrn ? mask(mrn) : null;
        })(),
        phones: (patient.telecom ?? []).filter((t) => t.system === 'phone' && t.value).map((t) => ({ use: t.use ?? null, masked: mask(t.value!.replace(/\D/g, '')) })),
        emails: (patient.telecom ?? []).filter((t) => t.system === 'email' && t.value).map((t) => ({ masked: maskEmail(t.value!) })),
        address: address ? [address.city, address.state, address.postalCode].filter(Boolean).join(', ') || null : null,
        generalPractitioner: refName(patient.generalPractitioner?.[0]),
        deceased: patient.deceasedBoolean === true || patient.deceasedDateTime !== undefined,
      },
      contacts: [
        ...(patient.contact ?? []).map((c) => ({
          name: c.name ? (c.name.text ?? [...(c.name.given ?? []), c.name.family].filter(Boolean).join(' ')) : 'Unnamed contact',
          relationship: c.relationship?.map((r) => text(r)).join(', ') || 'Contact',
          emergency: (c.relationship ?? []).some((r) => r.coding?.some((x) => x.code === 'C' || x.code === 'EP' || /emergency/i.test(x.display ?? '')) || /emergency/i.test(r.text ?? '')),
          phoneMasked: c.telecom?.find((t) => t.system === 'phone' && t.value)?.value ? mask(c.telecom.find((t) => t.system === 'phone')!.value!.replace(/\D/g, '')) : null,
        })),
        ...related.map((r) => ({
          name: r.name?.[0] ? (r.name[0].text ?? [...(r.name[0].given ?? []), r.name[0].family].filter(Boolean).join(' ')) : 'Unnamed contact',
          relationship: r.relationship?.map((x) => text(x)).join(', ') || 'Related person',
          emergency: (r.relationship ?? []).some((x) => x.coding?.some((c) => c.code === 'C' || c.code === 'EP')),
          phoneMasked: r.telecom?.find((t) => t.system === 'phone' && t.value)?.value ? mask(r.telecom.find((t) => t.system === 'phone')!.value!.replace(/\D/g, '')) : null,
        })),
      ],
      coverages: coverages
        .map((c) => ({
          id: c.id!,
          payor: refName(c.payor?.[0]) ?? 'Unknown payer',
          plan: c.class?.find((k) => k.type?.coding?.some((x) => x.code === 'plan' || x.code === 'group'))?.name ?? null,
          type: c.type ? text(c.type) : null,
          status: c.status,
          memberIdMasked: c.subscriberId ? mask(c.subscriberId) : null,
          period: c.period ? [c.period.start, c.period.end].filter(Boolean).join(' – ') : null,
        }))
        .sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active')),
      allergies: allergies
        .filter((a) => code(a.clinicalStatus) !== 'inactive' && code(a.clinicalStatus) !== 'resolved' && code(a.verificationStatus) !== 'entered-in-error')
        .map((a) => ({
          id: a.id!,
          text: text(a.code),
          code: code(a.code),
          date: a.recordedDate ?? a.onsetDateTime ?? null,
          criticality: a.criticality ?? null,
          category: a.category ?? [],
          reactions: (a.reaction ?? []).flatMap((r) => (r.manifestation ?? []).map((m) => `${text(m)}${r.severity ? ` (${r.severity})` : ''}`)),
          status: code(a.clinicalStatus),
        }))
        // High criticality first: what the agent must not miss.
        .sort((a, b) => Number(b.criticality === 'high') - Number(a.criticality === 'high') || a.text.localeCompare(b.text)),
      conditions: conditions
        .filter((c) => ['active', 'recurrence', 'relapse'].includes(code(c.clinicalStatus) ?? 'active'))
        .map((c): CodedItem => ({ id: c.id!, text: text(c.code), code: code(c.code), date: c.onsetDateTime ?? c.recordedDate ?? null }))
        .sort((a, b) => newestFirst(a.date, b.date)),
      medications: medications
        .filter((m) => m.status === 'active' || m.status === 'on-hold')
        .map((m) => ({
          id: m.id!,
          text: m.medicationCodeableConcept ? text(m.medicationCodeableConcept) : (refName(m.medicationReference) ?? 'Medication'),
          code: code(m.medicationCodeableConcept),
          date: m.authoredOn ?? null,
          dosage: m.dosageInstruction?.[0]?.text ?? null,
          prescriber: refName(m.requester),
          status: m.status,
        }))
        .sort((a, b) => a.text.localeCompare(b.text)),
      immunizations: immunizations
        .filter((i) => i.status === 'completed')
        .map((i): CodedItem => ({ id: i.id!, text: text(i.vaccineCode), code: code(i.vaccineCode), date: i.occurrenceDateTime ?? null }))
        .sort((a, b) => newestFirst(a.date, b.date))
        .slice(0, LIMITS.immunizations),
      labs,
      vitals,
      appointments: { upcoming, recent },
      encounters: encounters
        .map((e) => ({
          id: e.id!,
          type: e.type?.[0] ? text(e.type[0]) : (e.class?.display ?? 'Visit'),
          start: e.period?.start ?? null,
          end: e.period?.end ?? null,
          practitioner: refName(e.participant?.[0]?.individual),
          location: refName(e.location?.[0]?.location),
          summary: summaryByEncounter.get(`Encounter/${e.id}`) ?? null,
        }))
        .sort((a, b) => newestFirst(a.start, b.start)),
      carePlans: carePlans
        .filter((p) => p.status === 'active' || p.status === 'on-hold' || p.status === 'draft')
        .map((p) => ({
          id: p.id!,
          title: p.title ?? (p.category?.[1] ? text(p.category[1]) : 'Care plan'),
          status: p.status,
          period: p.period?.start ? `since ${p.period.start}` : null,
          activities: (p.activity ?? []).map((a) => ({ text: a.detail?.code ? text(a.detail.code) : (a.detail?.description ?? 'Activity'), status: a.detail?.status ?? null })),
          addresses: (p.addresses ?? []).map((r) => r.display ?? '').filter(Boolean),
        })),
      careTeams: careTeams
        .filter((t) => t.status !== 'inactive' && t.status !== 'entered-in-error')
        .map((t) => ({
          id: t.id!,
          name: t.name ?? 'Care team',
          members: (t.participant ?? [])
            .filter((p) => !p.member?.reference?.startsWith('Patient/'))
            .map((p) => ({ name: refName(p.member) ?? 'Unnamed', role: p.role?.[0] ? text(p.role[0]) : null })),
        })),
      tasks: tasks
        .filter((t) => !['completed', 'cancelled', 'rejected', 'failed', 'entered-in-error'].includes(t.status))
        .map((t) => ({ id: t.id!, status: t.status, description: t.description ?? (t.code ? text(t.code) : 'Task'), authoredOn: t.authoredOn ?? null, owner: refName(t.owner) }))
        .sort((a, b) => newestFirst(a.authoredOn, b.authoredOn))
        .slice(0, LIMITS.tasks),
      conversations,
      preferences: {
        language: language ? text(language) : null,
        preferredChannel: (() => {
          const ranked = [...(patient.telecom ?? [])].filter((t) => t.rank !== undefined).sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99))[0];
          return ranked ? `${ranked.system}${ranked.use ? ` (${ranked.use})` : ''}` : null;
        })(),
        channels: (patient.telecom ?? []).filter((t) => t.system && !t.period?.end).map((t) => ({ system: t.system!, use: t.use ?? null, preferred: t.rank === 1 })),
        consents: consents
          .filter((c) => c.status !== 'entered-in-error')
          .map((c) => ({
            id: c.id!,
            status: c.status,
            scope: text(c.scope),
            category: (c.category ?? []).map((k) => text(k)).join(', ') || 'Consent',
            date: c.dateTime ?? null,
            decision: c.provision?.type ?? null,
          })),
      },
      access,
    };
  }

  /** One masked detail in full, audited as `phi.reveal` (after the caller's access was checked). */
  async reveal(actor: FhirActor, patientId: string, field: RevealableField, access: Patient360['access']): Promise<RevealResponse> {
    const row = await this.deps.fhir.read(actor, 'Patient', patientId);
    const patient = JSON.parse(row.content) as Patient;
    let values: string[];
    if (field === 'mrn') values = [mrnOf(patient) ?? ''].filter(Boolean);
    else if (field === 'phone') values = (patient.telecom ?? []).filter((t) => t.system === 'phone' && t.value).map((t) => t.value!);
    else if (field === 'email') values = (patient.telecom ?? []).filter((t) => t.system === 'email' && t.value).map((t) => t.value!);
    else if (field === 'address') {
      const a = patient.address?.find((x) => x.use === 'home') ?? patient.address?.[0];
      values = a ? [[...(a.line ?? []), a.city, a.state, a.postalCode].filter(Boolean).join(', ')] : [];
    } else if (field === 'contacts') {
      const related = await this.compartment<RelatedPerson>(actor, patientId, 'RelatedPerson', [], 20);
      values = [
        ...(patient.contact ?? []).map((c) => c.telecom?.find((t) => t.system === 'phone')?.value ?? ''),
        ...related.map((r) => r.telecom?.find((t) => t.system === 'phone')?.value ?? ''),
      ];
    } else {
      const coverages = await this.compartment<Coverage>(actor, patientId, 'Coverage', [], 20);
      values = coverages.map((c) => c.subscriberId ?? '');
    }
    this.deps.audit.record({
      actorId: actor.principal.userId,
      actorRole: actor.principal.kind === 'staff' ? actor.principal.role : 'patient',
      action: 'phi.reveal',
      resourceType: 'Patient',
      resourceId: patientId,
      patientId,
      reason: access.reason,
      requestId: actor.requestId,
      ip: actor.ip,
      details: { field, conversationId: access.conversationId },
    });
    return { field, values };
  }
}

function toAppointment(a: Appointment): Patient360Appointment {
  const who = (prefix: string) => a.participant?.find((p) => p.actor?.reference?.startsWith(prefix))?.actor;
  return {
    id: a.id!,
    status: a.status,
    start: a.start ?? null,
    end: a.end ?? null,
    description: a.description ?? (a.serviceType?.[0] ? text(a.serviceType[0]) : a.appointmentType ? text(a.appointmentType) : null),
    practitioner: refName(who('Practitioner/')),
    location: refName(who('Location/')),
  };
}

const numberOf = (o: Observation): number | undefined => o.valueQuantity?.value;

/** Labs and vitals as series by code, newest point last; blood pressure from its components. */
function series(observations: Observation[]): { labs: Patient360Series[]; vitals: Patient360Series[] } {
  const byCode = new Map<string, { category: 'lab' | 'vital'; name: string; unit: string | null; obs: Observation[] }>();
  for (const o of observations) {
    if (o.status === 'entered-in-error' || o.status === 'cancelled') continue;
    const category = o.category?.some((c) => c.coding?.some((x) => x.code === 'laboratory')) ? 'lab' : o.category?.some((c) => c.coding?.some((x) => x.code === 'vital-signs')) ? 'vital' : null;
    if (!category) continue;
    const key = code(o.code);
    if (!key) continue;
    const entry = byCode.get(key) ?? { category, name: VITAL_CODES[key] ?? text(o.code), unit: o.valueQuantity?.unit ?? null, obs: [] };
    entry.obs.push(o);
    byCode.set(key, entry);
  }
  const labs: Patient360Series[] = [];
  const vitals: Patient360Series[] = [];
  for (const [key, entry] of byCode) {
    const dated = entry.obs.filter((o) => o.effectiveDateTime).sort((a, b) => a.effectiveDateTime!.localeCompare(b.effectiveDateTime!));
    const points: Patient360Series['points'] = [];
    let unit = entry.unit;
    for (const o of dated.slice(-LIMITS.seriesPoints)) {
      if (key === '85354-9') {
        const systolic = o.component?.find((c) => code(c.code) === '8480-6')?.valueQuantity;
        const diastolic = o.component?.find((c) => code(c.code) === '8462-4')?.valueQuantity;
        if (systolic?.value !== undefined && diastolic?.value !== undefined) points.push({ date: o.effectiveDateTime!, value: systolic.value, second: diastolic.value });
        unit = systolic?.unit ?? 'mm[Hg]';
      } else {
        const value = numberOf(o);
        if (value !== undefined) points.push({ date: o.effectiveDateTime!, value });
      }
    }
    const last = dated.at(-1);
    const latestPoint = points.at(-1);
    const display =
      key === '85354-9' && latestPoint
        ? `${latestPoint.value}/${latestPoint.second} ${unit ?? ''}`.trim()
        : last?.valueQuantity?.value !== undefined
          ? `${last.valueQuantity.value} ${last.valueQuantity.unit ?? ''}`.trim()
          : (last?.valueString ?? (last?.valueCodeableConcept ? text(last.valueCodeableConcept) : ''));
    const view: Patient360Series = {
      code: key,
      name: entry.name,
      unit,
      points,
      latest: last ? { date: last.effectiveDateTime ?? '', display, interpretation: last.interpretation?.[0] ? text(last.interpretation[0]) : null } : null,
    };
    (entry.category === 'lab' ? labs : vitals).push(view);
  }
  const recentFirst = (a: Patient360Series, b: Patient360Series) => newestFirst(a.latest?.date ?? null, b.latest?.date ?? null);
  return { labs: labs.sort(recentFirst).slice(0, LIMITS.labs), vitals: vitals.sort(recentFirst) };
}
