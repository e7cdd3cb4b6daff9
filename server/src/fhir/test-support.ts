/**
 * Helpers for the FHIR API tests: principals for each kind of caller and a small fetch wrapper
 * that speaks application/fhir+json. Test-only; imported by *.test.ts files in this folder.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Principal } from '../platform/auth/principal.js';
import type { TestServer } from '../testing/server.js';
import type { AuditRow } from '../platform/audit/audit.js';

export const admin: Principal = { kind: 'staff', userId: 'user-admin', email: 'admin@example.test', role: 'admin', practitionerId: null };
export const practitioner: Principal = {
  kind: 'staff',
  userId: 'user-practitioner',
  email: 'dr@example.test',
  role: 'practitioner',
  practitionerId: null,
};
export const agent: Principal = { kind: 'staff', userId: 'user-agent', email: 'agent@example.test', role: 'agent', practitionerId: null };
export const botAuthor: Principal = { kind: 'staff', userId: 'user-bot', email: 'bot@example.test', role: 'bot-author', practitionerId: null };
export const patientPrincipal = (patientId: string): Principal => ({
  kind: 'patient',
  userId: `user-${patientId}`,
  email: `${patientId}@example.test`,
  role: 'patient',
  patientId,
});

export const REASON = 'Care coordination call';

export interface FhirResponse<T = any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary FHIR JSON
  status: number;
  headers: Headers;
  body: T;
}

/** A caller bound to a token (and a reason header unless `reason` is null). */
export class FhirCaller {
  constructor(
    readonly server: TestServer,
    private readonly token: string | undefined,
    private readonly reason: string | null = REASON,
  ) {}

  static async as(server: TestServer, principal: Principal, reason: string | null = REASON): Promise<FhirCaller> {
    return new FhirCaller(server, await server.tokenFor(principal), reason);
  }

  get base(): string {
    return `${this.server.url}/fhir/R4`;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      accept: 'application/fhir+json',
      ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      ...(this.reason ? { 'x-access-reason': this.reason } : {}),
      ...extra,
    };
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<FhirResponse> {
    const init: RequestInit = { method, headers: this.headers(body === undefined ? headers : { 'content-type': 'application/fhir+json', ...headers }) };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${this.base}${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, undefined, headers);
  }
  post(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request('POST', path, body, headers);
  }
  put(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request('PUT', path, body, headers);
  }
  delete(path: string, headers?: Record<string, string>) {
    return this.request('DELETE', path, undefined, headers);
  }

  /** Creates a resource and returns it as stored (throws unless 201). */
  async create<T extends Resource>(resource: T): Promise<T & { id: string }> {
    const res = await this.post(`/${resource.resourceType}`, resource);
    if (res.status !== 201) throw new Error(`create ${resource.resourceType} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T & { id: string };
  }
}

/** Rows in a table, for before/after comparisons. */
export function countRows(server: TestServer, table: string): number {
  return (server.context.database.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

export type AuditRowView = AuditRow;

/** Audit rows written after `afterSeq`, oldest first. */
export function auditSince(server: TestServer, afterSeq: number): AuditRowView[] {
  return server.context.database.sqlite.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq').all(afterSeq) as AuditRowView[];
}

export function lastAuditSeq(server: TestServer): number {
  return (server.context.database.sqlite.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM audit_log').get() as { n: number }).n;
}
