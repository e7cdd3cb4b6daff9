/**
 * The pre-chat and offline forms' checks, pure (the panel shows what they return): the same limits
 * and rules as the server's schemas (contracts/forms.ts), worded for the visitor. Values are what the
 * inputs hold; answers are what is sent (trimmed, empty fields left out).
 */
import type { PrechatAnswers } from '../../../src/contracts/conversations.js';
import type { OfflineMessageRequest } from '../../../src/contracts/widget.js';
import { EMAIL_PATTERN, FORM_LIMITS, dateOfBirthProblem, isPhoneNumber } from '../../../src/contracts/forms.js';
import type { Language, Strings } from './strings.js';

export type FieldErrors<F extends string> = Partial<Record<F, string>>;
export type Checked<F extends string, T> = { ok: true; value: T } | { ok: false; errors: FieldErrors<F> };

export interface PrechatRules {
  /** Visitors give a name (and may give a date of birth); signed-in patients are known. */
  visitor: boolean;
  /** The pre-chat form is on: a visitor must give a reason; a patient may. */
  askReason: boolean;
  askDateOfBirth: boolean;
  /** Configured choices; empty: the reason is free text. */
  reasons: readonly string[];
}

export type PrechatField = 'name' | 'reason' | 'reasonDetail' | 'dateOfBirth';
export type PrechatValues = Record<PrechatField, string>;

/** The visitor's own today (YYYY-MM-DD, local time): a date of birth after it is in the future. */
export function localToday(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function checkPrechat(values: PrechatValues, rules: PrechatRules, t: Strings, today: string): Checked<PrechatField, { displayName: string; prechat: PrechatAnswers }> {
  const errors: FieldErrors<PrechatField> = {};
  const name = values.name.trim();
  const reason = values.reason.trim();
  const reasonDetail = values.reasonDetail.trim();
  const dateOfBirth = values.dateOfBirth.trim();
  if (rules.visitor) {
    if (!name) errors.name = t.nameRequired;
    else if (name.length > FORM_LIMITS.name) errors.name = t.tooLong(FORM_LIMITS.name);
  }
  if (rules.askReason) {
    const choice = rules.reasons.length > 0;
    if (!reason && rules.visitor) errors.reason = choice ? t.reasonRequired : t.reasonTextRequired;
    else if (choice && reason && !rules.reasons.includes(reason)) errors.reason = t.reasonRequired;
    else if (reason.length > FORM_LIMITS.reason) errors.reason = t.tooLong(FORM_LIMITS.reason);
    if (choice && reasonDetail.length > FORM_LIMITS.reasonDetail) errors.reasonDetail = t.tooLong(FORM_LIMITS.reasonDetail);
  }
  if (rules.visitor && rules.askReason && rules.askDateOfBirth && dateOfBirth) {
    const problem = dateOfBirthProblem(dateOfBirth, today);
    if (problem) errors.dateOfBirth = { format: t.dobFormat, future: t.dobFuture, 'too-early': t.dobTooEarly }[problem];
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const prechat: PrechatAnswers = {};
  if (rules.askReason) {
    if (reason) prechat.reason = reason;
    if (rules.reasons.length > 0 && reasonDetail) prechat.reasonDetail = reasonDetail;
    if (rules.visitor && rules.askDateOfBirth && dateOfBirth) prechat.dateOfBirth = dateOfBirth;
  }
  return { ok: true, value: { displayName: name, prechat } };
}

export type OfflineField = 'name' | 'email' | 'phone' | 'message';
export type OfflineValues = Record<OfflineField, string>;

export function checkOfflineMessage(values: OfflineValues, visitor: boolean, t: Strings, language: Language): Checked<OfflineField, OfflineMessageRequest> {
  const errors: FieldErrors<OfflineField> = {};
  const name = values.name.trim();
  const email = values.email.trim();
  const phone = values.phone.trim();
  const message = values.message.trim();
  if (visitor) {
    if (!name) errors.name = t.nameRequired;
    else if (name.length > FORM_LIMITS.name) errors.name = t.tooLong(FORM_LIMITS.name);
  }
  if (email && (email.length > FORM_LIMITS.email || !EMAIL_PATTERN.test(email))) errors.email = t.emailInvalid;
  if (phone && (phone.length > FORM_LIMITS.phone || !isPhoneNumber(phone))) errors.phone = t.phoneInvalid;
  if (visitor && !email && !phone) errors.email = t.contactRequired;
  if (!message) errors.message = t.messageRequired;
  else if (message.length > FORM_LIMITS.message) errors.message = t.tooLong(FORM_LIMITS.message);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: { ...(visitor ? { name } : {}), ...(email ? { email } : {}), ...(phone ? { phone } : {}), message, language },
  };
}

/** An opening time in the visitor's words and zone, e.g. "Monday, March 9, 8:00 AM EDT". */
export function openingTime(iso: string | null, language: Language): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return new Intl.DateTimeFormat(language === 'es' ? 'es' : 'en-US', {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(date);
}
