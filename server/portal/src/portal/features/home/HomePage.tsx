/** The landing page at /portal/: live chat (as a visitor, or as the signed-in patient) and sign-in. */
import { useState } from 'react';
import { useAppSelector } from '../../app/hooks.js';
import { ChatMount } from '../chat/index.js';
import { selectUser, SignInForm, useAccessToken, useSessionEnded } from '../session/index.js';

export function HomePage() {
  const user = useAppSelector(selectUser);
  const getToken = useAccessToken();
  const onSessionEnded = useSessionEnded();
  const [chatOpen, setChatOpen] = useState(false);
  return (
    <>
      <h1>Welcome to the Carebridge patient portal</h1>
      <div className="portal-columns">
        <section aria-labelledby="chat-heading" className="portal-card">
          <h2 id="chat-heading">Chat with us</h2>
          {user ? (
            <>
              <p>Our assistant answers first and connects you with a person from the care team when you ask.</p>
              <ChatMount key={`patient-${user.id}`} identity={{ kind: 'patient', userId: user.id, getToken, onSessionEnded }} />
            </>
          ) : chatOpen ? (
            <ChatMount key="visitor" identity={{ kind: 'visitor' }} />
          ) : (
            <>
              <p>Questions about appointments, bills or prescriptions? Chat with our assistant and our team. Sign in first to chat about your own care.</p>
              <button type="button" className="portal-primary" onClick={() => setChatOpen(true)}>
                Chat with us
              </button>
            </>
          )}
        </section>
        {!user && (
          <section aria-labelledby="sign-in-heading" className="portal-card">
            <h2 id="sign-in-heading">Patient sign-in</h2>
            <SignInForm />
          </section>
        )}
      </div>
    </>
  );
}
