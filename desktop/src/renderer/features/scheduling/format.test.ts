/** The Appointments panel's pure helpers: clinic-zone times and days, grouping, countdown, the card. */
import { describe, expect, it } from 'vitest';
import type { AppointmentView, AvailableSlot } from '@carebridge/server/contracts';
import { chatCardSchema } from '@carebridge/server/contracts';
import { confirmationCard, countdown, formatTime, formatWhen, groupByDay, localDate, specialtyFor, whereText } from './format.js';

const DENVER = 'America/Denver';
const slot = (start: string, over: Partial<AvailableSlot> = {}): AvailableSlot => ({
  slotId: start,
  start,
  end: start,
  minutes: 20,
  mode: 'in-person',
  practitioner: { id: 'p1', name: 'Dr. Ann Lee, MD' },
  specialty: { code: '207Q00000X', display: 'Family Medicine' },
  location: { id: 'l1', name: 'Carebridge Capitol Hill Clinic', address: '1450 E Colfax Ave, Denver, CO 80218', virtual: false },
  languages: [{ code: 'en', display: 'English' }],
  appointmentType: 'Routine',
  service: 'Primary care',
  ...over,
});

describe('scheduling format', () => {
  it('words times in the clinic’s zone, not the computer’s', () => {
    expect(formatWhen('2031-01-07T15:00:00Z', DENVER)).toBe('Tue, Jan 7, 8:00 AM MST');
    expect(formatWhen('2031-07-08T15:00:00Z', DENVER)).toBe('Tue, Jul 8, 9:00 AM MDT');
    expect(formatTime('2031-01-07T15:00:00-07:00', DENVER)).toBe('3:00 PM');
    // 8 pm in Denver is the next day in UTC, and still today in Denver.
    expect(localDate('2031-01-08T03:00:00Z', DENVER)).toBe('2031-01-07');
  });

  it('groups slots by local day, in order', () => {
    const days = groupByDay([slot('2031-01-07T15:00:00Z'), slot('2031-01-08T02:30:00Z'), slot('2031-01-08T16:00:00Z')], DENVER);
    expect(days.map((d) => [d.date, d.heading, d.slots.length])).toEqual([
      ['2031-01-07', 'Tuesday, January 7', 2],
      ['2031-01-08', 'Wednesday, January 8', 1],
    ]);
  });

  it('counts down a hold', () => {
    expect([countdown(300_000), countdown(245_001), countdown(999), countdown(-5)]).toEqual(['5:00', '4:06', '0:01', '0:00']);
  });

  it('makes a confirmation card the chat accepts', () => {
    const appointment: AppointmentView = {
      ...slot('2031-01-07T15:00:00Z', { mode: 'virtual', location: { id: 'v', name: 'Carebridge Virtual Care', address: null, virtual: true } }),
      id: 'a1',
      status: 'booked',
      patientId: 'pt',
      description: null,
      patientInstruction: 'Join from the link in the patient portal 10 minutes early.',
      note: null,
      cancellationReason: null,
      rescheduledFrom: null,
      rescheduledTo: null,
      slotId: 's1',
      icsPath: '/api/scheduling/appointments/a1/ics',
      past: false,
    };
    const card = confirmationCard(appointment, 'booked', DENVER);
    expect(chatCardSchema.parse(card)).toEqual(card);
    expect(card).toMatchObject({
      type: 'appointment',
      title: 'Your appointment is booked',
      subtitle: 'Family Medicine',
      facts: [
        { label: 'When', value: 'Tue, Jan 7, 8:00 AM MST' },
        { label: 'With', value: 'Dr. Ann Lee, MD' },
        { label: 'Where', value: 'Video visit (from home)' },
        { label: 'Mode', value: 'Video visit' },
      ],
      actions: [{ label: 'Add to calendar', url: '/api/scheduling/appointments/a1/ics' }],
    });
    expect(whereText(slot('2031-01-07T15:00:00Z'))).toBe('Carebridge Capitol Hill Clinic, 1450 E Colfax Ave, Denver, CO 80218');
  });
});

describe('specialtyFor (a script step names a specialty)', () => {
  const specialties = [
    { code: '207Q00000X', display: 'Family Medicine' },
    { code: '207RC0000X', display: 'Internal Medicine, Cardiovascular Disease' },
    { code: '208000000X', display: 'Pediatrics' },
  ];
  it('takes a code as it is, a word of a display, or an alias; nothing else', () => {
    expect(specialtyFor('208000000X', specialties)).toBe('208000000X');
    expect(specialtyFor('pediatrics', specialties)).toBe('208000000X');
    expect(specialtyFor('cardiovascular-disease', specialties)).toBe('207RC0000X');
    expect(specialtyFor('primary-care', specialties)).toBe('207Q00000X');
    expect(specialtyFor('cardiology', specialties)).toBe('207RC0000X');
    expect(specialtyFor('astrology', specialties)).toBe('');
    expect(specialtyFor(undefined, specialties)).toBe('');
  });
});
