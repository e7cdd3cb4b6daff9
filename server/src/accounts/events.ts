/** What the accounts domain publishes on the event bus. */
import type { Skill } from '../contracts/routing.js';

declare module '../platform/events.js' {
  interface DomainEvents {
    /** An admin changed an agent's skills or capacity (or demo seeding stored them). */
    'accounts.routing-profile-changed': { userId: string; profile: { skills: Skill[]; capacity: number } };
  }
}
