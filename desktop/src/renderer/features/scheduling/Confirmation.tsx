/**
 * What was just booked or moved, and "Send confirmation to patient": an appointment card in the chat
 * (when, with whom, where, how, and "Add to calendar" → the appointment's .ics).
 */
import { useRef } from 'react';
import type { AppointmentView } from '@carebridge/server/contracts';
import { requestErrorText } from '../../api/request-error.js';
import { AppointmentFacts } from './AppointmentList.js';
import { confirmationCard } from './format.js';
import { useSendCardMutation } from './scheduling-api.js';

interface Props {
  conversationId: string;
  appointment: AppointmentView;
  change: 'booked' | 'rescheduled';
  timeZone: string;
  onClose(): void;
}

export function Confirmation({ conversationId, appointment, change, timeZone, onClose }: Props) {
  const [send, { isLoading, isSuccess, error }] = useSendCardMutation();
  // One id for this card: a retry after a lost answer sends it once.
  const clientMessageId = useRef(crypto.randomUUID());
  return (
    <section className="confirmation" aria-label={change === 'booked' ? 'Appointment booked' : 'Appointment moved'}>
      <p className="verified small" role="status">
        <span aria-hidden="true">✓</span> {change === 'booked' ? 'Booked.' : 'Moved; the old time is cancelled and free again.'}
      </p>
      <AppointmentFacts appointment={appointment} timeZone={timeZone} />
      {error ? (
        <p role="alert" className="inline-error small">
          {requestErrorText(error)}
        </p>
      ) : null}
      <div className="row">
        {isSuccess ? (
          <p className="small" role="status">
            Confirmation sent to the patient.
          </p>
        ) : (
          <button
            type="button"
            className="button primary"
            disabled={isLoading}
            onClick={() => void send({ conversationId, card: confirmationCard(appointment, change, timeZone), clientMessageId: clientMessageId.current })}
          >
            {isLoading ? 'Sending…' : 'Send confirmation to patient'}
          </button>
        )}
        <button type="button" className="button ghost" onClick={onClose}>
          Done
        </button>
      </div>
    </section>
  );
}
