/** What the accounts domain publishes on the event bus. */
import type { Skill } from '../contracts/routing.js';
import type { SessionEndReason } from '../contracts/realtime.js';

declare module '../platform/events.js' {
  interface DomainEvents {
    /** An admin changed an agent's skills or capacity (or demo seeding stored them). */
    'accounts.routing-profile-changed': { userId: string; profile: { skills: Skill[]; capacity: number } };
    /**
     * Every session of the account ended (signed out, disabled, role or password changed, a stolen
     * refresh token came back): tokens below `version` are refused from now on, and the account's
     * live sockets are told why and disconnected.
     */
    'accounts.session-revoked': { userId: string; version: number; reason: SessionEndReason };
  }
}
