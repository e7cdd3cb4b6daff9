import type { AgentSummary, QuickReply } from '@carebridge/server/contracts';
import { useCallback } from 'react';
import { useAppDispatch } from '../../app/hooks.js';
import { subscribeComposerInserts } from '../../common/composer-insert.js';
import { uploadAttachment } from '../../common/transcript/files.js';
import { Composer } from './Composer.js';
import { sendMessage, sendTyping } from './inbox-actions.js';
import { useKeptDraft } from './kept-draft.js';

export interface ComposerContainerProps {
  userId: string;
  conversationId: string;
  patientName: string;
  notesOnly: boolean;
  quickReplies: readonly QuickReply[];
  colleagues: readonly AgentSummary[];
  onTransfer(): void;
  onConsult(): void;
}

/** The composer connected: its draft kept through the bridge, messages, typing and files sent. */
export function ComposerContainer({ userId, conversationId, ...rest }: ComposerContainerProps) {
  const dispatch = useAppDispatch();
  const { draft, keep, keepNow } = useKeptDraft(userId, conversationId);
  const subscribeInserts = useCallback((onInsert: (text: string) => void) => subscribeComposerInserts(conversationId, onInsert), [conversationId]);
  return (
    <Composer
      {...rest}
      userId={userId}
      draft={draft}
      onDraftChange={keep}
      onSend={(body, kind) => {
        keepNow('');
        return dispatch(sendMessage(conversationId, body, kind));
      }}
      onTyping={(typing) => sendTyping(conversationId, typing)}
      onAttach={(file) => dispatch(uploadAttachment(conversationId, file))}
      subscribeInserts={subscribeInserts}
    />
  );
}
