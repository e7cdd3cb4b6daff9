/**
 * What each IPC channel does, built from the main-process services. Runtime: main (node), no
 * Electron import. Payloads arrive already parsed by the dispatcher.
 */
import type { DesktopConfig } from '../../shared/ipc-contract.js';
import type { Logger } from '../logger.js';
import { isAllowedExternalUrl } from '../security/external-urls.js';
import type { LocalStore } from '../services/local-store.js';
import type { SessionStore } from '../services/session-store.js';
import { IpcFailure, type IpcHandlers } from './dispatch.js';

export interface HandlerDeps {
  sessions: SessionStore;
  local: LocalStore;
  notify: (n: Parameters<IpcHandlers['notify']>[0]) => unknown;
  setBadge: (count: number) => void;
  openExternal: (url: string) => Promise<void>;
  externalAllowlist: () => readonly string[];
  config: () => DesktopConfig;
  deepLinksReady: () => void;
  logger: Logger;
}

export function createIpcHandlers(deps: HandlerDeps): IpcHandlers {
  return {
    'session:load': () => deps.sessions.load(),
    'session:save': (session) => {
      deps.sessions.save(session);
      return null;
    },
    'session:clear': () => {
      deps.sessions.clear();
      return null;
    },
    'settings:get': (payload) => deps.local.getSettings(payload?.userId),
    'settings:update': (payload) =>
      'patch' in payload ? deps.local.updateSettings(payload.patch, payload.userId) : deps.local.updateSettings(payload),
    'drafts:get': ({ userId, conversationId }) => deps.local.getDraft(userId, conversationId),
    'drafts:set': async ({ userId, conversationId, text }) => {
      await deps.local.setDraft(userId, conversationId, text);
      return null;
    },
    'drafts:clear': async ({ userId, conversationId }) => {
      await deps.local.clearDraft(userId, conversationId);
      return null;
    },
    'notify': (notification) => {
      deps.notify(notification);
      return null;
    },
    'badge:set': ({ count }) => {
      deps.setBadge(count);
      return null;
    },
    'external:open': async ({ url }) => {
      if (!isAllowedExternalUrl(url, deps.externalAllowlist())) {
        throw new IpcFailure('not_allowed', 'This link is not on the list of sites the desktop app may open.');
      }
      await deps.openExternal(url);
      return null;
    },
    'config:get': () => deps.config(),
    'deeplink:ready': () => {
      deps.deepLinksReady();
      return null;
    },
  };
}
