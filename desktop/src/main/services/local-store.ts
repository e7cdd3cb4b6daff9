/**
 * Per-user settings and crash-safe drafts in one lowdb JSON file in the user-data folder. Runtime:
 * main (node).
 *
 * lowdb writes through steno (temp file + rename), so a crash mid-write leaves the previous file.
 * The file is validated on open: a corrupt or foreign file is moved aside (`*.corrupt-<time>`) and
 * the app starts from defaults instead of failing. Keys are prefixed (`u:`/`c:`) so no id can
 * reach an object's prototype (`__proto__` is a valid conversation id).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { z } from 'zod';
import { defaultSettings, settingsSchema, type Settings, type SettingsPatch } from '../../shared/ipc-contract.js';
import type { Logger } from '../logger.js';

const localDataSchema = z.strictObject({
  version: z.literal(1),
  /** Before anyone signs in (e.g. the theme of the sign-in screen). */
  deviceSettings: settingsSchema,
  settings: z.record(z.string(), settingsSchema),
  drafts: z.record(z.string(), z.record(z.string(), z.strictObject({ text: z.string(), updatedAt: z.string() }))),
});
type LocalData = z.infer<typeof localDataSchema>;

const emptyData = (): LocalData => ({ version: 1, deviceSettings: structuredClone(defaultSettings), settings: {}, drafts: {} });

const userKey = (userId: string) => `u:${userId}`;
const conversationKey = (conversationId: string) => `c:${conversationId}`;

export interface LocalStore {
  getSettings(userId?: string): Settings;
  updateSettings(patch: SettingsPatch, userId?: string): Promise<Settings>;
  getDraft(userId: string, conversationId: string): string | null;
  setDraft(userId: string, conversationId: string, text: string): Promise<void>;
  clearDraft(userId: string, conversationId: string): Promise<void>;
}

export function applySettingsPatch(current: Settings, patch: SettingsPatch): Settings {
  return settingsSchema.parse({
    theme: patch.theme ?? current.theme,
    inactivityMinutes: patch.inactivityMinutes ?? current.inactivityMinutes,
    notifications: { ...current.notifications, ...patch.notifications },
    layout: patch.layout ?? current.layout,
  });
}

export async function openLocalStore(file: string, logger: Logger, now: () => Date = () => new Date()): Promise<LocalStore> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let data = emptyData();
  if (fs.existsSync(file)) {
    let parsed: ReturnType<typeof localDataSchema.safeParse> | null;
    try {
      parsed = localDataSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch {
      parsed = null;
    }
    if (parsed?.success) {
      data = parsed.data;
    } else {
      const aside = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(file, aside);
      logger.warn('local settings file was corrupt; moved it aside and started from defaults', { movedTo: path.basename(aside) });
    }
  }
  const db = new Low<LocalData>(new JSONFile<LocalData>(file), data);

  const store: LocalStore = {
    getSettings(userId) {
      if (userId === undefined) return db.data.deviceSettings;
      return db.data.settings[userKey(userId)] ?? db.data.deviceSettings;
    },
    async updateSettings(patch, userId) {
      const next = applySettingsPatch(store.getSettings(userId), patch);
      if (userId === undefined) db.data.deviceSettings = next;
      else db.data.settings[userKey(userId)] = next;
      await db.write();
      return next;
    },
    getDraft(userId, conversationId) {
      return db.data.drafts[userKey(userId)]?.[conversationKey(conversationId)]?.text ?? null;
    },
    async setDraft(userId, conversationId, text) {
      if (text === '') return store.clearDraft(userId, conversationId);
      const drafts = (db.data.drafts[userKey(userId)] ??= {});
      drafts[conversationKey(conversationId)] = { text, updatedAt: now().toISOString() };
      await db.write();
    },
    async clearDraft(userId, conversationId) {
      const drafts = db.data.drafts[userKey(userId)];
      if (!drafts || !(conversationKey(conversationId) in drafts)) return;
      delete drafts[conversationKey(conversationId)];
      await db.write();
    },
  };
  return store;
}
