/**
 * The permission policy for web contents (session permission request and check handlers). Pure.
 *
 * Only our own origins (the bundled renderer and the configured server) get anything, and only
 * notifications and camera/microphone (for virtual visits). Everything else is denied.
 */
import { originOf } from '../origins.js';

export interface PermissionQuery {
  permission: string;
  /** The origin or URL of the frame asking. */
  requestingUrl: string;
  /** For `media`: what is asked for (`video`, `audio`); Electron may also say `unknown`. */
  mediaTypes?: readonly string[];
}

const GRANTABLE = new Set(['notifications', 'media']);
const MEDIA_TYPES = new Set(['video', 'audio']);

export function isPermissionGranted(query: PermissionQuery, ownOrigins: readonly string[]): boolean {
  if (!GRANTABLE.has(query.permission)) return false;
  const origin = originOf(query.requestingUrl);
  if (!origin || !ownOrigins.includes(origin)) return false;
  if (query.permission === 'media') {
    const types = query.mediaTypes ?? [];
    if (types.length === 0 || !types.every((t) => MEDIA_TYPES.has(t))) return false;
  }
  return true;
}
