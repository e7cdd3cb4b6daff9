/**
 * The bookable directory, in memory: every active Schedule with its practitioner (name, languages),
 * specialty, home location and visit modes, plus the locations and the search form's options.
 * Built from directory resources through the FHIR system facade, and rebuilt when any of them
 * changes (the slot index's fingerprint: counts and versions of the directory types), so an
 * availability search resolves specialty, practitioner, language and location without touching
 * Slot JSON.
 */
import type { CodeableConcept, Location, Practitioner, PractitionerRole, Reference, Schedule } from '@medplum/fhirtypes';
import type { CodeDisplay, NamedRef, SchedulingMode, SchedulingOptions, SlotLocation } from '../contracts/scheduling.js';
import type { SystemFhir } from '../fhir/index.js';
import { V3_ACT_CODE, type SlotIndex } from './slot-index.js';

/** More than any clinic network has; the directory is read whole. */
const MAX_DIRECTORY_RESOURCES = 1000;
const LOCATION_PHYSICAL_TYPE = 'http://terminology.hl7.org/CodeSystem/location-physical-type';

export interface BookableSchedule {
  scheduleId: string;
  practitioner: NamedRef;
  specialty: CodeDisplay | null;
  /** Every code of the specialty's codings (NUCC, SNOMED…), for filtering. */
  specialtyCodes: ReadonlySet<string>;
  languages: CodeDisplay[];
  /** Where in-person visits happen. */
  location: SlotLocation | null;
  modes: SchedulingMode[];
  service: string | null;
}

export interface DirectorySnapshot {
  schedules: ReadonlyMap<string, BookableSchedule>;
  locations: ReadonlyMap<string, SlotLocation>;
  /** The virtual-care location (physical type `vi`), where virtual visits "are". */
  virtualLocation: SlotLocation | null;
  options: Pick<SchedulingOptions, 'specialties' | 'practitioners' | 'locations' | 'languages' | 'modes'>;
}

type DirectoryReader = Pick<SystemFhir, 'search' | 'read'>;

export class BookableDirectory {
  private cached: { fingerprint: string; snapshot: DirectorySnapshot } | undefined;

  constructor(
    private readonly fhir: DirectoryReader,
    private readonly index: Pick<SlotIndex, 'directoryFingerprint'>,
  ) {}

  current(): DirectorySnapshot {
    const fingerprint = this.index.directoryFingerprint();
    if (this.cached?.fingerprint !== fingerprint) this.cached = { fingerprint, snapshot: this.build() };
    return this.cached.snapshot;
  }

  private build(): DirectorySnapshot {
    const locations = new Map<string, SlotLocation>();
    let virtualLocation: SlotLocation | null = null;
    for (const location of this.fhir.search<Location>('Location', [], { limit: MAX_DIRECTORY_RESOURCES })) {
      if (location.status === 'inactive') continue;
      const view = locationView(location);
      locations.set(view.id, view);
      if (view.virtual && !virtualLocation) virtualLocation = view;
    }
    const practitioners = new Map<string, Practitioner | undefined>();
    const practitioner = (id: string) => {
      if (!practitioners.has(id)) practitioners.set(id, this.fhir.read<Practitioner>('Practitioner', id));
      return practitioners.get(id);
    };
    const roles = new Map<string, PractitionerRole | undefined>();
    const role = (id: string) => {
      if (!roles.has(id)) roles.set(id, this.fhir.read<PractitionerRole>('PractitionerRole', id));
      return roles.get(id);
    };

    const schedules = new Map<string, BookableSchedule>();
    for (const schedule of this.fhir.search<Schedule>('Schedule', [], { limit: MAX_DIRECTORY_RESOURCES })) {
      if (schedule.active === false) continue;
      const actors = schedule.actor ?? [];
      const roleId = idOf(actors, 'PractitionerRole');
      const roleResource = roleId ? role(roleId) : undefined;
      const practitionerId = idOf(actors, 'Practitioner') ?? idOf(roleResource?.practitioner ? [roleResource.practitioner] : [], 'Practitioner');
      if (!practitionerId) continue;
      const person = practitioner(practitionerId);
      if (!person || person.active === false) continue;
      const locationId = idOf(actors, 'Location') ?? idOf(roleResource?.location ?? [], 'Location');
      const specialtyConcept = schedule.specialty?.[0] ?? roleResource?.specialty?.[0];
      const modes = modesOf(schedule.serviceType);
      const location = locationId ? (locations.get(locationId) ?? null) : null;
      schedules.set(schedule.id, {
        scheduleId: schedule.id,
        practitioner: { id: practitionerId, name: practitionerName(person) },
        specialty: specialtyConcept ? codeDisplay(specialtyConcept) : null,
        specialtyCodes: new Set((specialtyConcept?.coding ?? []).map((c) => c.code).filter((c): c is string => Boolean(c))),
        languages: (person.communication ?? []).map(codeDisplay).filter((l): l is CodeDisplay => l !== null),
        location: location && !location.virtual ? location : null,
        modes,
        service: serviceOf(schedule.serviceType),
      });
    }
    return { schedules, locations, virtualLocation, options: optionsOf(schedules, virtualLocation) };
  }
}

function optionsOf(schedules: ReadonlyMap<string, BookableSchedule>, virtualLocation: SlotLocation | null): DirectorySnapshot['options'] {
  const specialties = new Map<string, CodeDisplay>();
  const practitioners = new Map<string, SchedulingOptions['practitioners'][number]>();
  const locations = new Map<string, SchedulingOptions['locations'][number]>();
  const languages = new Map<string, CodeDisplay>();
  const modes = new Set<SchedulingMode>();
  for (const s of schedules.values()) {
    if (s.specialty) specialties.set(s.specialty.code, s.specialty);
    for (const l of s.languages) languages.set(l.code, l);
    for (const m of s.modes) modes.add(m);
    if (s.location && s.modes.includes('in-person')) locations.set(s.location.id, { id: s.location.id, name: s.location.name, virtual: false });
    if (virtualLocation && s.modes.includes('virtual')) locations.set(virtualLocation.id, { id: virtualLocation.id, name: virtualLocation.name, virtual: true });
    const entry = practitioners.get(s.practitioner.id) ?? { ...s.practitioner, specialty: s.specialty?.code ?? null, languages: s.languages.map((l) => l.code), locationIds: [], modes: [] };
    if (s.location && !entry.locationIds.includes(s.location.id)) entry.locationIds.push(s.location.id);
    for (const m of s.modes) if (!entry.modes.includes(m)) entry.modes.push(m);
    practitioners.set(s.practitioner.id, entry);
  }
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  const byDisplay = (a: CodeDisplay, b: CodeDisplay) => a.display.localeCompare(b.display);
  return {
    specialties: [...specialties.values()].sort(byDisplay),
    practitioners: [...practitioners.values()].sort((a, b) => sortableName(a.name).localeCompare(sortableName(b.name))),
    // Clinics by name, virtual care last.
    locations: [...locations.values()].sort((a, b) => Number(a.virtual) - Number(b.virtual) || byName(a, b)),
    languages: [...languages.values()].sort(byDisplay),
    modes: (['in-person', 'virtual'] as const).filter((m) => modes.has(m)),
  };
}

/** "Dr. Ann Lee, MD" sorts under Lee. */
function sortableName(name: string): string {
  const withoutSuffix = name.split(',')[0]!.replace(/^(Dr\.|Mr\.|Ms\.|Mrs\.)\s+/, '');
  const parts = withoutSuffix.trim().split(/\s+/);
  return `${parts.at(-1) ?? ''} ${parts.slice(0, -1).join(' ')}`;
}

function idOf(refs: readonly Reference[], type: string): string | undefined {
  for (const ref of refs) {
    const m = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref.reference ?? '');
    if (m && m[1] === type) return m[2];
  }
  return undefined;
}

export function codeDisplay(concept: CodeableConcept): CodeDisplay | null {
  const coding = concept.coding?.find((c) => c.code);
  const code = coding?.code ?? concept.text;
  if (!code) return null;
  return { code, display: concept.text ?? coding?.display ?? code };
}

export function practitionerName(p: Practitioner): string {
  const name = p.name?.find((n) => n.use === 'official') ?? p.name?.[0];
  if (!name) return 'Unnamed clinician';
  return name.text ?? [...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean).join(' ');
}

/** The visit modes a Schedule or Slot's serviceType names (v3 ActCode AMB / VR); in person when it names none. */
export function modesOf(serviceType: readonly CodeableConcept[] | undefined): SchedulingMode[] {
  const codes = new Set((serviceType ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === V3_ACT_CODE).map((c) => c.code));
  const modes: SchedulingMode[] = [];
  if (codes.has('AMB') || !codes.has('VR')) modes.push('in-person');
  if (codes.has('VR')) modes.push('virtual');
  return modes;
}

/** The service a serviceType names, beside the visit mode (Primary care, Cardiology…). */
export function serviceOf(serviceType: readonly CodeableConcept[] | undefined): string | null {
  const service = (serviceType ?? []).find((c) => !(c.coding ?? []).some((coding) => coding.system === V3_ACT_CODE));
  return service ? (service.text ?? service.coding?.[0]?.display ?? null) : null;
}

function locationView(location: Location & { id: string }): SlotLocation {
  const virtual =
    (location.physicalType?.coding ?? []).some((c) => c.code === 'vi' && (c.system === undefined || c.system === LOCATION_PHYSICAL_TYPE)) ||
    (location.type ?? []).some((t) => (t.coding ?? []).some((c) => c.system === V3_ACT_CODE && c.code === 'VR'));
  const a = location.address;
  const address = a && !virtual ? [...(a.line ?? []), a.city, [a.state, a.postalCode].filter(Boolean).join(' ')].filter((p) => p && p.length > 0).join(', ') : null;
  return { id: location.id, name: location.name ?? 'Unnamed location', address: address || null, virtual };
}
