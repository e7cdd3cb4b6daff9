/** Who is making a request, as established by the access token. */
export const STAFF_ROLES = ['agent', 'supervisor', 'practitioner', 'outreach', 'bot-author', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export type Role = StaffRole | 'patient';

export type Principal =
  | { kind: 'staff'; userId: string; email: string; role: StaffRole; practitionerId: string | null }
  | { kind: 'patient'; userId: string; email: string; role: 'patient'; patientId: string };

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}
