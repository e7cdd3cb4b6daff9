/**
 * The chat widget (the same code as the one-tag embed) mounted inline in a portal page. The widget
 * and socket.io load with the first chat, in their own chunk, so the sign-in page stays light; the
 * Adaptive Cards renderer loads with the first card.
 */
import { useEffect, useRef, useState } from 'react';
import type { Identity } from '../../../widget/session.js';
import { Alert } from '../../common/Alert.js';

export type ChatIdentity = Identity;

export function ChatMount({ identity }: { identity: ChatIdentity }) {
  const host = useRef<HTMLDivElement>(null);
  // The identity is fixed for the component's life (the parent keys it by who is signed in).
  const identityRef = useRef(identity);
  const [unavailable, setUnavailable] = useState(false);
  useEffect(() => {
    let handle: { destroy(): void } | null = null;
    let unmounted = false;
    Promise.all([import('../../../widget/panel.js'), import('../../../widget/strings.js')])
      .then(([{ mountChatWidget }, { languageFor }]) => {
        if (unmounted || !host.current) return;
        handle = mountChatWidget(host.current, {
          serverOrigin: window.location.origin,
          clinicName: 'Carebridge',
          language: languageFor(document.documentElement.lang),
          position: 'right',
          mode: 'inline',
          channel: 'portal',
          identity: identityRef.current,
          storageKey: `carebridge-portal-chat:${identityRef.current.kind}`,
          // The Adaptive Cards renderer is a chunk of its own, loaded with the first card.
          loadAdaptiveCards: () => import('../../../widget/adaptive-card.js'),
        });
      })
      .catch(() => !unmounted && setUnavailable(true));
    return () => {
      unmounted = true;
      handle?.destroy();
    };
  }, []);
  return (
    <>
      {unavailable && <Alert>The chat could not be loaded. Check your connection and reload the page.</Alert>}
      <div ref={host} className="portal-chat" />
    </>
  );
}
