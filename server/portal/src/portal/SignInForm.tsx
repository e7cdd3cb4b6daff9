import { useState, type FormEvent } from 'react';
import { signIn, type PatientSession } from './auth.js';

export function SignInForm({ onSignedIn }: { onSignedIn(session: PatientSession): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const result = await signIn(email, password, needsCode ? code.trim() : undefined);
    setBusy(false);
    if (result.ok) {
      onSignedIn(result.session);
      return;
    }
    if (result.code === 'mfa_required' || result.code === 'invalid_totp') setNeedsCode(true);
    setProblem(result.message);
  };

  return (
    <form className="portal-form" onSubmit={(e) => void submit(e)} aria-describedby={problem ? 'sign-in-problem' : undefined}>
      <label htmlFor="sign-in-email">Email</label>
      <input id="sign-in-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <label htmlFor="sign-in-password">Password</label>
      <input id="sign-in-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      {needsCode && (
        <>
          <label htmlFor="sign-in-code">Authenticator code</label>
          <input
            id="sign-in-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            autoFocus
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </>
      )}
      {problem && (
        <p id="sign-in-problem" role="alert" className="portal-alert">
          {problem}
        </p>
      )}
      <button type="submit" className="portal-primary" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}
