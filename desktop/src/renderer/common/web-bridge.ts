/**
 * `CarebridgeBridge` for a plain browser (the server's /desk): tokens stay in memory only (a page
 * reload signs out), settings and drafts live in localStorage, notifications use the Notification
 * API, external links open with noopener, and the server is the page's own origin.
 */
import {
  conversationIdSchema,
  defaultSettings,
  notificationSchema,
  settingsPatchSchema,
  settingsSchema,
  storedSessionSchema,
  type CarebridgeBridge,
  type DesktopNotification,
  type IpcError,
  type IpcResult,
  type Settings,
  type SettingsPatch,
  type StoredSession,
} from '../../shared/ipc-contract.js';

const SETTINGS_KEY = 'carebridge.settings';
const draftKey = (userId: string, conversationId: string) => `carebridge.draft.${userId}.${conversationId}`;

const ok = <T>(value: T): Promise<IpcResult<T>> => Promise.resolve({ ok: true, value });
const fail = <T>(code: IpcError['code'], message: string): Promise<IpcResult<T>> => Promise.resolve({ ok: false, error: { code, message } });

function readSettings(storage: Storage): Settings {
  try {
    const raw = storage.getItem(SETTINGS_KEY);
    if (!raw) return defaultSettings;
    const parsed = settingsSchema.safeParse({ ...defaultSettings, ...(JSON.parse(raw) as object) });
    return parsed.success ? parsed.data : defaultSettings;
  } catch {
    return defaultSettings;
  }
}

export function createWebBridge(win: Window = window): CarebridgeBridge {
  const storage = win.localStorage;
  let session: StoredSession | null = null;
  const deepLinkListeners = new Set<(p: { conversationId: string }) => void>();
  const clickListeners = new Set<(p: { conversationId?: string }) => void>();

  const validDraftIds = (userId: string, conversationId: string) =>
    userId.length > 0 && userId.length <= 64 && conversationIdSchema.safeParse(conversationId).success;

  // A #/conversations/<id> address opened in a browser is the web's deep link.
  win.addEventListener('hashchange', () => {
    const match = /^#\/conversations\/([A-Za-z0-9_-]{1,64})$/.exec(win.location.hash);
    if (match) for (const l of deepLinkListeners) l({ conversationId: match[1]! });
  });

  return {
    platform: 'web',
    session: {
      load: () => ok(session),
      save: (next) => {
        const parsed = storedSessionSchema.safeParse(next);
        if (!parsed.success) return fail('bad_payload', 'The session to keep is not valid.');
        session = parsed.data;
        return ok(null);
      },
      clear: () => {
        session = null;
        return ok(null);
      },
    },
    settings: {
      get: () => ok(readSettings(storage)),
      update: (patch: SettingsPatch) => {
        const parsed = settingsPatchSchema.safeParse(patch);
        if (!parsed.success) return fail('bad_payload', 'Those settings are not valid.');
        const current = readSettings(storage);
        const next: Settings = {
          ...current,
          ...(parsed.data.theme ? { theme: parsed.data.theme } : {}),
          ...(parsed.data.inactivityMinutes ? { inactivityMinutes: parsed.data.inactivityMinutes } : {}),
          notifications: { ...current.notifications, ...parsed.data.notifications },
          layout: { ...current.layout, ...parsed.data.layout },
        };
        storage.setItem(SETTINGS_KEY, JSON.stringify(next));
        return ok(next);
      },
    },
    drafts: {
      get: (userId, conversationId) =>
        validDraftIds(userId, conversationId) ? ok(storage.getItem(draftKey(userId, conversationId))) : fail('bad_payload', 'Not a conversation id.'),
      set: (userId, conversationId, text) => {
        if (!validDraftIds(userId, conversationId) || text.length > 20_000) return fail('bad_payload', 'The draft is not valid or too long.');
        storage.setItem(draftKey(userId, conversationId), text);
        return ok(null);
      },
      clear: (userId, conversationId) => {
        if (!validDraftIds(userId, conversationId)) return fail('bad_payload', 'Not a conversation id.');
        storage.removeItem(draftKey(userId, conversationId));
        return ok(null);
      },
    },
    notify: (notification: DesktopNotification) => {
      const parsed = notificationSchema.safeParse(notification);
      if (!parsed.success) return fail('bad_payload', 'The notification is not valid.');
      if (typeof Notification === 'undefined') return fail('unavailable', 'This browser has no notifications.');
      const show = () => {
        const shown = new Notification(parsed.data.title, { body: parsed.data.body, tag: parsed.data.conversationId ?? parsed.data.kind });
        shown.onclick = () => {
          win.focus();
          for (const l of clickListeners) l(parsed.data.conversationId ? { conversationId: parsed.data.conversationId } : {});
        };
      };
      if (Notification.permission === 'granted') show();
      else if (Notification.permission === 'default') void Notification.requestPermission().then((p) => p === 'granted' && show());
      return ok(null);
    },
    setBadge: (count) => {
      if (!Number.isInteger(count) || count < 0 || count > 9999) return fail('bad_payload', 'The badge count is not valid.');
      const nav = win.navigator as Navigator & { setAppBadge?: (n: number) => Promise<void>; clearAppBadge?: () => Promise<void> };
      void (count > 0 ? nav.setAppBadge?.(count) : nav.clearAppBadge?.())?.catch(() => undefined);
      const base = win.document.title.replace(/^\(\d+\) /, '');
      win.document.title = count > 0 ? `(${count}) ${base}` : base;
      return ok(null);
    },
    openExternal: (url) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return fail('bad_payload', 'Not a web address.');
      }
      if (parsed.protocol !== 'https:') return fail('not_allowed', 'Only https links open outside the app.');
      win.open(parsed.href, '_blank', 'noopener,noreferrer');
      return ok(null);
    },
    getConfig: () => ok({ serverUrl: win.location.origin, platform: 'web', version: '0.1.0', updateChannel: null }),
    onDeepLink: (listener) => {
      deepLinkListeners.add(listener);
      return () => deepLinkListeners.delete(listener);
    },
    // There is no global shortcut in a browser; the in-app shortcut (Ctrl+Shift+A) covers it.
    onAcceptNextOffer: () => () => undefined,
    onNotificationClicked: (listener) => {
      clickListeners.add(listener);
      return () => clickListeners.delete(listener);
    },
  };
}
