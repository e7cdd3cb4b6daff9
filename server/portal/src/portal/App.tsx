/**
 * The patient portal (minimal for now): a header, the landing page with live chat and patient
 * sign-in, and the survey page that follow-up links open (/survey/<token>).
 */
import { useState } from 'react';
import type { PatientSession } from './auth.js';
import { ChatMount } from './ChatMount.js';
import { SignInForm } from './SignInForm.js';
import { SurveyPage } from './SurveyPage.js';

export function App({ path }: { path: string }) {
  const [session, setSession] = useState<PatientSession | null>(null);
  const surveyMatch = /^\/survey\/([^/]+)\/?$/.exec(path);

  const signOut = () => {
    void session?.signOut();
    setSession(null);
  };

  return (
    <>
      <header className="portal-header">
        <a className="portal-brand" href="/portal/">
          Carebridge
        </a>
        <span className="portal-tagline">Patient portal</span>
        {session && (
          <span className="portal-user">
            Signed in as {session.user.displayName}{' '}
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </span>
        )}
      </header>
      <main className="portal-main">
        {surveyMatch ? <SurveyPage token={decodeURIComponent(surveyMatch[1]!)} /> : <Home session={session} onSignedIn={setSession} />}
      </main>
    </>
  );
}

function Home({ session, onSignedIn }: { session: PatientSession | null; onSignedIn(session: PatientSession): void }) {
  const [chatOpen, setChatOpen] = useState(false);
  return (
    <>
      <h1>Welcome to the Carebridge patient portal</h1>
      <div className="portal-columns">
        <section aria-labelledby="chat-heading" className="portal-card">
          <h2 id="chat-heading">Chat with us</h2>
          {session ? (
            <>
              <p>Our assistant answers first and connects you with a person from the care team when you ask.</p>
              <ChatMount key={`patient-${session.user.id}`} identity={{ kind: 'patient', userId: session.user.id, getToken: session.getToken }} />
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
        {!session && (
          <section aria-labelledby="sign-in-heading" className="portal-card">
            <h2 id="sign-in-heading">Patient sign-in</h2>
            <SignInForm onSignedIn={onSignedIn} />
          </section>
        )}
      </div>
    </>
  );
}
