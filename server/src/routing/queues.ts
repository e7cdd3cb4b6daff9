/**
 * The default routing configuration: the six queues of a clinic's patient service center. Clinics
 * override it with their own (validated by `routingConfigSchema`); see README.md, "Add a queue".
 */
import { routingConfigSchema, type BusinessHoursInput, type RoutingConfig, type RoutingConfigInput } from '../contracts/routing.js';

const weekdays = (open: string, close: string) => ({
  mon: [{ open, close }],
  tue: [{ open, close }],
  wed: [{ open, close }],
  thu: [{ open, close }],
  fri: [{ open, close }],
});

/** Mon–Fri 08:00–18:00 and Sat 09:00–13:00, US Eastern, closed on the main US holidays. */
export const CLINIC_HOURS: BusinessHoursInput = {
  timeZone: 'America/New_York',
  weekly: { ...weekdays('08:00', '18:00'), sat: [{ open: '09:00', close: '13:00' }] },
  holidays: ['2026-01-01', '2026-05-25', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25', '2027-01-01'],
};

const CLOSED = 'Our patient service center is closed right now. For a medical emergency call 911. You can leave a message and we will reply when we open.';

export const DEFAULT_ROUTING_CONFIG_INPUT: RoutingConfigInput = {
  offerTimeoutMs: 30_000,
  defaultCapacity: 4,
  queues: [
    // Clinical questions are answered around the clock and never overflow to non-clinical staff.
    { id: 'nurse-line', name: 'Nurse line', skills: ['nurse-line'], businessHours: null },
    { id: 'scheduling', name: 'Scheduling', skills: ['scheduling'], overflowTo: 'general', overflowAfterMs: 120_000, businessHours: CLINIC_HOURS, outOfHoursMessage: CLOSED },
    { id: 'billing', name: 'Billing', skills: ['billing'], overflowTo: 'general', overflowAfterMs: 180_000, businessHours: CLINIC_HOURS, outOfHoursMessage: CLOSED },
    { id: 'pharmacy', name: 'Pharmacy', skills: ['pharmacy'], overflowTo: 'nurse-line', overflowAfterMs: 300_000, businessHours: CLINIC_HOURS, outOfHoursMessage: CLOSED },
    { id: 'general', name: 'General questions', skills: ['general'], businessHours: CLINIC_HOURS, outOfHoursMessage: CLOSED },
    {
      id: 'spanish',
      name: 'Español',
      skills: ['spanish'],
      businessHours: CLINIC_HOURS,
      outOfHoursMessage: 'Nuestro centro de atención está cerrado. En caso de emergencia llame al 911. Puede dejar un mensaje y le responderemos cuando abramos.',
    },
  ],
};

export const DEFAULT_ROUTING_CONFIG: RoutingConfig = routingConfigSchema.parse(DEFAULT_ROUTING_CONFIG_INPUT);
