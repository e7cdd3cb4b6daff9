/**
 * The one IPC contract between the renderer and the Electron main process (desktop/README.md).
 * Pure: imported by main (to parse every payload), preload (to expose named methods) and the
 * renderer (for types, and by its web implementation of the same bridge in a plain browser).
 *
 * Add a channel: 1. add it to `invokeChannels` (payload schema) and `InvokeResults` here,
 * 2. handle it in main (payload parsed with the schema, sender frame checked), 3. expose it in
 * preload, 4. implement it in the renderer's web bridge, 5. test the rejection paths.
 */
import { z } from 'zod';

export const themeSchema = z.enum(['light', 'dark', 'system']);
export type Theme = z.infer<typeof themeSchema>;

export const settingsSchema = z.strictObject({
  theme: themeSchema,
  /** Minutes of inactivity before automatic logoff (a warning comes one minute earlier). */
  inactivityMinutes: z.number().int().min(1).max(240),
  notifications: z.strictObject({ offers: z.boolean(), messages: z.boolean(), sound: z.boolean() }),
  /** Free-form layout state (panel sizes, open tabs) owned by the renderer. */
  layout: z.record(z.string().max(100), z.union([z.string().max(2000), z.number(), z.boolean()])),
});
export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = {
  theme: 'system',
  inactivityMinutes: 15,
  notifications: { offers: true, messages: true, sound: true },
  layout: {},
};

export const settingsPatchSchema = z.strictObject({
  theme: themeSchema.optional(),
  inactivityMinutes: settingsSchema.shape.inactivityMinutes.optional(),
  notifications: settingsSchema.shape.notifications.partial().optional(),
  layout: settingsSchema.shape.layout.optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const conversationIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'conversation ids are 1–64 letters, digits, _ or -');
export const userIdSchema = z.string().min(1).max(64);

/** What is kept of a session between app starts (encrypted by the OS in Electron). */
export const storedSessionSchema = z.strictObject({
  serverUrl: z.url().max(500),
  email: z.email().max(320),
  refreshToken: z.string().min(20).max(500),
});
export type StoredSession = z.infer<typeof storedSessionSchema>;

export const notificationSchema = z.strictObject({
  title: z.string().min(1).max(120),
  body: z.string().max(500),
  /** Focus this conversation when the notification is clicked. */
  conversationId: conversationIdSchema.optional(),
  kind: z.enum(['offer', 'message', 'system']),
});
export type DesktopNotification = z.infer<typeof notificationSchema>;

/** renderer → main, request/response (ipcRenderer.invoke / ipcMain.handle). */
export const invokeChannels = {
  'session:load': z.undefined(),
  'session:save': storedSessionSchema,
  'session:clear': z.undefined(),
  /** No payload: the device's settings (sign-in screen); `{ userId }`: that user's. */
  'settings:get': z.strictObject({ userId: userIdSchema }).optional(),
  /** A bare patch updates the device's settings; `{ userId, patch }` that user's. */
  'settings:update': z.union([settingsPatchSchema, z.strictObject({ userId: userIdSchema, patch: settingsPatchSchema })]),
  'drafts:get': z.strictObject({ userId: userIdSchema, conversationId: conversationIdSchema }),
  'drafts:set': z.strictObject({ userId: userIdSchema, conversationId: conversationIdSchema, text: z.string().max(20_000) }),
  'drafts:clear': z.strictObject({ userId: userIdSchema, conversationId: conversationIdSchema }),
  'notify': notificationSchema,
  'badge:set': z.strictObject({ count: z.number().int().min(0).max(9999) }),
  'external:open': z.strictObject({ url: z.url().max(2000) }),
  'config:get': z.undefined(),
  /** The renderer listens for deep links now (sent by the preload when the first listener subscribes). */
  'deeplink:ready': z.undefined(),
} as const;
export type InvokeChannel = keyof typeof invokeChannels;
export type InvokePayload<C extends InvokeChannel> = z.infer<(typeof invokeChannels)[C]>;

export interface DesktopConfig {
  /** The server this installation points at (flag, env var or config file), if configured. */
  serverUrl: string | null;
  platform: 'electron' | 'web';
  version: string;
  updateChannel: string | null;
}

export interface InvokeResults {
  'session:load': StoredSession | null;
  'session:save': null;
  'session:clear': null;
  'settings:get': Settings;
  'settings:update': Settings;
  'drafts:get': string | null;
  'drafts:set': null;
  'drafts:clear': null;
  'notify': null;
  'badge:set': null;
  'external:open': null;
  'config:get': DesktopConfig;
  'deeplink:ready': null;
}

export interface IpcError {
  code: 'bad_payload' | 'forbidden_sender' | 'not_allowed' | 'unavailable' | 'internal';
  message: string;
}

/** Handlers return data, never throw across IPC. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** main → renderer events (webContents.send / ipcRenderer.on). */
export const eventChannels = {
  'deeplink:conversation': z.strictObject({ conversationId: conversationIdSchema }),
  'shortcut:accept-next-offer': z.undefined(),
  'notification:clicked': z.strictObject({ conversationId: conversationIdSchema.optional() }),
} as const;
export type EventChannel = keyof typeof eventChannels;
export type EventPayload<C extends EventChannel> = z.infer<(typeof eventChannels)[C]>;

type Result<C extends InvokeChannel> = Promise<IpcResult<InvokeResults[C]>>;

/**
 * `window.carebridge`: named, typed methods only. The preload implements it over the channels
 * above in Electron; the renderer's web bridge implements it in a plain browser (localStorage, the
 * Notification API, tokens in memory only).
 */
export interface CarebridgeBridge {
  readonly platform: 'electron' | 'web';
  session: {
    load(): Result<'session:load'>;
    save(session: StoredSession): Result<'session:save'>;
    clear(): Result<'session:clear'>;
  };
  settings: {
    /** Without a user id: the device's settings (before sign-in). Settings are kept per user. */
    get(userId?: string): Result<'settings:get'>;
    update(patch: SettingsPatch, userId?: string): Result<'settings:update'>;
  };
  drafts: {
    get(userId: string, conversationId: string): Result<'drafts:get'>;
    set(userId: string, conversationId: string, text: string): Result<'drafts:set'>;
    clear(userId: string, conversationId: string): Result<'drafts:clear'>;
  };
  notify(notification: DesktopNotification): Result<'notify'>;
  setBadge(count: number): Result<'badge:set'>;
  openExternal(url: string): Result<'external:open'>;
  getConfig(): Result<'config:get'>;
  /** Each returns its unsubscribe function. */
  onDeepLink(listener: (payload: EventPayload<'deeplink:conversation'>) => void): () => void;
  onAcceptNextOffer(listener: () => void): () => void;
  onNotificationClicked(listener: (payload: EventPayload<'notification:clicked'>) => void): () => void;
}
