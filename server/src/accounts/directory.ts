/**
 * The staff directory other domains read instead of querying the users table: names to show,
 * roles for routing, and the enabled accounts with given roles (the colleagues list).
 */
import type { AccountRepository } from './repository.js';

export interface StaffMember {
  id: string;
  displayName: string;
  role: string;
}

export interface StaffDirectory {
  /** An account's display name (staff shown to patients and colleagues), if the account exists. */
  displayNameOf(userId: string): string | undefined;
  /** The account's role, or undefined for an unknown user. */
  roleOf(userId: string): string | undefined;
  /** Whether the account exists and is not disabled (routing offers work only to active accounts). */
  isActive(userId: string): boolean;
  /** Enabled accounts with one of the roles, by name. */
  enabledWithRoles(roles: readonly string[]): StaffMember[];
}

export function createStaffDirectory(repository: AccountRepository): StaffDirectory {
  return {
    displayNameOf: (userId) => repository.findById(userId)?.display_name,
    roleOf: (userId) => repository.findById(userId)?.role,
    isActive: (userId) => repository.findById(userId)?.disabled === 0,
    enabledWithRoles: (roles) => repository.enabledWithRoles(roles).map((u) => ({ id: u.id, displayName: u.display_name, role: u.role })),
  };
}
