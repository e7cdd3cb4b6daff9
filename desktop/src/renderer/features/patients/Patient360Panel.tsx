/**
 * The conversation view's "Patient" context panel: who the caller is — verified on arrival when they
 * signed in to the portal, or verified here by two details — and, once verified, their patient 360.
 */
import type { ContextPanelProps } from '../../common/context-panels.js';
import { useContextRequest } from '../../common/context-requests.js';
import type { ConversationIdentity } from '@carebridge/server/contracts';
import { IdentityGate } from './IdentityGate.js';
import { Patient360View } from './Patient360View.js';
import { VerifyIdentity } from './VerifyIdentity.js';

export default function Patient360Panel({ conversationId, conversation }: ContextPanelProps) {
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
  return <IdentityGate conversationId={conversationId}>{(identity) => <CallerRecord identity={identity} conversationId={conversationId} visitorName={conversation.visitorName} />}</IdentityGate>;
}

function CallerRecord({ identity, conversationId, visitorName }: { identity: ConversationIdentity; conversationId: string; visitorName: string | null }) {
  if (identity.status !== 'verified' || !identity.patientId) {
    return <VerifyIdentity conversationId={conversationId} identity={identity} visitorName={visitorName} />;
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
