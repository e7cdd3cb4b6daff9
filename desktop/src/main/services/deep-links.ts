/**
 * `carebridge://conversation/<id>` deep links. Pure: the platform layer feeds it URLs from
 * `open-url` (macOS) and from the second instance's command line (Windows, Linux).
 */
import { conversationIdSchema } from '../../shared/ipc-contract.js';
import { DEEP_LINK_SCHEME } from '../origins.js';

export type DeepLink = { kind: 'conversation'; conversationId: string };

/** The deep link a URL names, or null for anything else (other hosts, extra parts, bad ids). */
export function parseDeepLink(url: string): DeepLink | null {
  if (typeof url !== 'string' || url.length > 200) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${DEEP_LINK_SCHEME}:`) return null;
  if (parsed.username || parsed.password || parsed.port || parsed.search || parsed.hash) return null;
  if (parsed.host.toLowerCase() !== 'conversation') return null;
  // Match the raw text, not the parsed path: URL parsing would fold `../x` into `/x`.
  const match = /^[a-z]+:\/\/conversation\/([^/?#]+)\/?$/i.exec(url);
  if (!match) return null;
  const id = conversationIdSchema.safeParse(match[1]);
  return id.success ? { kind: 'conversation', conversationId: id.data } : null;
}

/** The first deep link among command-line arguments (how Windows and Linux pass them). */
export function deepLinkFromArgv(argv: readonly string[]): DeepLink | null {
  for (const arg of argv) {
    if (!arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) continue;
    const link = parseDeepLink(arg);
    if (link) return link;
  }
  return null;
}

/**
 * Holds a link that arrives before the renderer is ready (the app was started by the link) and
 * delivers it once the renderer says it listens.
 */
export function createDeepLinkQueue(deliver: (link: DeepLink) => void) {
  let ready = false;
  let pending: DeepLink | null = null;
  return {
    push(link: DeepLink) {
      if (ready) deliver(link);
      else pending = link;
    },
    markReady() {
      ready = true;
      if (pending) {
        const link = pending;
        pending = null;
        deliver(link);
      }
    },
    markNotReady() {
      ready = false;
    },
  };
}
