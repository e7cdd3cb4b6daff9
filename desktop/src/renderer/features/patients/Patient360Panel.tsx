/**
 * The conversation view's "Patient" context panel: who the caller is — verified on arrival when they
 * signed in to the portal, or verified here by two details — and, once verified, their patient 360.
 */
import type { ContextPanelProps } from '../../common/context-panels.js';
import { requestErrorText } from '../../api/request-error.js';
import { useContextRequest } from '../../common/context-requests.js';
import { useGetIdentityQuery } from './patients-api.js';
import { Patient360View } from './Patient360View.js';
import { VerifyIdentity } from './VerifyIdentity.js';

export default function Patient360Panel({ conversationId, conversation }: ContextPanelProps) {
  const { data: identity, isLoading, error, refetch } = useGetIdentityQuery(conversationId);
  // Another panel asked for a section (an agent script's macro): open it and bring it into view.
  useContextRequest('patient-360', (detail) => {
    if (detail.conversationId !== conversationId) return;
    requestAnimationFrame(() => {
      const section = document.getElementById(`p360-${detail.section}`);
      if (section instanceof HTMLDetailsElement) {
        section.open = true;
        section.scrollIntoView({ block: 'nearest' });
      }
    });
  });
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
  if (identity.status !== 'verified' || !identity.patientId) {
    return <VerifyIdentity conversationId={conversationId} identity={identity} visitorName={conversation.visitorName} />;
  }
  return (
    <div className="patient-panel">
      <p className="verified small" role="status">
        <span aria-hidden="true">✓</span> Verified as <strong>{identity.patientName}</strong>
        {identity.method === 'portal' ? ' (signed in to the portal)' : identity.factors.length ? ` (matched ${identity.factors.map((f) => FACTOR_LABELS[f]).join(' and ')})` : ''}
      </p>
      <Patient360View patientId={identity.patientId} access={{ conversationId }} />
    </div>
  );
}

const FACTOR_LABELS: Record<string, string> = { birthDate: 'date of birth', mrn: 'MRN', phone: 'phone', postalCode: 'ZIP code' };
