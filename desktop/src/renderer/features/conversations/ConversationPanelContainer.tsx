import { useMemo, useState } from 'react';
import type { AgentSummary, ConversationSettingsResponse, QuickReply } from '@carebridge/server/contracts';
import { useAppDispatch } from '../../app/hooks.js';
import { statusShown } from '../../app/shell/shell-slice.js';
import { useContextPanels } from '../../common/context-panels.js';
import { ErrorBoundary } from '../../common/ErrorBoundary.js';
import { Transcript } from '../../common/transcript/Transcript.js';
import { downloadBlob, saveBlob } from '../../common/transcript/files.js';
import { ComposerContainer } from './ComposerContainer.js';
import { conversationsApi, mergeQuickReplies, useGetMyQuickRepliesQuery } from './conversations-api.js';
import { ConversationPanel, type ConversationDialog } from './ConversationPanel.js';
import { conversationAction, retryMessage } from './inbox-actions.js';
import { focusWrapupSoon } from './focus.js';
import { patientLabel } from './inbox-live.js';
import { conversationRemoved, messageDiscarded, type InboxConversation } from './inbox-slice.js';

const TYPING_FRESH_MS = 8000;
const NONE: readonly QuickReply[] = [];

interface Props {
  entry: InboxConversation;
  me: string;
  /** The user's role (which context panels, and so which banners, they see). */
  myRole: string;
  settings: ConversationSettingsResponse;
  colleagues: readonly AgentSummary[];
  now: number;
}

/**
 * The open conversation, connected: works out the user's part in it (owner, consultant, supervisor),
 * runs the conversation actions over the socket and reports them on the status line, and fills the
 * presentational `ConversationPanel` with the transcript and the connected composer.
 */
export function ConversationPanelContainer({ entry, me, myRole, settings, colleagues, now }: Props) {
  const dispatch = useAppDispatch();
  const [dialog, setDialogState] = useState<ConversationDialog>(null);
  // Choosing a colleague needs their presence and load as of now.
  const setDialog = (next: ConversationDialog) => {
    if (next) dispatch(conversationsApi.util.invalidateTags(['Colleagues']));
    setDialogState(next);
  };
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const myReplies = useGetMyQuickRepliesQuery().data ?? NONE;
  const quickReplies = useMemo(() => mergeQuickReplies(myReplies, settings.quickReplies), [myReplies, settings.quickReplies]);
  const { conversation } = entry;
  const id = conversation.id;
  const name = patientLabel(conversation);
  const participants = conversation.participants ?? [];
  const myKind = participants.find((p) => p.userId === me)?.kind ?? (entry.cause === 'consult' ? 'consultant' : entry.cause === 'join' ? 'supervisor' : 'agent');
  const consultant = myKind === 'consultant';
  // The owning agent (an added consultant also writes as an agent, but the chat stays the owner's).
  const owner = conversation.agentId ? conversation.agentId === me : myKind === 'agent';

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
  const action = (event: Parameters<typeof conversationAction>[0], payload: Record<string, unknown>, what: string, done: string) =>
    act(() => dispatch(conversationAction(event, { conversationId: id, ...payload }, what)), done);

  const typingNames = Object.entries(entry.typing)
    .filter(([, t]) => now - t.at < TYPING_FRESH_MS)
    .map(([senderId, t]) => (t.kind === 'patient' || t.kind === 'visitor' ? name : (names[senderId] ?? 'A colleague')));

  const downloadTranscript = async () => {
    const result = await dispatch(downloadBlob(`/api/conversations/${encodeURIComponent(id)}/transcript?format=text&tz=${encodeURIComponent(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC')}`));
    if (result.ok) saveBlob(result.blob, `conversation-${id}.txt`);
    else setError(`Could not download the transcript: ${result.message}.`);
  };

  const withBanners = useContextPanels(myRole).filter((p) => p.Banner);
  const banners = withBanners.map(({ id: panelId, title, Banner }) => {
    const Shown = Banner!;
    return (
      <ErrorBoundary key={`${panelId}-${id}`} what={title}>
        <Shown conversationId={id} conversation={conversation} packet={entry.packet} />
      </ErrorBoundary>
    );
  });

  return (
    <ConversationPanel
      banners={banners}
      conversation={conversation}
      patientName={name}
      role={consultant ? 'consultant' : myKind === 'supervisor' ? 'supervisor' : 'agent'}
      owner={owner}
      handoverNote={entry.handoverNote}
      loading={entry.loading && entry.messages.length === 0}
      transcriptError={entry.error}
      error={error}
      busy={busy}
      typingNames={typingNames}
      names={names}
      colleagues={others}
      settings={settings}
      dialog={dialog}
      transcript={
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
      }
      composer={
        <ComposerContainer
          userId={me}
          conversationId={id}
          patientName={name}
          notesOnly={consultant}
          quickReplies={quickReplies}
          colleagues={colleagues}
          onTransfer={() => (owner ? setDialog('transfer') : setError('Only the agent who owns the chat can transfer it.'))}
          onConsult={() => (owner ? setDialog('consult') : setError('Only the agent who owns the chat can invite a consultant.'))}
        />
      }
      onDialog={setDialog}
      onHandBack={() => action('conversation:hand-back', {}, 'hand the chat back to the bot', 'Handed back to the bot.')}
      onEndChat={async () => {
        const failure = await action('conversation:wrapup', {}, 'end the chat', 'Chat ended: wrap up and close.');
        if (failure === null) focusWrapupSoon();
        return failure;
      }}
      onLeave={() => void action('conversation:leave', {}, 'leave the conversation', 'You left the conversation.')}
      onAddConsultant={(agentId) => void action('conversation:consult-add', { agentId }, 'add the consultant', 'Consultant added to the chat.')}
      onDownloadTranscript={() => void downloadTranscript()}
      onCloseTab={() => dispatch(conversationRemoved(id))}
      onWrapup={(disposition, notes) => action('conversation:close', { ...(disposition ? { disposition } : {}), ...(notes ? { notes } : {}) }, 'close the conversation', 'Conversation closed.')}
      onTransfer={(target, note) => action('conversation:transfer', { target, ...(note ? { note } : {}) }, 'transfer the conversation', 'Conversation transferred.')}
      onConsult={(agentId, note) => action('conversation:consult', { agentId, ...(note ? { note } : {}) }, 'invite the colleague', 'Colleague invited to consult.')}
    />
  );
}
