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
