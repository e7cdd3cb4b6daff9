/**
 * Sign-in, tokens, MFA and account management: request and response shapes shared by the server,
 * the desktop app and the portal. Pure zod, no runtime dependencies.
 */
import { z } from 'zod';

export const STAFF_ROLES = ['agent', 'supervisor', 'practitioner', 'outreach', 'bot-author', 'admin'] as const;
export const ROLES = [...STAFF_ROLES, 'patient'] as const;

export const staffRoleSchema = z.enum(STAFF_ROLES);
export const roleSchema = z.enum(ROLES);

/** An e-mail address, trimmed and lower-cased so look-ups do not depend on how it was typed. */
export const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email('must be an e-mail address'));

/** Passwords are capped so nobody can make the server hash megabytes. */
export const PASSWORD_MAX_LENGTH = 1024;
export const PASSWORD_MIN_LENGTH = 12;

export const totpCodeSchema = z.string().regex(/^\d{6}$/, 'must be the 6-digit code from the authenticator app');

/** Opaque refresh tokens: 32 random bytes, base64url (43 characters). */
export const refreshTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a refresh token');

export const loginRequestSchema = z.strictObject({
  email: emailSchema,
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  totp: totpCodeSchema.optional(),
});
export type LoginRequest = z.input<typeof loginRequestSchema>;

export const accountUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  displayName: z.string(),
  patientId: z.string().optional(),
  practitionerId: z.string().optional(),
  mfaEnabled: z.boolean(),
});
export type AccountUser = z.infer<typeof accountUserSchema>;

export const sessionResponseSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
  refreshToken: z.string(),
  user: accountUserSchema,
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const refreshRequestSchema = z.strictObject({ refreshToken: refreshTokenSchema });
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const logoutRequestSchema = z.strictObject({ refreshToken: refreshTokenSchema });
export type LogoutRequest = z.infer<typeof logoutRequestSchema>;

/** The signed-in user's new password (checked against the policy); every session ends, sign in again. */
export const mfaEnrolResponseSchema = z.object({
  /** Base32 secret for manual entry. */
  secret: z.string(),
  /** otpauth:// URI for a QR code. */
  otpauthUrl: z.string(),
});
export type MfaEnrolResponse = z.infer<typeof mfaEnrolResponseSchema>;

/**
 * Step-up: sensitive changes while signed in (MFA, password) prove the account again, so a stolen
 * access token alone cannot take the account over. `totpCode` is needed when two-step sign-in is on.
 */
const currentPasswordSchema = z.string().min(1).max(PASSWORD_MAX_LENGTH);
export const stepUpSchema = z.strictObject({
  currentPassword: currentPasswordSchema,
  totpCode: totpCodeSchema.optional(),
});
export type StepUp = z.infer<typeof stepUpSchema>;

/** Start enrolment: the current password (two-step sign-in is off, so no code). */
export const mfaEnrolRequestSchema = z.strictObject({ currentPassword: currentPasswordSchema });
export type MfaEnrolRequest = z.infer<typeof mfaEnrolRequestSchema>;

/** Confirm enrolment: the current password and a code from the newly enrolled authenticator. */
export const mfaActivateRequestSchema = z.strictObject({ currentPassword: currentPasswordSchema, code: totpCodeSchema });
export type MfaActivateRequest = z.infer<typeof mfaActivateRequestSchema>;

/** Turn two-step sign-in off: the current password and a current code. */
export const mfaDisableRequestSchema = z.strictObject({ currentPassword: currentPasswordSchema, totpCode: totpCodeSchema });
export type MfaDisableRequest = z.infer<typeof mfaDisableRequestSchema>;

/** Change the password: the current one (and a code when two-step sign-in is on) and the new one. */
export const changePasswordRequestSchema = stepUpSchema.extend({ newPassword: z.string().max(PASSWORD_MAX_LENGTH) });
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

export const mfaStatusResponseSchema = z.object({ mfaEnabled: z.boolean() });
export type MfaStatusResponse = z.infer<typeof mfaStatusResponseSchema>;

/** An account as administrators see it: the user plus its security state. */
export const adminUserSchema = accountUserSchema.extend({
  disabled: z.boolean(),
  /** Only for rows locked before the hard lockout was replaced by the sign-in throttle; otherwise null. */
  lockedUntil: z.string().nullable(),
  failedLogins: z.number().int(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AdminUser = z.infer<typeof adminUserSchema>;

const cursorSchema = z.string().regex(/^[A-Za-z0-9_-]{1,600}$/, 'is not a cursor from a previous page');

export const adminUserListQuerySchema = z.strictObject({
  role: roleSchema.optional(),
  /** Matches the start of the e-mail or any part of the display name. */
  q: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: cursorSchema.optional(),
});
export type AdminUserListQuery = z.input<typeof adminUserListQuerySchema>;

export const adminUserListResponseSchema = z.object({
  items: z.array(adminUserSchema),
  nextCursor: z.string().nullable(),
});
export type AdminUserListResponse = z.infer<typeof adminUserListResponseSchema>;

const displayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .regex(/^[^<>\p{Cc}]+$/u, 'must not contain control characters or angle brackets');
const resourceIdSchema = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'must be a FHIR resource id');

export const createStaffUserRequestSchema = z.strictObject({
  email: emailSchema,
  displayName: displayNameSchema,
  role: staffRoleSchema,
  password: z.string().max(PASSWORD_MAX_LENGTH),
  practitionerId: resourceIdSchema.optional(),
});
export type CreateStaffUserRequest = z.input<typeof createStaffUserRequestSchema>;

export const updateUserRequestSchema = z
  .strictObject({
    role: staffRoleSchema.optional(),
    displayName: displayNameSchema.optional(),
    disabled: z.boolean().optional(),
    /** Clears a lockout and the failed-login counter. */
    unlock: z.literal(true).optional(),
    /** Turns MFA off and forgets the secret (the user enrols again). */
    resetMfa: z.literal(true).optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'name at least one change' });
export type UpdateUserRequest = z.input<typeof updateUserRequestSchema>;

export const userIdParamSchema = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'is not a user id');
