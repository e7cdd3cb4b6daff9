import type { HandoffPacket } from '@carebridge/server/contracts';

const REASONS: Record<string, string> = {
  'patient-asked': 'Patient asked for a person',
  'red-flag': 'Red flag: possible emergency',
  'not-understood': 'The bot did not understand',
};

/** The triage dispositions as an agent reads them (the code stays beside it). */
const DISPOSITIONS: Record<string, string> = {
  emergency_ambulance: 'Emergency: call 911',
  emergency: 'Emergency department now',
  consultation_24: 'See a clinician within 24 hours',
  consultation: 'Appointment in the next few days',
  self_care: 'Self-care at home',
  'emergency-advice-given': 'Emergency advice given',
};

/** The bot's handoff packet: why, what for, what the bot collected, triage, summary. */
export function HandoffPacketView({ packet }: { packet: HandoffPacket }) {
  const answers = Object.entries(packet.collectedAnswers);
  return (
    <dl className="packet" aria-label="Handoff details">
      <div>
        <dt>Reason</dt>
        <dd>{REASONS[packet.reason] ?? packet.reason}</dd>
      </div>
      <div>
        <dt>Intent</dt>
        <dd>
          {packet.intent}
          {packet.language && packet.language !== 'en' ? ` (language: ${packet.language})` : ''}
        </dd>
      </div>
      {packet.triageDisposition ? (
        <div>
          <dt>Triage</dt>
          <dd>{DISPOSITIONS[packet.triageDisposition] ? `${DISPOSITIONS[packet.triageDisposition]} (${packet.triageDisposition})` : packet.triageDisposition}</dd>
        </div>
      ) : null}
      <div className="wide">
        <dt>Summary</dt>
        <dd>{packet.summary}</dd>
      </div>
      {answers.length > 0 ? (
        <div className="wide">
          <dt>Collected answers</dt>
          <dd>
            <ul className="answers">
              {answers.map(([question, answer]) => (
                <li key={question}>
                  <span className="muted">{answerLabel(question)}:</span> {answer}
                </li>
              ))}
            </ul>
          </dd>
        </div>
      ) : null}
    </dl>
  );
}

/** A collected answer's key as people read it: `lastMessage` → "Last message"; a question stays as it is. */
export function answerLabel(key: string): string {
  if (/\s/.test(key)) return key;
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
