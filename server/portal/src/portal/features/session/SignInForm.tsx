/** The patient sign-in form; signing in fills the session state (and the page moves on). */
import { useState, type FormEvent } from 'react';
import { Alert } from '../../common/Alert.js';
import { useAppSelector } from '../../app/hooks.js';
import { selectSessionNotice } from './session-slice.js';
import { useSignInMutation } from './session-api.js';
import { signInProblem } from './sign-in-problem.js';

export function SignInForm() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  // Kept until the next answer (not cleared while signing in again), so the alert does not flicker.
  const [problem, setProblem] = useState<string | null>(null);
  const [signIn, { isLoading }] = useSignInMutation();
  // Why the last session ended (the server ended it), until the next sign-in attempt answers.
  const notice = useAppSelector(selectSessionNotice);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const totp = needsCode ? code.trim() : '';
    const result = await signIn({ email, password, ...(totp ? { totp } : {}) });
    if (!result.error) return;
    const failure = signInProblem(result.error);
    if (failure.needsCode) setNeedsCode(true);
    setProblem(failure.message);
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
      {problem ? <Alert id="sign-in-problem">{problem}</Alert> : notice && <Alert id="sign-in-problem">{notice}</Alert>}
      <button type="submit" className="portal-primary" disabled={isLoading}>
        Sign in
      </button>
    </form>
  );
}
