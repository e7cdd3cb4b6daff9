/**
 * An appointment as an iCalendar file (RFC 5545) with the `ics` package: times in UTC (`…Z`), which
 * every calendar shows in its reader's own zone, so a Denver visit is right wherever it is opened.
 */
import { createEvent } from 'ics';
import type { AppointmentView } from '../contracts/scheduling.js';

export function appointmentCalendar(view: AppointmentView, options: { organization: string; sequence: number }): string {
  const where = view.mode === 'virtual' ? 'Video visit (join from the patient portal)' : [view.location?.name, view.location?.address].filter(Boolean).join(', ');
  const withWhom = view.practitioner?.name ?? 'your care team';
  const description = [
    `${view.mode === 'virtual' ? 'Video visit' : 'Visit'} with ${withWhom}${view.specialty ? ` (${view.specialty.display})` : ''}.`,
    view.patientInstruction,
    options.organization,
  ]
    .filter(Boolean)
    .join('\n');
  const result = createEvent({
    uid: `${view.id}@carebridge`,
    productId: 'carebridge/scheduling',
    method: 'PUBLISH',
    calName: options.organization,
    title: `${view.mode === 'virtual' ? 'Video visit' : 'Appointment'} with ${withWhom}`,
    description,
    ...(where ? { location: where } : {}),
    start: Date.parse(view.start),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: Date.parse(view.end),
    endInputType: 'utc',
    endOutputType: 'utc',
    status: view.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
    busyStatus: 'BUSY',
    sequence: options.sequence,
  });
  if (result.error || result.value === null) throw result.error ?? new Error('calendar file could not be made');
  return result.value;
}
