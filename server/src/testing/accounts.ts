/**
 * Helpers for the accounts tests (and any other test that needs a real signed-in user): create
 * accounts through the service and talk to the server with real fetch.
 */
import type { Patient } from '@medplum/fhirtypes';
import { generate } from 'otplib';
import type { TestServer } from './server.js';
import type { SessionResponse } from '../contracts/auth.js';
import type { ErrorResponse } from '../contracts/errors.js';
import type { UserRow } from '../accounts/index.js';

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Sends JSON (or a raw string body) and parses the JSON answer, if any. */
export async function call<T = any>( // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary response shapes
  server: TestServer,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] ??= 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

let counter = 0;
/** A unique e-mail for this test process, so tests never share throttling or lockout state. */
export function uniqueEmail(prefix = 'user'): string {
  counter++;
  return `${prefix}-${process.pid}-${counter}@example.test`;
}

export const TEST_PASSWORD = 'correct horse battery staple';

export async function createUser(
  server: TestServer,
  input: { role: string; email?: string; password?: string; displayName?: string; patientId?: string; practitionerId?: string },
): Promise<UserRow> {
  const user = await server.context.accounts.accounts.createAccount({
    email: input.email ?? uniqueEmail(input.role),
    password: input.password ?? TEST_PASSWORD,
    role: input.role,
    displayName: input.displayName ?? `Test ${input.role}`,
    patientId: input.patientId ?? null,
    practitionerId: input.practitionerId ?? null,
  });
  if (!user) throw new Error('account already exists');
  return user;
}

export function createPatient(server: TestServer, mrn: string, given = 'Ada', family = 'Lovelace'): Patient {
  return server.context.store.create<Patient>({
    resourceType: 'Patient',
    identifier: [{ system: 'urn:carebridge:mrn', value: mrn }],
    name: [{ use: 'official', given: [given], family }],
  });
}

/** A sign-in answer: the session on 200, the error otherwise (tests check the status first). */
export type LoginReply = SessionResponse & ErrorResponse;

export async function login(server: TestServer, email: string, password = TEST_PASSWORD, totp?: string): Promise<Reply<LoginReply>> {
  return call<LoginReply>(server, 'POST', '/api/auth/login', { body: { email, password, ...(totp ? { totp } : {}) } });
}

/**
 * Signs in as a client at `address` would: the server trusts X-Forwarded-For from loopback (as from
 * a reverse proxy on the same host), so tests can play several addresses.
 */
export async function loginFrom(
  server: TestServer,
  address: string,
  email: string,
  password = TEST_PASSWORD,
  totp?: string,
): Promise<Reply<LoginReply>> {
  return call<LoginReply>(server, 'POST', '/api/auth/login', {
    body: { email, password, ...(totp ? { totp } : {}) },
    headers: { 'x-forwarded-for': address },
  });
}

let addressCounter = 0;
/**
 * A documentation-range address (2001:db8::/32, RFC 3849) in a /64 of its own (the sign-in throttle
 * counts IPv6 addresses by /64), not used by any other test in this process.
 */
export function uniqueAddress(): string {
  addressCounter++;
  return `2001:db8:${addressCounter.toString(16)}::1`;
}

/** Creates an account and signs in as it; returns the session. */
export async function signedInUser(server: TestServer, role: string, extra: { patientId?: string } = {}) {
  const user = await createUser(server, { role, ...extra });
  const res = await login(server, user.email);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { user, session: res.body, token: res.body.accessToken };
}

/** The TOTP code an authenticator app would show `offsetSteps` 30-second steps from now. */
export const totpCodeFor = (secret: string, offsetSteps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

/** A well-formed TOTP code that is not `right`. */
export const wrongTotpCode = (right: string) => String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
