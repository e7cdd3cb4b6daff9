/**
 * Find a patient: any of name (misspellings tolerated), date of birth, phone, MRN or e-mail, with the
 * reason the search is made (the server audits it). Results show just enough to tell people apart.
 */
import { useId, useState, type FormEvent } from 'react';
import type { PatientMatch, PatientSearchRequest } from '@carebridge/server/contracts';
import { requestErrorText } from '../../api/request-error.js';
import { useSearchPatientsMutation } from './patients-api.js';

interface Props {
  /** The stated reason; when absent the form asks for one. */
  reason?: string;
  /** Prefill (the visitor's name, the caller ID). */
  initial?: { name?: string; phone?: string; birthDate?: string };
  /** With the reason the search was made for (the one given, or the one typed). */
  onChoose(match: PatientMatch, reason: string): void;
  chooseLabel: string;
}

const GENDER: Record<string, string> = { male: 'male', female: 'female', other: 'other', unknown: 'sex unknown' };

export function FindPatient({ reason: givenReason, initial, onChoose, chooseLabel }: Props) {
  const id = useId();
  const [fields, setFields] = useState({ name: initial?.name ?? '', birthDate: initial?.birthDate ?? '', phone: initial?.phone ?? '', mrn: '', email: '' });
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [searchedFor, setSearchedFor] = useState('');
  const [search, { data, isLoading, error, reset }] = useSearchPatientsMutation();
  const set = (key: keyof typeof fields) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [key]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const request: PatientSearchRequest = {};
    for (const [key, value] of Object.entries(fields) as [keyof typeof fields, string][]) if (value.trim() !== '') request[key] = value.trim();
    if (Object.keys(request).length === 0) return setProblem('Enter a name, date of birth, phone, MRN or e-mail to search by.');
    const why = (givenReason ?? reason).trim();
    if (why.length < 3) return setProblem('Say why you are looking this patient up (at least 3 characters): it is kept in the audit log.');
    setProblem(null);
    reset();
    setSearchedFor(why);
    await search({ request, reason: why });
  }

  const results = data?.results;
  const failure = problem ?? requestErrorText(error);
  return (
    <div className="find-patient">
      <form className="find-patient-form" onSubmit={submit} aria-label="Find a patient" noValidate>
        <div className="field-grid">
          <label htmlFor={`${id}-name`}>Name</label>
          <input className="input" id={`${id}-name`} value={fields.name} onChange={set('name')} autoComplete="off" />
          <label htmlFor={`${id}-dob`}>Date of birth</label>
          <input className="input" id={`${id}-dob`} type="date" value={fields.birthDate} onChange={set('birthDate')} />
          <label htmlFor={`${id}-phone`}>Phone</label>
          <input className="input" id={`${id}-phone`} type="tel" value={fields.phone} onChange={set('phone')} autoComplete="off" />
          <label htmlFor={`${id}-mrn`}>MRN</label>
          <input className="input" id={`${id}-mrn`} value={fields.mrn} onChange={set('mrn')} autoComplete="off" />
          <label htmlFor={`${id}-email`}>E-mail</label>
          <input className="input" id={`${id}-email`} type="email" value={fields.email} onChange={set('email')} autoComplete="off" />
          {givenReason === undefined ? (
            <>
              <label htmlFor={`${id}-reason`}>Reason</label>
              <input className="input" id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. returning a call about a bill" aria-describedby={`${id}-reason-hint`} />
              <span id={`${id}-reason-hint`} className="muted small field-hint">
                Kept in the audit log with every record you open.
              </span>
            </>
          ) : null}
        </div>
        <div className="row">
          <button type="submit" className="button primary" disabled={isLoading}>
            {isLoading ? 'Searching…' : 'Search'}
          </button>
        </div>
      </form>
      {failure ? (
        <p role="alert" className="inline-error small">
          {failure}
        </p>
      ) : null}
      {results ? (
        results.length === 0 ? (
          <p className="muted small" role="status">
            Nobody matches. Check the spelling or search by another detail.
          </p>
        ) : (
          <ul className="patient-matches" aria-label="Matching patients">
            {results.map((m) => (
              <li key={m.id}>
                <div>
                  <strong>{m.name}</strong>
                  <span className="muted small">
                    {' '}
                    {[m.birthDate ? `born ${m.birthDate}` : null, m.age !== null ? `${m.age} y` : null, m.gender ? GENDER[m.gender] : null, m.city, m.mrnHint ? `MRN ${m.mrnHint}` : null].filter(Boolean).join(' · ')}
                  </span>
                </div>
                <button type="button" className="button" onClick={() => onChoose(m, searchedFor)} aria-label={`${chooseLabel}: ${m.name}${m.birthDate ? `, born ${m.birthDate}` : ''}`}>
                  {chooseLabel}
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </div>
  );
}
