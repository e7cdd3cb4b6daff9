/**
 * The accounts domain's public door: sign-in, tokens, MFA and account management (REST), agents'
 * routing profiles, the staff directory other domains read names and roles from, and the demo
 * accounts of demo mode.
 */
import type { AuditLog } from '../platform/audit/audit.js';
import type { SessionVersions } from '../platform/auth/sessions.js';
import type { TokenService } from '../platform/auth/tokens.js';
import type { Config } from '../platform/config.js';
import type { DatabaseHandle } from '../platform/db/index.js';
import { listen, type EventPublisher } from '../platform/events.js';
import type { OpenApiRegistry } from '../platform/http/openapi.js';
import type { Logger } from '../platform/logging.js';
import type { DomainModule } from '../platform/module.js';
import { userRoom, type RealtimeHub } from '../platform/realtime/hub.js';
import { SESSION_ENDED_MESSAGES, type SessionEndedEvent } from '../contracts/realtime.js';
import type { SystemFhir } from '../fhir/index.js';
import { ensureDemoAccounts } from './demo-accounts.js';
import { createStaffDirectory, type StaffDirectory } from './directory.js';
import { registerAccountRoutes } from './routes.js';
import { registerRoutingProfileRoutes } from './routing-profile-routes.js';
import { AgentProfiles } from './routing-profiles.js';
import { AccountService, type LoginThrottleConfig } from './service.js';
import './events.js';

export type { StaffDirectory, StaffMember } from './directory.js';
export type { UserRow } from './repository.js';
export type { AgentProfile } from './routing-profiles.js';
export { AccountService, DEFAULT_ACCOUNT_POLICY, hashRefreshToken, principalFor, type AccountPolicy, type LoginThrottleConfig, type NewAccount } from './service.js';
export { AgentProfiles, DEFAULT_AGENT_PROFILE } from './routing-profiles.js';
export { DEMO_PASSWORD, DEMO_ROUTING_PROFILES, demoEmail, demoMrn } from './demo-accounts.js';

export interface AccountsApi {
  accounts: AccountService;
  /** Agents' skills and capacity (stored per account; defaults when none). */
  agentProfiles: AgentProfiles;
  directory: StaffDirectory;
  /** Demo mode: the demo accounts exist (after the synthetic data is seeded). */
  ensureDemoAccounts(): Promise<void>;
  /** The account's current session version (what access tokens must carry); undefined: no such account. */
  sessionVersionOf(userId: string): number | undefined;
}

export interface AccountsModuleDeps {
  database: DatabaseHandle;
  config: Pick<Config, 'JWT_SECRET' | 'REFRESH_TOKEN_TTL_SECONDS' | 'demoMode'> & LoginThrottleConfig;
  tokens: TokenService;
  /** The in-memory session versions every token check reads; this module moves them on. */
  sessions: Pick<SessionVersions, 'revoked'>;
  audit: AuditLog;
  events: EventPublisher;
  hub: RealtimeHub;
  openapi: OpenApiRegistry;
  logger: Logger;
  fhir: Pick<SystemFhir, 'exists' | 'read' | 'idsByIdentifier'>;
}

export type AccountsModule = DomainModule & { api: AccountsApi };

export function createAccountsModule(deps: AccountsModuleDeps): AccountsModule {
  const accounts = new AccountService({ ...deps, practitionerExists: (id) => deps.fhir.exists('Practitioner', id) });
  const agentProfiles = new AgentProfiles({ sqlite: deps.database.sqlite, audit: deps.audit, events: deps.events });
  const directory = createStaffDirectory(accounts.repository);
  return {
    name: 'accounts',
    api: {
      accounts,
      agentProfiles,
      directory,
      ensureDemoAccounts: () => ensureDemoAccounts({ config: deps.config, accounts, agentProfiles, fhir: deps.fhir, logger: deps.logger }),
      sessionVersionOf: (userId) => accounts.repository.sessionVersionOf(userId),
    },
    listeners: [
      // First, so that nothing after it (a socket handler, a request) still passes an older token.
      listen('accounts.session-revoked', 'accounts.sessions', ({ userId, version }) => deps.sessions.revoked(userId, version)),
      // Every live socket of the account, on /staff and /patient, hears why and is disconnected.
      listen('accounts.session-revoked', 'accounts.realtime', ({ userId, reason }) => {
        const event: SessionEndedEvent = { reason, message: SESSION_ENDED_MESSAGES[reason] };
        deps.hub.disconnect(userRoom(userId), 'session:ended', event);
      }),
    ],
    routes: (api) => {
      registerAccountRoutes(api, { openapi: deps.openapi, accounts });
      registerRoutingProfileRoutes(api, { openapi: deps.openapi, agentProfiles });
    },
  };
}
