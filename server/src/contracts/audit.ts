/**
 * Reading the audit log: the administrators' search and a patient's own access log.
 * Pure zod, no runtime dependencies.
 */
import { z } from 'zod';

const cursorSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'is not a cursor from a previous page');
const isoInstant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2025-01-31T09:00:00Z' });
const idLike = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be an id');

export const auditQuerySchema = z.strictObject({
  /** Start of the range (inclusive). Defaults to 24 hours before `to`. */
  from: isoInstant.optional(),
  /** End of the range (exclusive). Defaults to now. */
  to: isoInstant.optional(),
  /** User id of the actor. */
  actor: idLike.optional(),
  /** Patient resource id. */
  patient: idLike.optional(),
  action: z
    .string()
    .regex(/^[a-z][a-z0-9.\-_]{0,63}$/, 'must be an action such as phi.read or auth.login')
    .optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: cursorSchema.optional(),
});
export type AuditQuery = z.input<typeof auditQuerySchema>;

export const auditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorRole: z.string().nullable(),
  action: z.string(),
  outcome: z.string(),
  resourceType: z.string().nullable(),
  resourceId: z.string().nullable(),
  patientId: z.string().nullable(),
  reason: z.string().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  hash: z.string(),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

export const auditPageSchema = z.object({
  from: z.string(),
  to: z.string(),
  items: z.array(auditEntrySchema),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type AuditPage = z.infer<typeof auditPageSchema>;

export const accessLogQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursorSchema.optional(),
});
export type AccessLogQuery = z.input<typeof accessLogQuerySchema>;

/** One access to a patient's record, as the patient sees it. */
export const accessLogEntrySchema = z.object({
  at: z.string(),
  action: z.string(),
  outcome: z.string(),
  /** Who: display name and role, never their e-mail. Null for system actions. */
  who: z.object({ displayName: z.string(), role: z.string() }).nullable(),
  resourceType: z.string().nullable(),
  resourceId: z.string().nullable(),
  /** Why: the reason the staff member stated. */
  reason: z.string().nullable(),
});
export type AccessLogEntry = z.infer<typeof accessLogEntrySchema>;

export const accessLogPageSchema = z.object({
  items: z.array(accessLogEntrySchema),
  nextCursor: z.string().nullable(),
});
export type AccessLogPage = z.infer<typeof accessLogPageSchema>;
