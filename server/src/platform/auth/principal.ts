/** Who is making a request, as established by the access token. */
import { STAFF_ROLES } from '../../contracts/auth.js';

// The role lists live in the contracts so the apps share them; re-exported for the server.
export { STAFF_ROLES };
export type StaffRole = (typeof STAFF_ROLES)[number];
export type Role = StaffRole | 'patient';

export type Principal =
  | { kind: 'staff'; userId: string; email: string; role: StaffRole; practitionerId: string | null }
  | { kind: 'patient'; userId: string; email: string; role: 'patient'; patientId: string };

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}
