/**
 * Who the patient in a conversation is, loaded once for every panel that waits for it (Patient,
 * Appointments): the loading and error states here, the identity to `children` once known.
 */
import type { ReactNode } from 'react';
import type { ConversationIdentity } from '@carebridge/server/contracts';
import { requestErrorText } from '../../api/request-error.js';
import { useGetIdentityQuery } from './patients-api.js';

export function IdentityGate({ conversationId, children }: { conversationId: string; children(identity: ConversationIdentity): ReactNode }) {
  const { data: identity, isLoading, error, refetch } = useGetIdentityQuery(conversationId);
  if (isLoading) {
    return (
      <p className="muted small" role="status">
        Checking who the caller is…
      </p>
    );
  }
  if (error || !identity) {
    return (
      <div>
        <p role="alert" className="inline-error small">
          {requestErrorText(error) ?? 'Could not check who the caller is.'}
        </p>
        <button type="button" className="button" onClick={() => void refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return <>{children(identity)}</>;
}
