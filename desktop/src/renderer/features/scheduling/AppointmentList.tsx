/**
 * A verified patient's appointments: upcoming (each with Reschedule and Cancel, cancelling after a
 * confirmation) and recent ones, with loading, empty and error states.
 */
import { useId, useState, type FormEvent } from 'react';
import type { AppointmentView } from '@carebridge/server/contracts';
import { Modal } from '../../common/Modal.js';
import { requestErrorText } from '../../api/request-error.js';
import { formatWhen, MODE_LABELS, whereText } from './format.js';
import { useCancelAppointmentMutation, useGetAppointmentsQuery } from './scheduling-api.js';

interface Props {
  conversationId: string;
  patientId: string;
  timeZone: string;
  onBook(): void;
  onReschedule(appointment: AppointmentView): void;
}

const STATUS_LABELS: Record<string, string> = { booked: 'Booked', cancelled: 'Cancelled', fulfilled: 'Attended', noshow: 'Missed', arrived: 'Arrived', pending: 'Pending', proposed: 'Proposed', 'checked-in': 'Checked in' };

export function AppointmentList({ conversationId, patientId, timeZone, onBook, onReschedule }: Props) {
  const { data, isLoading, isFetching, error, refetch } = useGetAppointmentsQuery({ conversationId, patientId });
  const [cancelling, setCancelling] = useState<AppointmentView | null>(null);

  const title = (a: AppointmentView) => `${formatWhen(a.start, timeZone)} with ${a.practitioner?.name ?? 'the care team'}`;
  let body;
  if (isLoading) {
    body = (
      <p className="muted small" role="status">
        Loading appointments…
      </p>
    );
  } else if (error || !data) {
    body = (
      <div>
        <p role="alert" className="inline-error small">
          {requestErrorText(error) ?? 'Could not load the appointments.'}
        </p>
        <button type="button" className="button" onClick={() => void refetch()}>
          Try again
        </button>
      </div>
    );
  } else {
    body = (
      <>
        <h4 id={`${conversationId}-upcoming`}>Upcoming</h4>
        {data.upcoming.length === 0 ? (
          <p className="muted small">No upcoming appointments.</p>
        ) : (
          <ul className="appointment-list" aria-labelledby={`${conversationId}-upcoming`} aria-busy={isFetching}>
            {data.upcoming.map((a) => (
              <li key={a.id}>
                <article className="appointment" aria-label={`Appointment ${title(a)}`}>
                  <AppointmentFacts appointment={a} timeZone={timeZone} />
                  <div className="row">
                    <button type="button" className="button" onClick={() => onReschedule(a)} aria-label={`Reschedule the appointment ${title(a)}`}>
                      Reschedule
                    </button>
                    <button type="button" className="button ghost" onClick={() => setCancelling(a)} aria-label={`Cancel the appointment ${title(a)}`}>
                      Cancel
                    </button>
                  </div>
                </article>
              </li>
            ))}
          </ul>
        )}
        <h4 id={`${conversationId}-recent`}>Recent</h4>
        {data.recent.length === 0 ? (
          <p className="muted small">No recent or cancelled appointments.</p>
        ) : (
          <ul className="appointment-list recent" aria-labelledby={`${conversationId}-recent`}>
            {data.recent.slice(0, 8).map((a) => (
              <li key={a.id}>
                <article className="appointment" aria-label={`${STATUS_LABELS[a.status] ?? a.status} appointment ${title(a)}`}>
                  <AppointmentFacts appointment={a} timeZone={timeZone} showStatus />
                </article>
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }
  return (
    <div className="appointments">
      <div className="row">
        <button type="button" className="button primary" onClick={onBook}>
          Book an appointment
        </button>
      </div>
      {body}
      {cancelling ? <CancelDialog conversationId={conversationId} patientId={patientId} appointment={cancelling} title={title(cancelling)} onClose={() => setCancelling(null)} /> : null}
    </div>
  );
}

export function AppointmentFacts({ appointment: a, timeZone, showStatus = false }: { appointment: AppointmentView; timeZone: string; showStatus?: boolean }) {
  return (
    <dl className="appointment-facts small">
      <div>
        <dt>When</dt>
        <dd>
          {formatWhen(a.start, timeZone)} <span className="muted">({a.minutes} min)</span>
        </dd>
      </div>
      <div>
        <dt>With</dt>
        <dd>
          {a.practitioner?.name ?? 'Care team'}
          {a.specialty ? <span className="muted"> · {a.specialty.display}</span> : null}
        </dd>
      </div>
      <div>
        <dt>Where</dt>
        <dd>{whereText(a)}</dd>
      </div>
      <div>
        <dt>Mode</dt>
        <dd>{MODE_LABELS[a.mode]}</dd>
      </div>
      {showStatus ? (
        <div>
          <dt>Status</dt>
          <dd>
            {STATUS_LABELS[a.status] ?? a.status}
            {a.cancellationReason ? <span className="muted"> · {a.cancellationReason}</span> : null}
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

function CancelDialog({ conversationId, patientId, appointment, title, onClose }: { conversationId: string; patientId: string; appointment: AppointmentView; title: string; onClose(): void }) {
  const id = useId();
  const [reason, setReason] = useState('');
  const [cancel, { isLoading, error }] = useCancelAppointmentMutation();
  async function submit(e: FormEvent) {
    e.preventDefault();
    const result = await cancel({ conversationId, patientId, appointmentId: appointment.id, ...(reason.trim() ? { reason: reason.trim() } : {}) });
    if (!('error' in result)) onClose();
  }
  return (
    <Modal title="Cancel this appointment?" role="alertdialog" onClose={onClose}>
      <form onSubmit={submit} aria-label="Cancel the appointment">
        <p>
          {title}. The time becomes free for others. This cannot be undone here; book again if the patient changes their mind.
        </p>
        <label htmlFor={`${id}-reason`}>Reason (optional)</label>
        <input id={`${id}-reason`} className="input" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={300} />
        {error ? (
          <p role="alert" className="inline-error small">
            {requestErrorText(error)}
          </p>
        ) : null}
        <div className="row end">
          <button type="button" className="button" onClick={onClose} data-autofocus>
            Keep it
          </button>
          <button type="submit" className="button danger" disabled={isLoading}>
            {isLoading ? 'Cancelling…' : 'Cancel appointment'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
