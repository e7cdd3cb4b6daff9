/**
 * The conversation settings a clinic configures: disposition codes for wrap-up (and whether one is
 * required), quick replies (`/q`) and the inbox's session limit. From the JSON file named by
 * `CONVERSATIONS_CONFIG`, validated with `conversationSettingsSchema`, else these defaults.
 */
import { conversationSettingsSchema, type ConversationSettings } from '../contracts/conversations.js';
import { loadJsonConfigFile } from '../platform/config.js';

export const DEFAULT_CONVERSATION_SETTINGS: ConversationSettings = conversationSettingsSchema.parse({
  dispositions: [
    { code: 'resolved', label: 'Resolved' },
    { code: 'scheduled', label: 'Appointment scheduled' },
    { code: 'callback', label: 'Callback arranged' },
    { code: 'escalated-clinical', label: 'Escalated to clinical staff' },
    { code: 'billing-followup', label: 'Billing follow-up needed' },
    { code: 'info-provided', label: 'Information provided' },
    { code: 'no-response', label: 'Patient stopped responding' },
  ],
  requireDisposition: true,
  quickReplies: [
    {
      shortcut: 'hours',
      title: 'Opening hours',
      body: 'Our patient service center is open Monday to Friday 8 am to 6 pm and Saturday 9 am to 1 pm (Eastern). The nurse line answers around the clock.',
    },
    {
      shortcut: 'portal-reset',
      title: 'Portal password reset',
      body: 'To reset your portal password, choose "Forgot password" on the sign-in page and follow the link we e-mail you. The link works for 30 minutes.',
    },
    {
      shortcut: 'refill-process',
      title: 'Prescription refills',
      body: 'Refill requests go to your care team, who answer within two business days. Please allow three days before you run out, and tell us the pharmacy you use.',
    },
    { shortcut: 'hold', title: 'Please hold', body: 'Thank you for waiting. I am looking into this for you and will be back in a moment.' },
    {
      shortcut: 'transfer-notice',
      title: 'Transfer notice',
      body: 'I am transferring you to a colleague who can help with this. They will see our conversation so far, so you will not need to repeat yourself.',
    },
    {
      shortcut: 'verify-identity',
      title: 'Verify identity',
      body: 'Before we go on, could you please confirm your full name and date of birth?',
    },
    {
      shortcut: 'emergency',
      title: 'Emergency',
      body: 'If this is a medical emergency, please call 911 or go to the nearest emergency department now.',
    },
    { shortcut: 'closing', title: 'Closing', body: 'Is there anything else I can help you with today? Thank you for contacting us, and take care.' },
  ],
  maxSessions: 10,
});

/** The settings from `CONVERSATIONS_CONFIG` when set (a bad file throws a ConfigError naming it), else the defaults. */
export function loadConversationSettings(file: string | undefined): ConversationSettings {
  return file === undefined ? DEFAULT_CONVERSATION_SETTINGS : loadJsonConfigFile('CONVERSATIONS_CONFIG', file, conversationSettingsSchema);
}
