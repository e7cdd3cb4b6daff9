/**
 * The rules of the chat widget's forms (pre-chat and offline), as plain functions and limits: the
 * server's zod schemas (contracts/conversations.ts, contracts/widget.ts) and the widget's own checks
 * use the same ones. Pure and free of zod, so the widget may import it without bundling zod.
 */

export const FORM_LIMITS = {
  /** A visitor's name (also the visitor token's display name). */
  name: 80,
  /** The reason for contacting us: a configured choice or the visitor's own short words. */
  reason: 100,
  /** More about the reason, in the visitor's words. */
  reasonDetail: 500,
  email: 254,
  phone: 25,
  /** The offline message. */
  message: 2000,
} as const;

/** The earliest date of birth taken. */
export const EARLIEST_DATE_OF_BIRTH = '1900-01-01';

/** Whether `value` is a real calendar date written `YYYY-MM-DD` (2024-02-30 is not). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * The latest calendar date anywhere on Earth at `now` (UTC+14): a date of birth after it is in the
 * future for everyone. The server uses it (it does not know the visitor's zone); the widget checks
 * against the visitor's own today.
 */
export function latestDateOnEarth(now: Date): string {
  return new Date(now.getTime() + 14 * 3600_000).toISOString().slice(0, 10);
}

export type DateOfBirthProblem = 'format' | 'future' | 'too-early';

/** Why a date of birth is refused, or null: not a `YYYY-MM-DD` calendar date, after `today`, before 1900. */
export function dateOfBirthProblem(value: string, today: string): DateOfBirthProblem | null {
  if (!isCalendarDate(value)) return 'format';
  if (value > today) return 'future';
  if (value < EARLIEST_DATE_OF_BIRTH) return 'too-early';
  return null;
}

export const DATE_OF_BIRTH_MESSAGES: Record<DateOfBirthProblem, string> = {
  format: 'must be a date written YYYY-MM-DD',
  future: 'cannot be in the future',
  'too-early': `cannot be before ${EARLIEST_DATE_OF_BIRTH}`,
};

/** An e-mail address as people write one: something@domain.tld, no spaces or brackets. */
export const EMAIL_PATTERN = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:".]+(\.[^\s@<>()[\]\\,;:".]+)+$/;

/** Digits, spaces and + - . ( ), with 7 to 15 digits (E.164 has at most 15). */
export function isPhoneNumber(value: string): boolean {
  if (!/^\+?[0-9 ().-]+$/.test(value)) return false;
  const digits = value.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15;
}
