/**
 * Verifying the caller in a conversation: find the record, then ask for two of date of birth, MRN,
 * phone and ZIP code. The server says only that fewer than two matched (never which), counts the
 * tries and locks after five.
 */
import { useId, useState, type FormEvent } from 'react';
import type { ConversationIdentity, PatientMatch, VerifyIdentityRequest } from '@carebridge/server/contracts';
import { requestErrorText } from '../../api/request-error.js';
import { FindPatient } from './FindPatient.js';
import { useVerifyIdentityMutation } from './patients-api.js';

interface Props {
  conversationId: string;
  identity: ConversationIdentity;
  visitorName: string | null;
}

export function VerifyIdentity({ conversationId, identity, visitorName }: Props) {
  const id = useId();
  const [chosen, setChosen] = useState<PatientMatch | null>(null);
  const [details, setDetails] = useState({ birthDate: '', mrn: '', phone: '', postalCode: '' });
  const [problem, setProblem] = useState<string | null>(null);
  const [verify, { isLoading, error, reset }] = useVerifyIdentityMutation();
  const set = (key: keyof typeof details) => (e: { target: { value: string } }) => setDetails((d) => ({ ...d, [key]: e.target.value }));

  if (identity.attemptsLeft <= 0) {
    return (
      <p role="alert" className="inline-error small">
        Verification is locked for this conversation after five tries. Ask a supervisor, or verify the caller another way.
      </p>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!chosen) return;
    const given = Object.fromEntries(Object.entries(details).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]));
    if (Object.keys(given).length < 2) return setProblem('Ask the caller for at least two of: date of birth, MRN, phone, ZIP code.');
    setProblem(null);
    reset();
    await verify({ conversationId, body: { patientId: chosen.id, ...given } as VerifyIdentityRequest });
  }

  if (!chosen) {
    return (
      <div className="verify">
        <p className="small">
          <strong>Not verified.</strong> The record stays hidden until the caller is verified. Find their record first.
        </p>
        <FindPatient reason={`identity check in conversation ${conversationId}`} initial={{ name: visitorName ?? '' }} onChoose={(m) => setChosen(m)} chooseLabel="Verify as" />
      </div>
    );
  }
  const failure = problem ?? requestErrorText(error);
  return (
    <form className="verify" onSubmit={submit} aria-label={`Verify the caller as ${chosen.name}`} noValidate>
      <p className="small">
        Verifying as <strong>{chosen.name}</strong>. Ask the caller for two or more of these; {identity.attemptsLeft} {identity.attemptsLeft === 1 ? 'try' : 'tries'} left.
      </p>
      <div className="field-grid">
        <label htmlFor={`${id}-dob`}>Date of birth</label>
        <input className="input" id={`${id}-dob`} type="date" value={details.birthDate} onChange={set('birthDate')} />
        <label htmlFor={`${id}-mrn`}>MRN</label>
        <input className="input" id={`${id}-mrn`} value={details.mrn} onChange={set('mrn')} autoComplete="off" />
        <label htmlFor={`${id}-phone`}>Phone</label>
        <input className="input" id={`${id}-phone`} type="tel" value={details.phone} onChange={set('phone')} autoComplete="off" />
        <label htmlFor={`${id}-zip`}>ZIP code</label>
        <input className="input" id={`${id}-zip`} inputMode="numeric" value={details.postalCode} onChange={set('postalCode')} autoComplete="off" />
      </div>
      {failure ? (
        <p role="alert" className="inline-error small">
          {failure}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="button primary" disabled={isLoading}>
          {isLoading ? 'Checking…' : 'Verify'}
        </button>
        <button type="button" className="button ghost" onClick={() => setChosen(null)}>
          Choose another patient
        </button>
      </div>
    </form>
  );
}
