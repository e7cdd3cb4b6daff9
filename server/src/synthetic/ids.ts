/**
 * Deterministic, UUID-shaped resource ids (RFC 9562 version 8, "custom" layout):
 *
 *   oooooooo-iiii-8ttt-vsss-hhhhhhhhhhhh
 *   owner     index  type  seed  hash of (seed, type, owner, index)
 *
 * `owner` is the patient number (0 for clinic resources) and `index` the resource's position
 * among that owner's resources of that type, so one type's ids sort in generation order and bulk
 * inserts append to the primary-key B-tree instead of splitting pages all over it. Same seed →
 * same ids; a different seed changes the last 15 hex digits.
 */
import { hashNumbers } from './prng.js';

/** Stable 12-bit tags per resource type (never renumber: ids depend on them). */
const TYPE_TAGS: Record<string, number> = {
  Patient: 0x001,
  RelatedPerson: 0x002,
  Practitioner: 0x003,
  PractitionerRole: 0x004,
  Organization: 0x005,
  Location: 0x006,
  HealthcareService: 0x007,
  Schedule: 0x008,
  Slot: 0x009,
  Appointment: 0x00a,
  Encounter: 0x00b,
  Condition: 0x00c,
  AllergyIntolerance: 0x00d,
  MedicationRequest: 0x00e,
  Immunization: 0x00f,
  Observation: 0x010,
  Procedure: 0x011,
  DiagnosticReport: 0x012,
  CarePlan: 0x013,
  CareTeam: 0x014,
  Coverage: 0x015,
  DocumentReference: 0x016,
};

const hex = (value: number, width: number) => (value >>> 0).toString(16).padStart(width, '0').slice(-width);

export function syntheticId(seed: number, type: string, owner: number, index: number): string {
  const tag = TYPE_TAGS[type];
  if (tag === undefined) throw new Error(`no id tag for ${type}`);
  if (owner < 0 || owner > 0xffffffff || index < 0 || index > 0xffff) throw new Error(`id out of range: ${type} ${owner}/${index}`);
  const seedHash = hashNumbers([seed, 0x5eed]);
  const h1 = hashNumbers([seed, tag, owner, index]);
  const h2 = hashNumbers([h1, seed, index]);
  const variant = 0x8 | (seedHash & 0x3);
  return `${hex(owner, 8)}-${hex(index, 4)}-8${hex(tag, 3)}-${variant.toString(16)}${hex(seedHash >>> 2, 3)}-${hex(h1, 8)}${hex(h2, 4)}`;
}
