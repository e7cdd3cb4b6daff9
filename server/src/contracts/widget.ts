/**
 * The chat widget's public endpoints (no sign-in, no PHI in what they answer): its configuration,
 * whether the clinic is open, and the offline form that leaves a message when every queue is closed.
 */
import { z } from 'zod';
import { accentColourProblem } from './colour.js';
import { EMAIL_PATTERN, FORM_LIMITS, isPhoneNumber } from './forms.js';

export const DEFAULT_ACCENT_COLOUR = '#0b5cad';

/** `#rrggbb` that keeps white text on it readable (WCAG AA, 4.5:1). */
export const accentColourSchema = z.string().superRefine((value, ctx) => {
  const problem = accentColourProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const clinicText = (max: number) => z.string().trim().min(1).max(max);

export const prechatConfigSchema = z.strictObject({
  /** Ask the reason (and the date of birth, below) before the chat starts; a visitor's name is always asked. */
  enabled: z.boolean().default(true),
  /** Offer the optional date-of-birth field to visitors (signed-in patients are never asked). */
  askDateOfBirth: z.boolean().default(true),
  /** The reason choices; empty: the visitor writes the reason in their own words. */
  reasons: z
    .array(clinicText(60))
    .max(12)
    .refine((list) => new Set(list).size === list.length, 'reason choices must differ')
    .default(['Appointments', 'Billing', 'Prescriptions', 'Something else']),
});

/**
 * What a clinic configures about the widget (file named by `WIDGET_CONFIG`, else these defaults).
 * Null texts: the widget's own words in the visitor's language.
 */
export const widgetConfigSchema = z.strictObject({
  /** The header, launcher and primary buttons' colour, under white text. */
  accentColor: accentColourSchema.default(DEFAULT_ACCENT_COLOUR),
  /** The panel's heading (its accessible name too); null: "Chat with <clinic>". */
  headerTitle: clinicText(60).nullable().default(null),
  /** The first screen's welcome text; null: the widget's default. */
  greeting: clinicText(300).nullable().default(null),
  prechat: prechatConfigSchema.prefault({}),
});
export type WidgetConfig = z.infer<typeof widgetConfigSchema>;

/** `GET /api/chat/widget-config` (public, cached briefly). */
export const widgetConfigResponseSchema = widgetConfigSchema;

/** `GET /api/chat/availability` (public): is any queue open now, and if not, when one opens (ISO, null: not within two weeks). */
export const availabilitySchema = z.object({ open: z.boolean(), nextOpenAt: z.string().nullable() });
export type Availability = z.infer<typeof availabilitySchema>;

/**
 * `POST /api/chat/offline-messages` (public; a signed-in patient sends their access token): a message
 * left while every queue is closed. Visitors give a name and an e-mail address or a phone number (at
 * least one); a signed-in patient is known, so both are optional for them. Answers 201 `{ id }`: the
 * FHIR Task the team works (`OFFLINE_MESSAGE_TASK_CODE`).
 */
export const offlineMessageSchema = z.strictObject({
  name: z.string().trim().min(1).max(FORM_LIMITS.name).optional(),
  email: z.string().trim().max(FORM_LIMITS.email).regex(EMAIL_PATTERN, 'must be an e-mail address like name@example.org').optional(),
  phone: z
    .string()
    .trim()
    .max(FORM_LIMITS.phone)
    .refine(isPhoneNumber, 'must be a phone number of 7 to 15 digits (spaces, +, -, . and brackets allowed)')
    .optional(),
  message: z.string().trim().min(1).max(FORM_LIMITS.message),
  /** The widget's language, so the reply can be in it. */
  language: z.enum(['en', 'es']).optional(),
});
export type OfflineMessageRequest = z.infer<typeof offlineMessageSchema>;

/** What a visitor (not signed in) must send beyond the message. */
export const visitorOfflineMessageSchema = offlineMessageSchema
  .refine((m) => m.name !== undefined, { message: 'is required for visitors', path: ['name'] })
  .refine((m) => m.email !== undefined || m.phone !== undefined, { message: 'give an e-mail address or a phone number so we can reply', path: ['email'] });

export const offlineMessageResponseSchema = z.object({ id: z.string() });
export type OfflineMessageResponse = z.infer<typeof offlineMessageResponseSchema>;

/** The Task.code of an offline chat message: search with `GET /fhir/R4/Task?status=requested&code=<system>|<code>`. */
export const OFFLINE_MESSAGE_TASK_CODE = {
  system: 'urn:carebridge:task-type',
  code: 'chat-offline-message',
  display: 'Message left in the chat while we were closed',
} as const;
