/**
 * Turns what a server answered (or failed to answer) into a sentence for the user. Pure, so the
 * messages are unit-tested without a browser.
 */
export interface ServerErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

/** Normalises a typed server address: adds https:// when no scheme is given, drops the trailing slash. */
export function normaliseServerUrl(input: string): { ok: true; url: string } | { ok: false; message: string } {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, message: 'Enter the server address, for example https://carebridge.example.org.' };
  const notAnAddress = { ok: false, message: `"${trimmed}" is not a server address. Use one like https://carebridge.example.org.` } as const;
  if (/\s/.test(trimmed)) return notAnAddress;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    return notAnAddress;
  }
  if (!/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/.test(parsed.hostname)) return notAnAddress;
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { ok: false, message: 'The server address must start with https:// (or http:// on a local network).' };
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    return { ok: false, message: 'The server address must not contain a user name, query or fragment.' };
  }
  return { ok: true, url: `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}` };
}

export function unreachableMessage(serverUrl: string, timedOut: boolean): string {
  return timedOut
    ? `The server at ${serverUrl} did not answer in time. It may be down or overloaded; try again in a moment.`
    : `Cannot reach the server at ${serverUrl}. Check the address and your network connection; the server may be down.`;
}

export function notCarebridgeMessage(serverUrl: string): string {
  return `${serverUrl} answered, but it is not a Carebridge server. Check the server address.`;
}

/** The sign-in failure for an HTTP answer from a Carebridge server. */
export function signInFailureMessage(status: number, body: ServerErrorBody | undefined): { message: string; mfaRequired?: boolean } {
  const code = typeof body?.error?.code === 'string' ? body.error.code : '';
  const serverMessage = typeof body?.error?.message === 'string' ? body.error.message : '';
  switch (code) {
    case 'invalid_credentials':
      return { message: 'The email address or password is wrong.' };
    case 'mfa_required':
      return { message: 'Enter the 6-digit code from your authenticator app.', mfaRequired: true };
    case 'invalid_totp':
      return { message: 'That authenticator code is wrong or has expired. Enter the current code.', mfaRequired: true };
    case 'locked':
      return { message: 'This account is locked after too many failed sign-ins. Try again later or ask an administrator to unlock it.' };
    case 'too_many_requests': {
      const details = body?.error?.details as { retryAfterSeconds?: unknown } | undefined;
      const wait = typeof details?.retryAfterSeconds === 'number' ? ` Try again in ${details.retryAfterSeconds} seconds.` : ' Wait a moment and try again.';
      return { message: `Too many sign-in attempts.${wait}` };
    }
    case 'account_disabled':
      return { message: 'This account is disabled. Ask an administrator.' };
    case 'validation_failed':
      return { message: 'Check the email address and password: the server could not accept them as typed.' };
    default:
      if (status >= 500) return { message: 'The server had a problem signing you in. Try again in a moment.' };
      return { message: serverMessage || `Sign-in failed (HTTP ${status}).` };
  }
}
