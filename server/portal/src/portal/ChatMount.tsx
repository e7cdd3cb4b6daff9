/** The chat widget (the same code as the one-tag embed) mounted inline in a portal page. */
import { useEffect, useRef } from 'react';
import { mountChatWidget } from '../widget/panel.js';
import type { Identity } from '../widget/session.js';
import { languageFor } from '../widget/strings.js';

export function ChatMount({ identity }: { identity: Identity }) {
  const host = useRef<HTMLDivElement>(null);
  // The identity is fixed for the component's life (the parent keys it by who is signed in).
  const identityRef = useRef(identity);
  useEffect(() => {
    const handle = mountChatWidget(host.current!, {
      serverOrigin: window.location.origin,
      clinicName: 'Carebridge',
      language: languageFor(document.documentElement.lang),
      position: 'right',
      mode: 'inline',
      channel: 'portal',
      identity: identityRef.current,
      storageKey: `carebridge-portal-chat:${identityRef.current.kind}`,
    });
    return () => handle.destroy();
  }, []);
  return <div ref={host} className="portal-chat" />;
}
