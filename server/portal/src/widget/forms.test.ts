import { describe, expect, it } from 'vitest';
import { offlineMessageSchema, visitorOfflineMessageSchema } from '../../../src/contracts/widget.js';
import { prechatAnswersSchema } from '../../../src/contracts/conversations.js';
import { checkOfflineMessage, checkPrechat, localToday, openingTime, type PrechatValues } from './forms.js';
import { STRINGS } from './strings.js';

const t = STRINGS.en;
const TODAY = '2026-03-09';
const visitorRules = { visitor: true, askReason: true, askDateOfBirth: true, reasons: ['Appointments', 'Billing'] };
const values = (v: Partial<PrechatValues>): PrechatValues => ({ name: '', reason: '', reasonDetail: '', dateOfBirth: '', ...v });

describe('checkPrechat', () => {
  it.each([
    ['a complete visitor', visitorRules, { name: ' Vera ', reason: 'Billing', reasonDetail: ' March bill ', dateOfBirth: '1990-04-12' }, { displayName: 'Vera', prechat: { reason: 'Billing', reasonDetail: 'March bill', dateOfBirth: '1990-04-12' } }],
    ['no date of birth (optional)', visitorRules, { name: 'Vera', reason: 'Billing' }, { displayName: 'Vera', prechat: { reason: 'Billing' } }],
    ['born today', visitorRules, { name: 'Vera', reason: 'Billing', dateOfBirth: TODAY }, { displayName: 'Vera', prechat: { reason: 'Billing', dateOfBirth: TODAY } }],
    ['free-text reason', { ...visitorRules, reasons: [] }, { name: 'Vera', reason: 'My bill', reasonDetail: 'ignored' }, { displayName: 'Vera', prechat: { reason: 'My bill' } }],
    ['a patient without a reason', { ...visitorRules, visitor: false }, { dateOfBirth: 'ignored' }, { displayName: '', prechat: {} }],
    ['a patient with a reason', { ...visitorRules, visitor: false }, { reason: 'Appointments' }, { displayName: '', prechat: { reason: 'Appointments' } }],
    ['form off: name only', { ...visitorRules, askReason: false }, { name: 'Vera', reason: 'x' }, { displayName: 'Vera', prechat: {} }],
  ])('%s → ok', (_name, rules, v, expected) => {
    const checked = checkPrechat(values(v), rules, t, TODAY);
    expect(checked).toEqual({ ok: true, value: expected });
    if (checked.ok) expect(prechatAnswersSchema.safeParse(checked.value.prechat).success).toBe(true);
  });

  it.each([
    ['nothing', visitorRules, {}, { name: t.nameRequired, reason: t.reasonRequired }],
    ['a blank name', visitorRules, { name: '   ', reason: 'Billing' }, { name: t.nameRequired }],
    ['no free-text reason', { ...visitorRules, reasons: [] }, { name: 'Vera' }, { reason: t.reasonTextRequired }],
    ['a reason not offered', visitorRules, { name: 'Vera', reason: 'Hacking' }, { reason: t.reasonRequired }],
    ['a future date of birth', visitorRules, { name: 'Vera', reason: 'Billing', dateOfBirth: '2026-03-10' }, { dateOfBirth: t.dobFuture }],
    ['no such date', visitorRules, { name: 'Vera', reason: 'Billing', dateOfBirth: '2025-02-29' }, { dateOfBirth: t.dobFormat }],
    ['before 1900', visitorRules, { name: 'Vera', reason: 'Billing', dateOfBirth: '1899-12-31' }, { dateOfBirth: t.dobTooEarly }],
    ['a long name', visitorRules, { name: 'x'.repeat(81), reason: 'Billing' }, { name: t.tooLong(80) }],
    ['a long detail', visitorRules, { name: 'Vera', reason: 'Billing', reasonDetail: 'x'.repeat(501) }, { reasonDetail: t.tooLong(500) }],
    ['a long free-text reason', { ...visitorRules, reasons: [] }, { name: 'Vera', reason: 'x'.repeat(101) }, { reason: t.tooLong(100) }],
  ])('%s → errors', (_name, rules, v, errors) => {
    expect(checkPrechat(values(v), rules, t, TODAY)).toEqual({ ok: false, errors });
  });

  it('today is the visitor’s local date', () => {
    expect(localToday(new Date(2026, 2, 9, 23, 59))).toBe('2026-03-09');
  });
});

describe('checkOfflineMessage', () => {
  const offline = (v: Partial<Record<'name' | 'email' | 'phone' | 'message', string>>) => ({ name: '', email: '', phone: '', message: '', ...v });
  it.each([
    ['email only', true, { name: 'Vera', email: 'vera@example.org', message: 'Hi' }, { name: 'Vera', email: 'vera@example.org', message: 'Hi', language: 'en' }],
    ['phone only', true, { name: 'Vera', phone: '+1 555 010 2030', message: 'Hi' }, { name: 'Vera', phone: '+1 555 010 2030', message: 'Hi', language: 'en' }],
    ['a patient, no contact', false, { message: 'Hi', name: 'ignored' }, { message: 'Hi', language: 'en' }],
  ])('%s → ok, and the server’s schema agrees', (_name, visitor, v, expected) => {
    const checked = checkOfflineMessage(offline(v), visitor, t, 'en');
    expect(checked).toEqual({ ok: true, value: expected });
    expect((visitor ? visitorOfflineMessageSchema : offlineMessageSchema).safeParse(expected).success).toBe(true);
  });

  it.each([
    ['nothing', true, {}, { name: t.nameRequired, email: t.contactRequired, message: t.messageRequired }],
    ['a bad email', true, { name: 'V', email: 'vera@', message: 'Hi' }, { email: t.emailInvalid }],
    ['a short phone', true, { name: 'V', phone: '12345', message: 'Hi' }, { phone: t.phoneInvalid }],
    ['a long message', false, { message: 'x'.repeat(2001) }, { message: t.tooLong(2000) }],
  ])('%s → errors (the server refuses them too)', (_name, visitor, v, errors) => {
    expect(checkOfflineMessage(offline(v), visitor, t, 'en')).toEqual({ ok: false, errors });
    const raw = Object.fromEntries(Object.entries(offline(v)).filter(([, value]) => value));
    expect((visitor ? visitorOfflineMessageSchema : offlineMessageSchema).safeParse(raw).success).toBe(false);
  });
});

describe('openingTime', () => {
  it('says the day and time, with the zone', () => {
    expect(openingTime('2026-03-09T12:00:00.000Z', 'en')).toMatch(/^Monday, March 9(,| at) \d{1,2}:00\s?[AP]M .+$/);
    expect(openingTime(null, 'en')).toBeNull();
    expect(openingTime('not a date', 'en')).toBeNull();
  });
});
