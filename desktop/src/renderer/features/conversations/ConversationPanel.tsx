import { useMemo, useState } from 'react';
import type { AgentSummary, ConversationSettingsResponse } from '@carebridge/server/contracts';
import { useAppDispatch } from '../../app/hooks.js';
import { HandoffPacketView } from '../../common/transcript/HandoffPacketView.js';
import { Transcript } from '../../common/transcript/Transcript.js';
import { downloadBlob, saveBlob, uploadAttachment } from '../../common/transcript/files.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import { Composer } from './Composer.js';
import { conversationsApi } from './conversations-api.js';
import { ConsultDialog, TransferDialog, WrapupPanel } from './ConversationDialogs.js';
import { InlineError } from '../../common/InlineError.js';
import { conversationAction, retryMessage, sendMessage, sendTyping } from './inbox-actions.js';
import { patientLabel } from './inbox-live.js';
import { conversationRemoved, messageDiscarded, type InboxConversation } from './inbox-slice.js';
import { priorityLabel } from './OfferList.js';

const CHANNELS: Record<string, string> = { portal: 'Portal chat', widget: 'Website chat' };
const STATES: Record<string, string> = {
  bot: 'With the bot',
  queued: 'Queued',
  offered: 'Offered',
  active: 'Active',
  waiting: 'Waiting',
  wrapup: 'Wrap-up',
  closed: 'Closed',
};
const TYPING_FRESH_MS = 8000;

interface Props {
  entry: InboxConversation;
  me: string;
  settings: ConversationSettingsResponse;
  colleagues: readonly AgentSummary[];
  now: number;
}

export function ConversationPanel({ entry, me, settings, colleagues, now }: Props) {
  const dispatch = useAppDispatch();
  const [dialog, setDialogState] = useState<'transfer' | 'consult' | null>(null);
  // Choosing a colleague needs their presence and load as of now.
  const setDialog = (next: 'transfer' | 'consult' | null) => {
    if (next) dispatch(conversationsApi.util.invalidateTags(['Colleagues']));
    setDialogState(next);
  };
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { conversation } = entry;
  const id = conversation.id;
  const name = patientLabel(conversation);
  const participants = conversation.participants ?? [];
  const myKind = participants.find((p) => p.userId === me)?.kind ?? (entry.cause === 'consult' ? 'consultant' : entry.cause === 'join' ? 'supervisor' : 'agent');
  const consultant = myKind === 'consultant';
  // The owning agent (an added consultant also writes as an agent, but the chat stays the owner's).
  const owner = conversation.agentId ? conversation.agentId === me : myKind === 'agent';
  const open = conversation.state === 'active' || conversation.state === 'waiting';

  const names = useMemo(() => {
    const out: Record<string, string> = {};
    for (const c of colleagues) out[c.userId] = c.displayName;
    for (const p of participants) if (p.displayName) out[p.userId] = p.displayName;
    return out;
  }, [colleagues, participants]);
  const mentionNames = useMemo(() => colleagues.map((c) => c.displayName), [colleagues]);
  const others = useMemo(() => colleagues.filter((c) => c.userId !== me), [colleagues, me]);

  const act = async (run: () => Promise<string | null>, done: string) => {
    setBusy(true);
    setError(null);
    const failure = await run();
    setBusy(false);
    if (failure) setError(failure);
    else dispatch(statusShown(done));
    return failure;
  };

  const typingNames = Object.entries(entry.typing)
    .filter(([, t]) => now - t.at < TYPING_FRESH_MS)
    .map(([senderId, t]) => (t.kind === 'patient' || t.kind === 'visitor' ? name : (names[senderId] ?? 'A colleague')));

  const downloadTranscript = async () => {
    const result = await dispatch(downloadBlob(`/api/conversations/${encodeURIComponent(id)}/transcript?format=text`));
    if (result.ok) saveBlob(result.blob, `conversation-${id}.txt`);
    else setError(`Could not download the transcript: ${result.message}.`);
  };

  return (
    <div className="conversation-panel">
      <header className="conversation-head">
        <div>
          <h2>{name}</h2>
          <p className="muted small">
            {CHANNELS[conversation.channel] ?? conversation.channel} · {STATES[conversation.state] ?? conversation.state}
            {conversation.queue ? ` · ${conversation.queue} queue` : ''} · {priorityLabel(conversation.priority)}
            {consultant ? ' · You are consulting' : myKind === 'supervisor' ? ' · You joined as supervisor' : ''}
          </p>
        </div>
        <div className="row" role="toolbar" aria-label="Conversation actions">
          {owner && open ? (
            <>
              <button type="button" className="button" disabled={busy} onClick={() => setDialog('transfer')} aria-keyshortcuts="/t">
                Transfer
              </button>
              <button type="button" className="button" disabled={busy} onClick={() => setDialog('consult')}>
                Consult
              </button>
              <button type="button" className="button" disabled={busy} onClick={() => void act(() => dispatch(conversationAction('conversation:hand-back', { conversationId: id }, 'hand the chat back to the bot')), 'Handed back to the bot.')}>
                Hand back to bot
              </button>
              <button type="button" className="button danger" disabled={busy} onClick={() => void act(() => dispatch(conversationAction('conversation:wrapup', { conversationId: id }, 'end the chat')), 'Chat ended: wrap up and close.')}>
                End chat
              </button>
            </>
          ) : null}
          {consultant ? (
            <button type="button" className="button" disabled={busy} onClick={() => void act(() => dispatch(conversationAction('conversation:leave', { conversationId: id }, 'leave the conversation')), 'You left the conversation.')}>
              Leave conversation
            </button>
          ) : null}
          <button type="button" className="button ghost" onClick={() => void downloadTranscript()}>
            Download transcript
          </button>
          {conversation.state === 'closed' ? (
            <button type="button" className="button" onClick={() => dispatch(conversationRemoved(id))}>
              Close tab
            </button>
          ) : null}
        </div>
      </header>
      {entry.handoverNote ? (
        <p className="notice small" role="note" aria-label="Note from your colleague">
          {entry.handoverNote}
        </p>
      ) : null}
      {entry.packet ? (
        <details className="packet-details" open={entry.messages.length < 3}>
          <summary>Handoff from the bot</summary>
          <HandoffPacketView packet={entry.packet} />
        </details>
      ) : null}
      {owner && participants.some((p) => p.kind === 'consultant') ? (
        <ul className="consultants" aria-label="Consultants">
          {participants
            .filter((p) => p.kind === 'consultant')
            .map((p) => (
              <li key={p.userId} className="row">
                <span>{p.displayName ?? names[p.userId] ?? p.userId} is consulting (notes only).</span>
                <button
                  type="button"
                  className="button"
                  onClick={() => void act(() => dispatch(conversationAction('conversation:consult-add', { conversationId: id, agentId: p.userId }, 'add the consultant')), 'Consultant added to the chat.')}
                >
                  Add {p.displayName ?? 'consultant'} to the chat
                </button>
              </li>
            ))}
        </ul>
      ) : null}
      <InlineError message={error} />
      {entry.loading && entry.messages.length === 0 ? (
        <p className="loading" role="status">
          Loading the transcript…
        </p>
      ) : null}
      <InlineError message={entry.error} />
      <Transcript
        label={`Transcript with ${name}`}
        messages={entry.messages}
        pending={entry.pending}
        me={me}
        names={names}
        patientName={name}
        peerDelivered={entry.peerDelivered}
        peerRead={entry.peerRead}
        mentionNames={mentionNames}
        onRetry={(clientMessageId) => void dispatch(retryMessage(id, clientMessageId))}
        onDiscard={(clientMessageId) => dispatch(messageDiscarded({ conversationId: id, clientMessageId }))}
      />
      <p className="typing small muted" role="status" aria-label="Typing">
        {typingNames.length ? `${typingNames.join(', ')} ${typingNames.length > 1 ? 'are' : 'is'} typing…` : ''}
      </p>
      {conversation.state === 'wrapup' && !consultant ? (
        <WrapupPanel
          settings={settings}
          onClose={(disposition, notes) =>
            act(
              () => dispatch(conversationAction('conversation:close', { conversationId: id, ...(disposition ? { disposition } : {}), ...(notes ? { notes } : {}) }, 'close the conversation')),
              'Conversation closed.',
            )
          }
        />
      ) : open ? (
        <Composer
          userId={me}
          conversationId={id}
          patientName={name}
          notesOnly={consultant}
          quickReplies={settings.quickReplies}
          colleagues={colleagues}
          onSend={(body, kind) => dispatch(sendMessage(id, body, kind))}
          onTyping={(typing) => sendTyping(id, typing)}
          onAttach={(file) => dispatch(uploadAttachment(id, file))}
          onTransfer={() => (owner ? setDialog('transfer') : setError('Only the agent who owns the chat can transfer it.'))}
          onConsult={() => (owner ? setDialog('consult') : setError('Only the agent who owns the chat can invite a consultant.'))}
        />
      ) : conversation.state === 'closed' ? (
        <p className="muted">This conversation is closed.</p>
      ) : null}
      {dialog === 'transfer' ? (
        <TransferDialog
          colleagues={others}
          queues={settings.queues}
          onClose={() => setDialog(null)}
          onTransfer={(target, note) => act(() => dispatch(conversationAction('conversation:transfer', { conversationId: id, target, ...(note ? { note } : {}) }, 'transfer the conversation')), 'Conversation transferred.')}
        />
      ) : null}
      {dialog === 'consult' ? (
        <ConsultDialog
          colleagues={others}
          onClose={() => setDialog(null)}
          onConsult={(agentId, note) => act(() => dispatch(conversationAction('conversation:consult', { conversationId: id, agentId, ...(note ? { note } : {}) }, 'invite the colleague')), 'Colleague invited to consult.')}
        />
      ) : null}
    </div>
  );
}
