/**
 * Pure helpers of the Appointments panel: times in the clinic's zone (the patient's, whatever the
 * agent's computer says), slots grouped by day, the hold countdown, and the confirmation card.
 */
import type { AppointmentView, AvailableSlot, ChatCard, SchedulingMode } from '@carebridge/server/contracts';

const formatters = new Map<string, Intl.DateTimeFormat>();
function format(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, ...options });
    formatters.set(key, f);
  }
  return f;
}

/** "Mon, Dec 8, 8:00 AM MST" */
export const formatWhen = (iso: string, timeZone: string) =>
  format(timeZone, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso));

/** "8:00 AM" */
export const formatTime = (iso: string, timeZone: string) => format(timeZone, { hour: 'numeric', minute: '2-digit' }).format(new Date(iso));

/** "Monday, December 8" */
export const formatDay = (iso: string, timeZone: string) => format(timeZone, { weekday: 'long', month: 'long', day: 'numeric' }).format(new Date(iso));

/** The local date (YYYY-MM-DD) of an instant in the zone. */
export function localDate(instant: Date | string, timeZone: string): string {
  const parts = Object.fromEntries(format(timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export interface SlotDay {
  date: string;
  heading: string;
  slots: AvailableSlot[];
}

/** Slots (already sorted by start) in one group per local day, in order. */
export function groupByDay(slots: readonly AvailableSlot[], timeZone: string): SlotDay[] {
  const days: SlotDay[] = [];
  for (const slot of slots) {
    const date = localDate(slot.start, timeZone);
    const last = days.at(-1);
    if (last?.date === date) last.slots.push(slot);
    else days.push({ date, heading: formatDay(slot.start, timeZone), slots: [slot] });
  }
  return days;
}

export const MODE_LABELS: Record<SchedulingMode, string> = { 'in-person': 'In person', virtual: 'Video visit' };

/** Where, in words: the clinic and its address, or "Video visit (from home)". */
export function whereText(item: Pick<AvailableSlot, 'mode' | 'location'>): string {
  if (item.mode === 'virtual') return 'Video visit (from home)';
  if (!item.location) return 'The clinic';
  return item.location.address ? `${item.location.name}, ${item.location.address}` : item.location.name;
}

/** "4:05" for a hold that ends in 4 min 5 s; "0:00" once it ran out. */
export function countdown(msLeft: number): string {
  const seconds = Math.max(0, Math.ceil(msLeft / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The appointment card sent to the patient after a booking or a reschedule. */
export function confirmationCard(appointment: AppointmentView, kind: 'booked' | 'rescheduled', timeZone: string): ChatCard {
  const facts = [
    { label: 'When', value: formatWhen(appointment.start, timeZone) },
    { label: 'With', value: appointment.practitioner?.name ?? 'Your care team' },
    { label: 'Where', value: whereText(appointment) },
    { label: 'Mode', value: MODE_LABELS[appointment.mode] },
  ];
  return {
    type: 'appointment',
    title: kind === 'booked' ? 'Your appointment is booked' : 'Your appointment has moved',
    ...(appointment.specialty ? { subtitle: appointment.specialty.display } : {}),
    ...(appointment.patientInstruction ? { text: appointment.patientInstruction } : {}),
    facts,
    actions: [{ label: 'Add to calendar', url: appointment.icsPath }],
  };
}

/** Words a script may use for a specialty that no display names (`primary-care` → family medicine). */
const SPECIALTY_ALIASES: Record<string, string[]> = { 'primary-care': ['family medicine', 'family practice', 'internal medicine'], 'ob-gyn': ['gynecology', 'obstetrics'], cardiology: ['cardiovascular'], pulmonology: ['pulmonary'], orthopedics: ['orthopaedic'] };

/**
 * The specialty code a script's `book-appointment` macro means: its code as it is, or a word that
 * appears in a specialty's display ("cardiology" → "Cardiology"), or an alias; '' when none fits.
 */
export function specialtyFor(asked: string | undefined, specialties: readonly { code: string; display: string }[]): string {
  if (!asked) return '';
  const exact = specialties.find((s) => s.code === asked);
  if (exact) return exact.code;
  const words = [asked.replace(/[-_]+/g, ' ').toLowerCase(), ...(SPECIALTY_ALIASES[asked.toLowerCase()] ?? [])];
  for (const word of words) {
    const found = specialties.find((s) => s.display.toLowerCase().includes(word));
    if (found) return found.code;
  }
  return '';
}
