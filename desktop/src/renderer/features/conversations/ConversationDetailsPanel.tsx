/**
 * The context pane's first panel: what the desk already knows about the conversation on screen —
 * patient, channel, state, queue, priority, the wait or handle time, who takes part, and the bot's
 * hand-off packet.
 */
import type { ContextPanelProps } from '../../common/context-panels.js';
import { HandoffPacketView } from '../../common/transcript/HandoffPacketView.js';
import { useAppSelector } from '../../app/hooks.js';
import { patientLabel } from './inbox-live.js';
import { selectInboxConversation } from './inbox-slice.js';
import { CHANNEL_LABELS, PARTICIPANT_LABELS, priorityLabel, STATE_LABELS } from './labels.js';
import { formatDuration, tabTimer, useNow } from './timers.js';

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });

export default function ConversationDetailsPanel({ conversationId, conversation, packet }: ContextPanelProps) {
  const entry = useAppSelector((state) => selectInboxConversation(state, conversationId));
  const now = useNow(1000);
  const timer = entry ? tabTimer(entry.messages, entry.openedAt, now) : null;
  const participants = conversation.participants ?? [];
  return (
    <div className="details-panel">
      <dl className="details">
        <div>
          <dt>Patient</dt>
          <dd>{patientLabel(conversation)}</dd>
        </div>
        <div>
          <dt>Channel</dt>
          <dd>{CHANNEL_LABELS[conversation.channel] ?? conversation.channel}</dd>
        </div>
        <div>
          <dt>State</dt>
          <dd>{STATE_LABELS[conversation.state] ?? conversation.state}</dd>
        </div>
        <div>
          <dt>Queue</dt>
          <dd>{conversation.queue ?? 'None'}</dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>{priorityLabel(conversation.priority)}</dd>
        </div>
        {timer ? (
          <div>
            <dt>{timer.kind === 'waiting' ? 'Waiting for an answer' : 'Handling for'}</dt>
            <dd className="tabular">{formatDuration(timer.ms)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Started</dt>
          <dd>{time(conversation.createdAt)}</dd>
        </div>
        {conversation.skills.length > 0 ? (
          <div>
            <dt>Skills</dt>
            <dd>{conversation.skills.join(', ')}</dd>
          </div>
        ) : null}
      </dl>
      <h4>Participants</h4>
      {participants.length > 0 ? (
        <ul className="participants" aria-label="Participants">
          {participants.map((p) => (
            <li key={`${p.kind}-${p.userId}`}>
              <span>{p.displayName ?? PARTICIPANT_LABELS[p.kind] ?? p.kind}</span> <span className="muted small">{PARTICIPANT_LABELS[p.kind] ?? p.kind}, since {time(p.joinedAt)}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">Nobody has joined yet.</p>
      )}
      <h4>Handoff from the bot</h4>
      {packet ? <HandoffPacketView packet={packet} /> : <p className="muted small">The bot did not hand this conversation over.</p>}
    </div>
  );
}
