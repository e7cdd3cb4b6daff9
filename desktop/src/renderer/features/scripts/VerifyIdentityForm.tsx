/**
 * The verify-identity macro's small form: find the caller's record (name and date of birth, a stated
 * reason, audited by the server), pick them, add one more detail they tell you (MRN, phone or ZIP
 * code), and verify — two details must match. A patient signed in to the portal is already verified.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { PatientMatch } from '@carebridge/server/contracts';
import { InlineError } from '../../common/InlineError.js';
import { problemOf, useGetScriptIdentityQuery, useSearchPatientsForScriptMutation, useVerifyIdentityForScriptMutation } from './scripts-api.js';

interface Props {
  conversationId: string;
  onVerified(): void | Promise<void>;
  onCancel(): void;
}

export function VerifyIdentityForm({ conversationId, onVerified, onCancel }: Props) {
  const identity = useGetScriptIdentityQuery(conversationId);
  const [search, searched] = useSearchPatientsForScriptMutation();
  const [verify, verified] = useVerifyIdentityForScriptMutation();
  const [name, setName] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [results, setResults] = useState<PatientMatch[] | null>(null);
  const [patientId, setPatientId] = useState('');
  const [mrn, setMrn] = useState('');
  const [phone, setPhone] = useState('');
  const [postalCode, setPostalCode] = useState('');
  const ids = { name: useId(), birth: useId(), mrn: useId(), phone: useId(), zip: useId(), legend: useId() };
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  if (identity.isLoading) {
    return (
      <p className="loading small" role="status">
        Checking who the caller is…
      </p>
    );
  }
  if (identity.data?.status === 'verified') {
    return (
      <div className="verify-form" role="group" aria-label="Identity">
        <p role="status">
          Verified as <strong>{identity.data.patientName ?? 'the patient'}</strong>
          {identity.data.method === 'portal' ? ' (signed in to the portal).' : identity.data.verifiedBy ? ` by ${identity.data.verifiedBy}.` : '.'}
        </p>
        <button type="button" className="button primary" onClick={() => void onVerified()}>
          Continue
        </button>
      </div>
    );
  }

  const find = async (e: FormEvent) => {
    e.preventDefault();
    const result = await search({ ...(name.trim() ? { name: name.trim() } : {}), ...(birthDate ? { birthDate } : {}) });
    if ('data' in result && result.data) {
      setResults(result.data.results);
      setPatientId(result.data.results.length === 1 ? result.data.results[0]!.id : '');
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      patientId,
      ...(birthDate ? { birthDate } : {}),
      ...(mrn.trim() ? { mrn: mrn.trim() } : {}),
      ...(phone.trim() ? { phone: phone.trim() } : {}),
      ...(postalCode.trim() ? { postalCode: postalCode.trim() } : {}),
    };
    const result = await verify({ conversationId, body });
    if ('data' in result && result.data?.status === 'verified') await onVerified();
  };

  return (
    <div className="verify-form">
      <form onSubmit={(e) => void find(e)} aria-label="Find the caller's record">
        <label htmlFor={ids.name}>Caller’s name</label>
        <input className="input" id={ids.name} ref={first} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" maxLength={200} />
        <label htmlFor={ids.birth}>Date of birth they give</label>
        <input className="input" id={ids.birth} type="date" value={birthDate} onChange={(e) => setBirthDate(e.target.value)} />
        <div className="form-actions">
          <button type="submit" className="button" disabled={searched.isLoading || (!name.trim() && !birthDate)}>
            Find the record
          </button>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
      <InlineError message={problemOf(searched.error, 'search')} />
      {results !== null && results.length === 0 ? <p role="status">No record matches. Check the spelling and the date of birth.</p> : null}
      {results !== null && results.length > 0 ? (
        <form onSubmit={(e) => void submit(e)} aria-label="Verify the caller">
          <fieldset>
            <legend id={ids.legend}>Which record is the caller’s?</legend>
            {results.map((r) => (
              <label key={r.id} className="radio-row">
                <input type="radio" name="verify-patient" value={r.id} checked={patientId === r.id} onChange={() => setPatientId(r.id)} />
                {r.name}, born {r.birthDate ?? 'unknown'}
                {r.city ? `, ${r.city}` : ''}
                {r.mrnHint ? ` (MRN ${r.mrnHint})` : ''}
              </label>
            ))}
          </fieldset>
          <p className="muted small">Ask for one more detail; never read one out for the caller to confirm.</p>
          <label htmlFor={ids.mrn}>MRN</label>
          <input className="input" id={ids.mrn} value={mrn} onChange={(e) => setMrn(e.target.value)} autoComplete="off" maxLength={32} />
          <label htmlFor={ids.phone}>Phone</label>
          <input className="input" id={ids.phone} value={phone} onChange={(e) => setPhone(e.target.value)} autoComplete="off" inputMode="tel" maxLength={32} />
          <label htmlFor={ids.zip}>ZIP code</label>
          <input className="input" id={ids.zip} value={postalCode} onChange={(e) => setPostalCode(e.target.value)} autoComplete="off" inputMode="numeric" maxLength={10} />
          <button type="submit" className="button primary" disabled={verified.isLoading || !patientId}>
            Verify
          </button>
          <InlineError message={problemOf(verified.error, 'verify the caller')} />
        </form>
      ) : null}
    </div>
  );
}
