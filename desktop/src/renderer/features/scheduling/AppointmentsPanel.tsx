/**
 * The conversation view's "Appointments" context panel. Nothing until the patient in the chat is
 * verified (the Patient panel does that; both read the same identity); then their upcoming and
 * recent appointments, booking (search → hold → confirm), cancelling and rescheduling, and the
 * confirmation card sent into the chat.
 */
import { useState } from 'react';
import { useContextRequest } from '../../common/context-requests.js';
import type { AppointmentView } from '@carebridge/server/contracts';
import type { ContextPanelProps } from '../../common/context-panels.js';
import { requestErrorText } from '../../api/request-error.js';
import { IdentityGate } from '../patients/index.js';
import { AppointmentList } from './AppointmentList.js';
import { BookingFlow } from './BookingFlow.js';
import { Confirmation } from './Confirmation.js';
import { useGetSchedulingOptionsQuery } from './scheduling-api.js';
import { specialtyFor } from './format.js';

type Step = { kind: 'list' } | { kind: 'book'; specialty?: string } | { kind: 'reschedule'; appointment: AppointmentView } | { kind: 'done'; appointment: AppointmentView; change: 'booked' | 'rescheduled' };

export default function AppointmentsPanel({ conversationId }: ContextPanelProps) {
  return (
    <IdentityGate conversationId={conversationId}>
      {(identity) =>
        identity.status !== 'verified' || !identity.patientId ? (
          <div className="appointments-locked">
            <p className="small">
              <strong>Verify the patient first.</strong>
            </p>
            <p className="muted small">Appointments show here once the patient is verified in the Patient panel.</p>
          </div>
        ) : (
          <VerifiedAppointments key={identity.patientId} conversationId={conversationId} patientId={identity.patientId} patientName={identity.patientName ?? 'the patient'} />
        )
      }
    </IdentityGate>
  );
}

function VerifiedAppointments({ conversationId, patientId, patientName }: { conversationId: string; patientId: string; patientName: string }) {
  const [step, setStep] = useState<Step>({ kind: 'list' });
  const options = useGetSchedulingOptionsQuery();
  const timeZone = options.data?.timeZone ?? 'America/Denver';
  const context = { conversationId, patientId };
  // A script's "book an appointment" step opens the search, for its specialty when it names one.
  useContextRequest('appointments', (detail) => {
    if (detail.conversationId !== conversationId) return;
    setStep({ kind: 'book', ...(detail.specialty ? { specialty: detail.specialty } : {}) });
  });

  if (step.kind === 'book' || step.kind === 'reschedule') {
    if (options.isLoading) {
      return (
        <p className="muted small" role="status">
          Loading the search form…
        </p>
      );
    }
    if (!options.data) {
      return (
        <div>
          <p role="alert" className="inline-error small">
            {requestErrorText(options.error) ?? 'Could not load the search form.'}
          </p>
          <div className="row">
            <button type="button" className="button" onClick={() => void options.refetch()}>
              Try again
            </button>
            <button type="button" className="button ghost" onClick={() => setStep({ kind: 'list' })}>
              Back to appointments
            </button>
          </div>
        </div>
      );
    }
    return (
      <BookingFlow
        {...context}
        patientName={patientName}
        options={options.data}
        rescheduling={step.kind === 'reschedule' ? step.appointment : null}
        initialSpecialty={step.kind === 'book' ? specialtyFor(step.specialty, options.data.specialties) : ''}
        onDone={(appointment) => setStep({ kind: 'done', appointment, change: step.kind === 'reschedule' ? 'rescheduled' : 'booked' })}
        onCancel={() => setStep({ kind: 'list' })}
      />
    );
  }
  return (
    <div className="appointments-panel">
      {step.kind === 'done' ? <Confirmation conversationId={conversationId} appointment={step.appointment} change={step.change} timeZone={timeZone} onClose={() => setStep({ kind: 'list' })} /> : null}
      <AppointmentList {...context} timeZone={timeZone} onBook={() => setStep({ kind: 'book' })} onReschedule={(appointment) => setStep({ kind: 'reschedule', appointment })} />
    </div>
  );
}
