/**
 * Request/acknowledgement calls over the live socket for features: never throws (a timeout or a
 * dropped connection becomes an error ack), and turns error acks into a sentence for the user in
 * the style of `server-errors.ts`.
 */
import { sendLive, type LiveAcks, type LiveEvent } from './socket.js';

export interface LiveError {
  code: string;
  message: string;
}

export async function requestLive<E extends LiveEvent>(event: E, payload?: unknown, timeoutMs = 8000): Promise<LiveAcks[E]> {
  try {
    return await sendLive(event, payload, timeoutMs);
  } catch {
    return { ok: false, error: { code: 'internal', message: 'The server did not answer in time.' } } as LiveAcks[E];
  }
}

/** "Could not <what>: <why>." for an error acknowledgement. */
export function liveErrorMessage(what: string, error: LiveError | undefined): string {
  const said = typeof error?.message === 'string' ? error.message.trim().replace(/\.$/, '') : '';
  switch (error?.code) {
    case 'too_many_requests':
      return `Could not ${what}: too many actions at once. Wait a moment and try again.`;
    case 'not_found':
      return `Could not ${what}: ${said || 'it no longer exists'}.`;
    case 'forbidden':
      return `Could not ${what}: ${said || 'you are not allowed to'}.`;
    // script_incomplete: required agent-script steps are left, and the message names them.
    case 'conflict':
    case 'script_incomplete':
      return `Could not ${what}: ${said || 'it changed meanwhile'}.`;
    case 'bad_payload':
      return `Could not ${what}: the server did not accept it (${said || 'invalid input'}).`;
    default:
      return `Could not ${what}: ${said || 'the server had a problem'}. Try again in a moment.`;
  }
}
