/**
 * Agents' routing profiles: which skills an agent has and how many conversations (offers included)
 * they take at once. Admins edit them (`PUT /api/admin/users/:id/routing-profile`); routing reads
 * them with `get(userId)` whenever an agent's presence changes, and hears `accounts.routing-profile-changed`
 * so a signed-in agent's new profile applies at once. An agent without a stored profile has the
 * defaults: all six skills, capacity 4.
 */
import type SQLite from 'better-sqlite3';
import { ROUTING_SKILLS, type AgentRoutingProfile, type Skill } from '../contracts/routing.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Principal } from '../platform/auth/principal.js';
import { inTransaction } from '../platform/db/index.js';
import type { EventPublisher } from '../platform/events.js';
import { conflict, forbidden, notFound } from '../platform/errors.js';
import { RoutingProfileRepository } from './routing-profile-repository.js';

export interface AgentProfile {
  skills: Skill[];
  capacity: number;
}

/** What an agent without a stored profile gets. */
export const DEFAULT_AGENT_PROFILE: Readonly<AgentProfile> = Object.freeze({ skills: [...ROUTING_SKILLS], capacity: 4 });

/** Roles that take part in routing and may have a profile (supervisors can be routed to when they join in). */
export const PROFILE_ROLES: ReadonlySet<string> = new Set(['agent', 'supervisor']);

export interface AgentProfileChange {
  userId: string;
  profile: AgentProfile;
}

export interface RequestFacts {
  ip: string | null;
  requestId: string | null;
}

/** Skills in the contract's order, each once. */
function normalize(profile: AgentRoutingProfile): AgentProfile {
  const wanted = new Set(profile.skills);
  return { skills: ROUTING_SKILLS.filter((s) => wanted.has(s)), capacity: profile.capacity };
}

export class AgentProfiles {
  private readonly repo: RoutingProfileRepository;
  constructor(private readonly deps: { sqlite: SQLite.Database; audit: AuditLog; events: EventPublisher; now?: () => Date }) {
    this.repo = new RoutingProfileRepository(deps.sqlite);
  }

  /** The agent's skills and capacity: stored, else the defaults. */
  get(userId: string): AgentProfile {
    const row = this.repo.get(userId);
    if (!row) return { skills: [...DEFAULT_AGENT_PROFILE.skills], capacity: DEFAULT_AGENT_PROFILE.capacity };
    const stored = JSON.parse(row.skills) as string[];
    return { skills: ROUTING_SKILLS.filter((s) => stored.includes(s)), capacity: row.capacity };
  }

  /** An account's profile for an admin or supervisor: 404 unknown account, 409 not an agent/supervisor. */
  read(userId: string): AgentProfile {
    this.requireProfileAccount(userId);
    return this.get(userId);
  }

  /** An admin sets an account's profile; audited as `permission.change` with before and after. */
  update(actor: Principal, userId: string, input: AgentRoutingProfile, facts: RequestFacts): AgentProfile {
    // Access tokens outlive role changes: re-read the caller's account, as account management does.
    const caller = this.repo.account(actor.userId);
    if (!caller || caller.disabled || caller.role !== 'admin') throw forbidden('Only an active administrator changes routing profiles.');
    this.requireProfileAccount(userId);
    const profile = normalize(input);
    const at = (this.deps.now?.() ?? new Date()).toISOString();
    inTransaction(this.deps.sqlite, () => {
      const before = this.repo.get(userId) ? this.get(userId) : null;
      this.repo.upsert(userId, profile.skills, profile.capacity, at, actor.userId);
      this.deps.audit.record({
        actorId: actor.userId,
        actorRole: actor.role,
        action: 'permission.change',
        resourceType: 'User',
        resourceId: userId,
        ip: facts.ip,
        requestId: facts.requestId,
        details: { change: 'routing-profile', before, after: profile },
      });
    });
    this.notify({ userId, profile });
    return profile;
  }

  /** Stores a profile unless the account has one (demo accounts); true when it was stored. */
  setIfMissing(userId: string, input: AgentRoutingProfile): boolean {
    const profile = normalize(input);
    const stored = this.repo.insertIfMissing(userId, profile.skills, profile.capacity, (this.deps.now?.() ?? new Date()).toISOString());
    if (stored) this.notify({ userId, profile });
    return stored;
  }

  private requireProfileAccount(userId: string): void {
    const account = this.repo.account(userId);
    if (!account) throw notFound('User', userId);
    if (!PROFILE_ROLES.has(account.role)) {
      throw conflict(`Routing profiles are for agents and supervisors; this account's role is ${account.role}.`);
    }
  }

  private notify(change: AgentProfileChange): void {
    this.deps.events.publish('accounts.routing-profile-changed', { userId: change.userId, profile: { skills: [...change.profile.skills], capacity: change.profile.capacity } });
  }
}
