/** Turn account rows into API shapes; nothing else leaves the module (no hashes, no secrets). */
import type { AccountUser, AdminUser } from '../contracts/auth.js';
import type { UserRow } from './repository.js';

export function toAccountUser(row: UserRow): AccountUser {
  return {
    id: row.id,
    email: row.email,
    role: row.role as AccountUser['role'],
    displayName: row.display_name,
    ...(row.patient_id ? { patientId: row.patient_id } : {}),
    ...(row.practitioner_id ? { practitionerId: row.practitioner_id } : {}),
    mfaEnabled: row.totp_enabled === 1,
  };
}

export function toAdminUser(row: UserRow, now = Date.now()): AdminUser {
  const locked = row.locked_until !== null && Date.parse(row.locked_until) > now;
  return {
    ...toAccountUser(row),
    disabled: row.disabled === 1,
    lockedUntil: locked ? row.locked_until : null,
    failedLogins: row.failed_logins,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
