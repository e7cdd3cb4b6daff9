/** What the server said went wrong with an RTK Query request, as a sentence (and its code, for branching). */
export function requestErrorText(error: unknown): string | null {
  if (!error) return null;
  const e = error as { status?: unknown; data?: { error?: { message?: unknown } }; error?: unknown };
  if (typeof e.data?.error?.message === 'string') return e.data.error.message;
  if (typeof e.error === 'string') return `The server could not be reached: ${e.error}`;
  return `The request failed (${String(e.status ?? 'unknown')}).`;
}

/** The server's `error.details.reason` (e.g. `not_verified`), when it gave one. */
export function requestErrorReason(error: unknown): string | null {
  const reason = (error as { data?: { error?: { details?: { reason?: unknown } } } } | undefined)?.data?.error?.details?.reason;
  return typeof reason === 'string' ? reason : null;
}

export const requestStatus = (error: unknown): number | null => {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : null;
};
