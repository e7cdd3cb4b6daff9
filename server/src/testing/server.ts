/**
 * Test harness: a real server on an ephemeral port over a real SQLite file in a temp folder.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../platform/config.js';
import { createLogger } from '../platform/logging.js';
import { openDatabase } from '../platform/db/index.js';
import { createApp } from '../app.js';
import { compose, type Composition, type CompositionOverrides } from '../composition.js';
import type { Principal } from '../platform/auth/principal.js';
import { attachRealtime, type Realtime } from '../platform/realtime/index.js';

export interface TestServer {
  url: string;
  /**
   * A signed access token for the principal, as login would issue, at its account's current session
   * version. A principal with no account gets one (a bare row with the principal's id and role), so
   * the token passes the session check as a signed-in user's would.
   */
  tokenFor(principal: Principal): Promise<string>;
  /** The composed server: module APIs, bus, database (tests reach into it to arrange and check). */
  context: Composition;
  config: Config;
  dir: string;
  /**
   * Stops listening (dropping every connection, live sockets included), runs `whileDown`, then
   * listens again on the same port with the same database, as a restarted server would.
   */
  restart(options?: { whileDown?: () => Promise<void> }): Promise<void>;
  close(): Promise<void>;
}

/** The audit checkpoint key test servers use (64 hex digits), for tests that run audit:verify. */
export const TEST_AUDIT_KEY = 'a0'.repeat(32);

/**
 * The shipped agent scripts (`agent-scripts/`). Test servers start without any (their required steps
 * would refuse the wrap-ups other tests make); tests of scripts pass `AGENT_SCRIPTS_DIR: SHIPPED_AGENT_SCRIPTS`.
 */
export const SHIPPED_AGENT_SCRIPTS = fileURLToPath(new URL('../../../agent-scripts', import.meta.url));

/** `overrides`: what tests may swap in the composition (routing's clock, scheduling's clock). */
export async function startTestServer(env: Record<string, string> = {}, overrides: CompositionOverrides = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: `sqlite:${path.join(dir, 'test.db')}`,
    JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
    // Outside the database, as production requires; pass AUDIT_KEY: '' for the development key file.
    AUDIT_KEY: TEST_AUDIT_KEY,
    // No agent scripts unless a test asks for them (a folder that does not exist).
    AGENT_SCRIPTS_DIR: path.join(dir, 'no-agent-scripts'),
    ...env,
  });
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config.databasePath);
  const context = compose({ config, logger, database }, overrides);
  await context.start();
  const app = createApp(context);
  const listen = async (port: number) => {
    const server = http.createServer(app);
    const realtime = attachRealtime(server, context.realtime);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return { server, realtime };
  };
  const stop = async ({ server, realtime }: { server: http.Server; realtime: Realtime }) => {
    await realtime.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  let running = await listen(0);
  const { port } = running.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokenFor: (principal) => context.tokens.issueAccessToken(principal, ensureAccount(context, principal)),
    context,
    config,
    dir,
    restart: async (options = {}) => {
      await stop(running);
      await options.whileDown?.();
      running = await listen(port);
    },
    close: async () => {
      await stop(running);
      await context.close();
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The principal's account (created bare if missing); returns its session version. */
function ensureAccount(context: Composition, principal: Principal): number {
  const now = new Date().toISOString();
  context.database.sqlite
    .prepare(
      `INSERT INTO users (id, email, password_hash, role, display_name, patient_id, practitioner_id, totp_enabled, failed_logins, disabled, created_at, updated_at)
       VALUES (?, ?, '!', ?, ?, ?, ?, 0, 0, 0, ?, ?) ON CONFLICT DO NOTHING`,
    )
    .run(
      principal.userId,
      `token-${principal.userId}@example.test`,
      principal.role,
      principal.userId,
      principal.kind === 'patient' ? principal.patientId : null,
      principal.kind === 'staff' ? principal.practitionerId : null,
      now,
      now,
    );
  const version = context.accounts.sessionVersionOf(principal.userId);
  if (version === undefined) throw new Error(`tokenFor: no account ${principal.userId} (its e-mail is taken?)`);
  return version;
}
