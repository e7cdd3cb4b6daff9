import type { ReactNode } from 'react';
import type { AgentSummary, ConversationSettingsResponse, ConversationView } from '@carebridge/server/contracts';
import { InlineError } from '../../common/InlineError.js';
import { ConfirmDialog, ConsultDialog, TransferDialog, WrapupPanel } from './ConversationDialogs.js';
import { CHANNEL_LABELS, priorityLabel, STATE_LABELS } from './labels.js';

export type ConversationDialog = 'transfer' | 'consult' | 'end' | 'hand-back' | null;
type TransferTarget = { kind: 'agent'; agentId: string } | { kind: 'queue'; queueId: string };

export interface ConversationPanelProps {
  conversation: ConversationView;
  patientName: string;
  /** The user's part: the owning agent's actions, a consultant's notes, a supervisor who joined. */
  role: 'agent' | 'consultant' | 'supervisor';
  owner: boolean;
  handoverNote: string | null;
  /** The first transcript page is on its way and nothing is shown yet. */
  loading: boolean;
  transcriptError: string | null;
  /** The last action's failure, in words for the user. */
  error: string | null;
  busy: boolean;
  typingNames: readonly string[];
  names: Readonly<Record<string, string>>;
  /** Colleagues to transfer to or consult (the user left out). */
  colleagues: readonly AgentSummary[];
  settings: ConversationSettingsResponse;
  dialog: ConversationDialog;
  /** Banners of the context panels (a red flag), above the transcript. */
  banners?: ReactNode;
  /** The transcript and the composer, filled in by the container. */
  transcript: ReactNode;
  composer: ReactNode;
  onDialog(dialog: ConversationDialog): void;
  /** Confirmed in a dialog first; resolve to the failure to show there, or null. */
  onHandBack(): Promise<string | null>;
  onEndChat(): Promise<string | null>;
  onLeave(): void;
  onAddConsultant(agentId: string): void;
  onDownloadTranscript(): void;
  onCloseTab(): void;
  onWrapup(disposition: string | undefined, notes: string): Promise<string | null>;
  onTransfer(target: TransferTarget, note: string): Promise<string | null>;
  onConsult(agentId: string, note: string): Promise<string | null>;
}

/**
 * One open conversation, presentational (props in, callbacks out; `ConversationPanelContainer`
 * connects it): the header with the actions the user's part allows, the colleague's hand-over note,
 * consultants to add, the transcript, who is typing, then the composer, the wrap-up or "closed".
 */
export function ConversationPanel(props: ConversationPanelProps) {
  const { conversation, patientName, role, owner, busy, names, settings } = props;
  const consultant = role === 'consultant';
  const open = conversation.state === 'active' || conversation.state === 'waiting';
  // A supervisor who joined writes while the chat is open at all, also while it waits in line.
  const supervisor = role === 'supervisor';
  const writable = supervisor ? conversation.state !== 'closed' && conversation.state !== 'wrapup' : open;
  const participants = conversation.participants ?? [];
  // The patient may end the chat first: its agent still records the outcome, once.
  const patientEnded = conversation.state === 'closed' && owner && !consultant && !supervisor && !conversation.wrapup;
  const wrapping = (conversation.state === 'wrapup' && !consultant) || patientEnded;
  const typing = props.typingNames;

  return (
    <div className="conversation-panel">
      <header className="conversation-head">
        <div>
          <h2>
            {patientName}
            {conversation.patientId ? (
              <span className="badge verified small" title="Signed in to the portal: identity verified">
                Verified
              </span>
            ) : null}
          </h2>
          <p className="muted small">
            {CHANNEL_LABELS[conversation.channel] ?? conversation.channel} · {STATE_LABELS[conversation.state] ?? conversation.state}
            {conversation.queue ? ` · ${conversation.queue} queue` : ''} · {priorityLabel(conversation.priority)}
            {consultant ? ' · You are consulting' : role === 'supervisor' ? ' · You joined as supervisor' : ''}
          </p>
        </div>
        <div className="row" role="toolbar" aria-label="Conversation actions">
          {owner && open ? (
            <>
              <button type="button" className="button" data-action="transfer" disabled={busy} onClick={() => props.onDialog('transfer')} aria-keyshortcuts="/t">
                Transfer
              </button>
              <button type="button" className="button" disabled={busy} onClick={() => props.onDialog('consult')}>
                Consult
              </button>
              <button type="button" className="button" data-action="hand-back" disabled={busy} onClick={() => props.onDialog('hand-back')}>
                Hand back to bot
              </button>
              <button type="button" className="button danger" data-action="end-chat" disabled={busy} onClick={() => props.onDialog('end')} aria-keyshortcuts="Control+Shift+E Meta+Shift+E">
                End chat
              </button>
            </>
          ) : null}
          {(consultant || supervisor) && writable ? (
            <button type="button" className="button" disabled={busy} onClick={props.onLeave}>
              Leave conversation
            </button>
          ) : null}
          <button type="button" className="button ghost" onClick={props.onDownloadTranscript}>
            Download transcript
          </button>
          {conversation.state === 'closed' && !patientEnded ? (
            <button type="button" className="button" onClick={props.onCloseTab}>
              Close tab
            </button>
          ) : null}
        </div>
      </header>
      {props.handoverNote ? (
        <p className="notice small" role="note" aria-label="Note from your colleague">
          {props.handoverNote}
        </p>
      ) : null}
      {owner && participants.some((p) => p.kind === 'consultant') ? (
        <ul className="consultants" aria-label="Consultants">
          {participants
            .filter((p) => p.kind === 'consultant')
            .map((p) => (
              <li key={p.userId} className="row">
                <span>{p.displayName ?? names[p.userId] ?? p.userId} is consulting (notes only).</span>
                <button type="button" className="button" onClick={() => props.onAddConsultant(p.userId)}>
                  Add {p.displayName ?? 'consultant'} to the chat
                </button>
              </li>
            ))}
        </ul>
      ) : null}
      {props.banners}
      <InlineError message={props.error} />
      {props.loading ? (
        <p className="loading" role="status">
          Loading the transcript…
        </p>
      ) : null}
      <InlineError message={props.transcriptError} />
      {props.transcript}
      <p className="typing small muted" role="status" aria-label="Typing">
        {typing.length ? `${typing.join(', ')} ${typing.length > 1 ? 'are' : 'is'} typing…` : ''}
      </p>
      {wrapping ? (
        <WrapupPanel conversationId={conversation.id} settings={settings} onClose={props.onWrapup} endedByPatient={patientEnded} />
      ) : writable ? (
        props.composer
      ) : conversation.state === 'closed' ? (
        <p className="muted">This conversation is closed.</p>
      ) : null}
      {props.dialog === 'transfer' ? (
        <TransferDialog colleagues={props.colleagues} queues={settings.queues} onClose={() => props.onDialog(null)} onTransfer={props.onTransfer} />
      ) : null}
      {props.dialog === 'end' && owner && open ? (
        <ConfirmDialog
          title={`End the chat with ${patientName}?`}
          confirmLabel="End chat"
          onClose={() => props.onDialog(null)}
          onConfirm={props.onEndChat}
        >
          {patientName} can no longer write in this chat; you then record the wrap-up.
        </ConfirmDialog>
      ) : null}
      {props.dialog === 'hand-back' && owner && open ? (
        <ConfirmDialog
          title={`Hand ${patientName} back to the bot?`}
          confirmLabel="Hand back to bot"
          onClose={() => props.onDialog(null)}
          onConfirm={props.onHandBack}
        >
          The bot answers {patientName} again and the conversation leaves your tabs. {patientName} can ask for a person again.
        </ConfirmDialog>
      ) : null}
      {props.dialog === 'consult' ? <ConsultDialog colleagues={props.colleagues} onClose={() => props.onDialog(null)} onConsult={props.onConsult} /> : null}
    </div>
  );
}
