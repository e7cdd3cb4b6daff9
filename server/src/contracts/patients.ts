/**
 * Finding a patient (caller ID and search) and verifying who is in a conversation.
 *
 * - `POST /api/patients/search` (staff who may read PHI, with `X-Access-Reason`) body
 *   `PatientSearchRequest` → `{ results: PatientMatch[] }`; audited as `phi.search`
 * - `GET /api/conversations/:id/identity` → `ConversationIdentity`
 * - `POST /api/conversations/:id/identity/verify` body `VerifyIdentityRequest` → `ConversationIdentity`
 *   (422 when fewer than two details match; 429 after five tries)
 */
import { z } from 'zod';

const digits = (value: string) => value.replace(/\D/g, '');
/** US numbers: 10 digits, a leading 1 dropped; the caller ID or what the caller says. */
export const phoneSchema = z
  .string()
  .trim()
  .max(30)
  .transform((v) => {
    const d = digits(v);
    return d.length === 11 && d.startsWith('1') ? d.slice(1) : d;
  })
  .pipe(z.string().regex(/^\d{10}$/, 'must be a 10-digit phone number'));
const mrnSchema = z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{3,32}$/, 'is not a record number');
const postalCodeSchema = z.string().trim().regex(/^\d{5}(-\d{4})?$/, 'must be a 5-digit ZIP code');
const nameSchema = z.string().trim().min(2).max(100).regex(/^[\p{L}\p{M}' .-]+$/u, 'letters, spaces, apostrophes and hyphens only');

export const patientSearchRequestSchema = z
  .strictObject({
    /** Any part of the name, misspellings tolerated ("Jonh Smiht"). */
    name: nameSchema.optional(),
    birthDate: z.iso.date().optional(),
    phone: phoneSchema.optional(),
    mrn: mrnSchema.optional(),
    email: z.string().trim().toLowerCase().max(254).pipe(z.email()).optional(),
    limit: z.number().int().min(1).max(25).default(10),
  })
  .refine((q) => q.name !== undefined || q.birthDate !== undefined || q.phone !== undefined || q.mrn !== undefined || q.email !== undefined, {
    message: 'give a name, date of birth, phone, MRN or e-mail',
  });
export type PatientSearchRequest = z.input<typeof patientSearchRequestSchema>;

/** Just enough to tell people apart before anyone is verified. */
export interface PatientMatch {
  id: string;
  name: string;
  birthDate: string | null;
  age: number | null;
  gender: string | null;
  /** Last four characters of the MRN, the rest masked ("•••0042"). */
  mrnHint: string | null;
  city: string | null;
  /** What matched, e.g. ['name', 'birthDate']. */
  matched: string[];
  score: number;
}
export interface PatientSearchResponse {
  results: PatientMatch[];
}

export const verifyIdentityRequestSchema = z
  .strictObject({
    patientId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be a patient id'),
    birthDate: z.iso.date().optional(),
    mrn: mrnSchema.optional(),
    phone: phoneSchema.optional(),
    postalCode: postalCodeSchema.optional(),
  })
  .refine((v) => [v.birthDate, v.mrn, v.phone, v.postalCode].filter((x) => x !== undefined).length >= 2, {
    message: 'give at least two of date of birth, MRN, phone and ZIP code',
  });
export type VerifyIdentityRequest = z.input<typeof verifyIdentityRequestSchema>;

export const IDENTITY_FACTORS = ['birthDate', 'mrn', 'phone', 'postalCode'] as const;
export type IdentityFactor = (typeof IDENTITY_FACTORS)[number];

export interface ConversationIdentity {
  conversationId: string;
  status: 'unverified' | 'verified';
  /** `portal`: the patient signed in to the portal; `agent`: an agent matched two or more details. */
  method: 'portal' | 'agent' | null;
  patientId: string | null;
  /** The verified patient's name (null until verified). */
  patientName: string | null;
  verifiedBy: string | null;
  verifiedAt: string | null;
  /** Which details matched (agent verification). */
  factors: IdentityFactor[];
  /** Tries left before verification is locked for this conversation. */
  attemptsLeft: number;
}

// --- Patient 360 --------------------------------------------------------------------------------

/**
 * `GET /api/patients/:id/360?conversationId=` — everything an agent needs beside the chat, read through
 * the FHIR service (each search audited). In a conversation: staff in it, once the patient is verified.
 * Outside one: `X-Access-Reason`. Contact details come masked; `POST /api/patients/:id/reveal` shows one
 * (audited as `phi.reveal`).
 */
export const patient360QuerySchema = z.strictObject({
  conversationId: z.string().uuid().optional(),
});

export const REVEALABLE_FIELDS = ['mrn', 'phone', 'email', 'address', 'contacts', 'memberId'] as const;
export type RevealableField = (typeof REVEALABLE_FIELDS)[number];
export const revealRequestSchema = z.strictObject({
  field: z.enum(REVEALABLE_FIELDS),
  conversationId: z.string().uuid().optional(),
});
export type RevealRequest = z.input<typeof revealRequestSchema>;
export interface RevealResponse {
  field: RevealableField;
  /** The unmasked values, in the order the 360 lists their masked forms. */
  values: string[];
}

export interface CodedItem {
  id: string;
  text: string;
  code: string | null;
  date: string | null;
}
export interface Patient360Allergy extends CodedItem {
  criticality: 'low' | 'high' | 'unable-to-assess' | null;
  category: string[];
  reactions: string[];
  status: string | null;
}
export interface Patient360Medication extends CodedItem {
  dosage: string | null;
  prescriber: string | null;
  status: string;
}
/** One measured quantity over time: the newest last, for a sparkline. */
export interface Patient360Series {
  code: string;
  name: string;
  unit: string | null;
  points: Array<{ date: string; value: number; /** e.g. diastolic for blood pressure */ second?: number }>;
  latest: { date: string; display: string; interpretation: string | null } | null;
}
export interface Patient360Appointment {
  id: string;
  status: string;
  start: string | null;
  end: string | null;
  description: string | null;
  practitioner: string | null;
  location: string | null;
}
export interface Patient360Encounter {
  id: string;
  type: string;
  start: string | null;
  end: string | null;
  practitioner: string | null;
  location: string | null;
  /** The visit summary's text (DocumentReference for the encounter), if any. */
  summary: string | null;
}
export interface Patient360CarePlan {
  id: string;
  title: string;
  status: string;
  period: string | null;
  activities: Array<{ text: string; status: string | null }>;
  addresses: string[];
}
export interface Patient360CareTeam {
  id: string;
  name: string;
  members: Array<{ name: string; role: string | null }>;
}
export interface Patient360Task {
  id: string;
  status: string;
  description: string;
  authoredOn: string | null;
  owner: string | null;
}
export interface Patient360Conversation {
  id: string;
  channel: string;
  createdAt: string;
  closedAt: string | null;
  queue: string | null;
  agentName: string | null;
  disposition: string | null;
  dispositionLabel: string | null;
  summary: string | null;
}
export interface Patient360 {
  patient: {
    id: string;
    name: string;
    birthDate: string | null;
    age: number | null;
    gender: string | null;
    language: string | null;
    maritalStatus: string | null;
    /** Masked until revealed ("•••0042"). */
    mrn: string | null;
    phones: Array<{ use: string | null; masked: string }>;
    emails: Array<{ masked: string }>;
    /** City, state and ZIP; the street only when revealed. */
    address: string | null;
    generalPractitioner: string | null;
    deceased: boolean;
  };
  contacts: Array<{ name: string; relationship: string; emergency: boolean; phoneMasked: string | null }>;
  coverages: Array<{ id: string; payor: string; plan: string | null; type: string | null; status: string; memberIdMasked: string | null; period: string | null }>;
  allergies: Patient360Allergy[];
  conditions: CodedItem[];
  medications: Patient360Medication[];
  immunizations: CodedItem[];
  labs: Patient360Series[];
  vitals: Patient360Series[];
  appointments: { upcoming: Patient360Appointment[]; recent: Patient360Appointment[] };
  encounters: Patient360Encounter[];
  carePlans: Patient360CarePlan[];
  careTeams: Patient360CareTeam[];
  tasks: Patient360Task[];
  conversations: Patient360Conversation[];
  preferences: {
    language: string | null;
    preferredChannel: string | null;
    /** Contact channels the record says not to use (telecom with period ended or `rank` absent are kept). */
    channels: Array<{ system: string; use: string | null; preferred: boolean }>;
    consents: Array<{ id: string; status: string; scope: string; category: string; date: string | null; decision: 'permit' | 'deny' | null }>;
  };
  /** How the 360 was read: in a conversation with a verified patient, or by a stated reason. */
  access: { conversationId: string | null; reason: string };
}
