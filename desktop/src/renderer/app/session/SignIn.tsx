import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useAppDispatch, useAppSelector } from '../hooks.js';
import { selectSession } from './session-slice.js';
import { signIn } from './session-thunks.js';

export function SignIn() {
  const session = useAppSelector(selectSession);
  const dispatch = useAppDispatch();
  const [serverUrl, setServerUrl] = useState(session.serverUrl);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const busy = session.status === 'signingIn';
  const ids = { server: useId(), email: useId(), password: useId(), totp: useId(), error: useId() };
  const totpRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (session.mfaRequired) totpRef.current?.focus();
  }, [session.mfaRequired, session.error]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void dispatch(signIn({ serverUrl, email, password, ...(session.mfaRequired ? { totp } : {}) }));
  };

  return (
    <main className="signin-page">
      <form className="signin-card" onSubmit={submit} aria-labelledby="signin-title" aria-describedby={session.error ? ids.error : undefined} noValidate>
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Carebridge</span>
        </div>
        <h1 id="signin-title">Sign in to the desk</h1>
        {session.notice ? (
          <p className="notice" role="status">
            {session.notice}
          </p>
        ) : null}
        {session.error ? (
          <p id={ids.error} className="form-error" role="alert">
            {session.error}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor={ids.server}>Server address</label>
          <input
            id={ids.server}
            className="input"
            type="url"
            inputMode="url"
            autoComplete="url"
            placeholder="https://carebridge.example.org"
            value={serverUrl}
            onChange={(e) => setServerUrl(e.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor={ids.email}>Email</label>
          <input id={ids.email} className="input" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Password</label>
          <input
            id={ids.password}
            className="input"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        {session.mfaRequired ? (
          <div className="field">
            <label htmlFor={ids.totp}>Authenticator code</label>
            <input
              id={ids.totp}
              ref={totpRef}
              className="input code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={7}
              placeholder="123456"
              value={totp}
              onChange={(e) => setTotp(e.target.value)}
              required
            />
          </div>
        ) : null}
        <button type="submit" className="button primary wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small center">For Carebridge staff. Patients use the patient portal.</p>
      </form>
    </main>
  );
}
