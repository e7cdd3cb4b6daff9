/**
 * Turns what the server answered (or failed to answer) into a sentence for the patient. Pure, so the
 * wording is unit-tested without a browser. Features state their own wording (`ProblemWording`); the
 * server's `{ error: { code, message } }` body and the transport failures are read here, once.
 */
import type { SerializedError } from '@reduxjs/toolkit';
import type { FetchBaseQueryError } from '@reduxjs/toolkit/query';

export type ServerProblem =
  /** No answer: the network or the server is down. */
  | { kind: 'unreachable' }
  /** The server answered with an error status. */
  | { kind: 'answered'; status: number; code?: string; message?: string }
  /** The portal itself refused (an endpoint's own check), or something unexpected threw. */
  | { kind: 'portal'; code: string };

export function serverProblem(error: FetchBaseQueryError | SerializedError | undefined): ServerProblem {
  if (!error || !('status' in error)) return { kind: 'portal', code: 'unexpected' };
  switch (error.status) {
    case 'FETCH_ERROR':
    case 'TIMEOUT_ERROR':
      return { kind: 'unreachable' };
    case 'PARSING_ERROR':
      // Not JSON (a proxy's error page, say): only the status says anything.
      return { kind: 'answered', status: error.originalStatus };
    case 'CUSTOM_ERROR':
      return { kind: 'portal', code: error.error };
    default: {
      const body = error.data as { error?: { code?: unknown; message?: unknown } } | null | undefined;
      const code = typeof body?.error?.code === 'string' ? body.error.code : undefined;
      const message = typeof body?.error?.message === 'string' ? body.error.message : undefined;
      return { kind: 'answered', status: error.status, ...(code ? { code } : {}), ...(message ? { message } : {}) };
    }
  }
}

export interface ProblemWording {
  /** The network or the server is down. */
  unreachable: string;
  /** By the server's (or the portal's) error code; wins over `byStatus`. */
  byCode?: Readonly<Record<string, string>>;
  /** By HTTP status. */
  byStatus?: Readonly<Record<number, string>>;
  /** Anything else; `status` is 0 when the portal itself failed. */
  otherwise(status: number, serverMessage: string | undefined): string;
}

export function problemMessage(error: FetchBaseQueryError | SerializedError | undefined, wording: ProblemWording): string {
  const problem = serverProblem(error);
  if (problem.kind === 'unreachable') return wording.unreachable;
  const byCode = problem.code === undefined ? undefined : wording.byCode?.[problem.code];
  if (byCode !== undefined) return byCode;
  if (problem.kind === 'portal') return wording.otherwise(0, undefined);
  return wording.byStatus?.[problem.status] ?? wording.otherwise(problem.status, problem.message);
}
