/**
 * Clinic settings edited in the desk's admin workspace, by section, each validated with the schema
 * its file uses: `routing` (queues, skills, business hours, holidays, overflow, timeouts),
 * `conversations` (dispositions, quick replies, session limit) and `survey` (the follow-up survey).
 *
 * - `GET /api/admin/settings` → `ClinicSettingsResponse` (admins; supervisors see `conversations`)
 * - `PUT /api/admin/settings/:section` body `{ version, value }` → the new `ClinicSettingView`
 *   (400 invalid, 403, 409 changed meanwhile or cannot apply, e.g. removing a queue in use)
 */
import { z } from 'zod';
import { conversationSettingsSchema, HANDOFF_QUEUES } from './conversations.js';
import { routingConfigSchema } from './routing.js';
import { surveyDefinitionSchema } from './surveys.js';

export const CLINIC_SETTING_SECTIONS = ['routing', 'conversations', 'survey'] as const;
export type ClinicSettingSection = (typeof CLINIC_SETTING_SECTIONS)[number];

/** Codes and shortcuts are what agents type and reports group by: each once. */
const editableConversationSettingsSchema = conversationSettingsSchema.superRefine((settings, ctx) => {
  const once = (items: readonly { [k: string]: string }[], key: string, list: string, what: string) => {
    const seen = new Set<string>();
    for (const [i, item] of items.entries()) {
      if (seen.has(item[key]!)) ctx.addIssue({ code: 'custom', path: [list, i, key], message: `${what} "${item[key]}" is used twice` });
      seen.add(item[key]!);
    }
  };
  once(settings.dispositions, 'code', 'dispositions', 'disposition code');
  once(settings.quickReplies, 'shortcut', 'quickReplies', 'shortcut');
});

/** The health bot hands chats to these queues by id: they may be renamed, re-timed or re-skilled, not removed. */
const editableRoutingConfigSchema = routingConfigSchema.superRefine((config, ctx) => {
  const ids = new Set(config.queues.map((q) => q.id));
  const missing = HANDOFF_QUEUES.filter((id) => !ids.has(id));
  if (missing.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['queues'], message: `the health bot hands chats to ${missing.join(', ')}: keep ${missing.length === 1 ? 'that queue' : 'those queues'} (change ${missing.length === 1 ? 'its' : 'their'} hours or skills instead)` });
  }
});

export const clinicSettingSchemas = {
  routing: editableRoutingConfigSchema,
  conversations: editableConversationSettingsSchema,
  survey: surveyDefinitionSchema,
} as const;

export type ClinicSettingValue<S extends ClinicSettingSection> = z.infer<(typeof clinicSettingSchemas)[S]>;

export const clinicSettingUpdateSchema = z.strictObject({
  /** The version read; a newer one in store means someone else saved first (409). */
  version: z.number().int().min(0),
  value: z.unknown(),
});

export interface ClinicSettingView<S extends ClinicSettingSection = ClinicSettingSection> {
  section: S;
  value: ClinicSettingValue<S>;
  version: number;
  updatedAt: string;
  /** Display name of who saved it; null for the first-start default. */
  updatedBy: string | null;
}

/** `settings:changed` on `/staff`: a section was saved; desks read what they show from it again. */
export interface ClinicSettingsChangedEvent {
  section: ClinicSettingSection;
  version: number;
}

export type ClinicSettingsResponse = { [S in ClinicSettingSection]?: ClinicSettingView<S> };
