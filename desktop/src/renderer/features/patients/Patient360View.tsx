/**
 * Patient 360: the record in sections (each collapsible, each with its empty state), high-criticality
 * allergies called out at the top, labs and vitals with small trend charts, contact details masked
 * until the user reveals one (the server audits each reveal).
 */
import type { ReactNode } from 'react';
import type { Patient360, Patient360Series, RevealableField } from '@carebridge/server/contracts';
import { requestErrorText } from '../../api/request-error.js';
import { useGetPatient360Query, useRevealDetailMutation, type RecordAccess } from './patients-api.js';
import { Sparkline } from './Sparkline.js';

const day = (iso: string | null) => (iso ? new Date(iso.length === 10 ? `${iso}T12:00:00` : iso).toLocaleDateString([], { year: 'numeric', month: 'short', day: 'numeric' }) : '—');
const dayTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString([], { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }) : '—');

export type SectionId = 'overview' | 'contacts' | 'coverage' | 'allergies' | 'conditions' | 'medications' | 'immunizations' | 'results' | 'appointments' | 'visits' | 'care' | 'tasks' | 'conversations' | 'preferences';

function Section({ id, title, count, children, open }: { id: SectionId; title: string; count?: number; children: ReactNode; open?: boolean }) {
  return (
    <details className="p360-section" id={`p360-${id}`} open={open}>
      <summary>
        <span>{title}</span>
        {count !== undefined ? <span className="count-badge" aria-label={`${count} ${count === 1 ? 'item' : 'items'}`}>{count}</span> : null}
      </summary>
      <div className="p360-body">{children}</div>
    </details>
  );
}

const Empty = ({ children }: { children: ReactNode }) => <p className="muted small">{children}</p>;

function Reveal({ patientId, field, access, label }: { patientId: string; field: RevealableField; access: RecordAccess; label: string }) {
  const [reveal, { data, isLoading, error }] = useRevealDetailMutation();
  if (data) return <span className="revealed">{data.values.filter(Boolean).join(' · ') || 'Not recorded'}</span>;
  return (
    <>
      <button type="button" className="button ghost small" onClick={() => void reveal({ patientId, field, access })} disabled={isLoading} aria-label={`Show ${label}`}>
        {isLoading ? 'Showing…' : 'Show'}
      </button>
      {error ? (
        <span role="alert" className="inline-error small">
          {requestErrorText(error)}
        </span>
      ) : null}
    </>
  );
}

function SeriesRow({ s }: { s: Patient360Series }) {
  return (
    <li className="series">
      <div>
        <span className="series-name">{s.name}</span>
        <span className="series-latest">
          {s.latest?.display}
          {s.latest?.interpretation ? <span className="muted small"> ({s.latest.interpretation})</span> : null}
        </span>
        <span className="muted small">{day(s.latest?.date ?? null)}</span>
      </div>
      {s.points.length > 1 ? <Sparkline series={s} /> : null}
    </li>
  );
}

export function Patient360Body({ record, access }: { record: Patient360; access: RecordAccess }) {
  const p = record.patient;
  const critical = record.allergies.filter((a) => a.criticality === 'high');
  return (
    <div className="p360">
      <header className="p360-header">
        <h4 className="p360-name">{p.name}</h4>
        <p className="muted small">
          {[p.birthDate ? `born ${day(p.birthDate)}` : null, p.age !== null ? `${p.age} years` : null, p.gender, p.language ? `speaks ${p.language}` : null].filter(Boolean).join(' · ')}
        </p>
        {p.deceased ? <p className="inline-error small">Recorded as deceased.</p> : null}
      </header>
      {critical.length > 0 ? (
        <div className="p360-alert" role="note" aria-label="High-criticality allergies">
          <strong>Allergy alert:</strong> {critical.map((a) => `${a.text}${a.reactions.length ? ` (${a.reactions.join(', ')})` : ''}`).join('; ')}
        </div>
      ) : null}

      <Section id="overview" title="Demographics" open>
        <dl className="details">
          <div>
            <dt>MRN</dt>
            <dd>
              {p.mrn ?? 'None'} {p.mrn ? <Reveal patientId={p.id} field="mrn" access={access} label="MRN" /> : null}
            </dd>
          </div>
          <div>
            <dt>Phone</dt>
            <dd>
              {p.phones.length ? p.phones.map((t) => `${t.masked}${t.use ? ` (${t.use})` : ''}`).join(', ') : 'None'} {p.phones.length ? <Reveal patientId={p.id} field="phone" access={access} label="phone numbers" /> : null}
            </dd>
          </div>
          <div>
            <dt>E-mail</dt>
            <dd>
              {p.emails.length ? p.emails.map((t) => t.masked).join(', ') : 'None'} {p.emails.length ? <Reveal patientId={p.id} field="email" access={access} label="e-mail" /> : null}
            </dd>
          </div>
          <div>
            <dt>Address</dt>
            <dd>
              {p.address ?? 'None'} {p.address ? <Reveal patientId={p.id} field="address" access={access} label="street address" /> : null}
            </dd>
          </div>
          <div>
            <dt>Primary care</dt>
            <dd>{p.generalPractitioner ?? 'None recorded'}</dd>
          </div>
          {p.maritalStatus ? (
            <div>
              <dt>Marital status</dt>
              <dd>{p.maritalStatus}</dd>
            </div>
          ) : null}
        </dl>
      </Section>

      <Section id="contacts" title="Contacts and emergency contacts" count={record.contacts.length}>
        {record.contacts.length === 0 ? (
          <Empty>No contacts on record.</Empty>
        ) : (
          <>
            <ul className="plain-list">
              {record.contacts.map((c, i) => (
                <li key={i}>
                  <strong>{c.name}</strong> <span className="muted small">{c.relationship}</span> {c.emergency ? <span className="tag tag-warn">Emergency</span> : null} {c.phoneMasked ? <span className="small">{c.phoneMasked}</span> : null}
                </li>
              ))}
            </ul>
            <p className="small">
              Phone numbers: <Reveal patientId={p.id} field="contacts" access={access} label="contacts' phone numbers" />
            </p>
          </>
        )}
      </Section>

      <Section id="coverage" title="Coverage" count={record.coverages.length}>
        {record.coverages.length === 0 ? (
          <Empty>No insurance on record (self-pay).</Empty>
        ) : (
          <ul className="plain-list">
            {record.coverages.map((c) => (
              <li key={c.id}>
                <strong>{c.payor}</strong> <span className="muted small">{[c.type, c.plan, c.status, c.period].filter(Boolean).join(' · ')}</span>
                {c.memberIdMasked ? (
                  <span className="small">
                    {' '}
                    member {c.memberIdMasked} <Reveal patientId={p.id} field="memberId" access={access} label="member ids" />
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="allergies" title="Allergies" count={record.allergies.length} open={record.allergies.length > 0}>
        {record.allergies.length === 0 ? (
          <Empty>No known allergies recorded.</Empty>
        ) : (
          <ul className="plain-list">
            {record.allergies.map((a) => (
              <li key={a.id} className={a.criticality === 'high' ? 'critical' : undefined}>
                <strong>{a.text}</strong> {a.criticality === 'high' ? <span className="tag tag-danger">High criticality</span> : a.criticality === 'low' ? <span className="tag">Low criticality</span> : null}
                {a.reactions.length ? <span className="small"> {a.reactions.join(', ')}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="conditions" title="Active conditions" count={record.conditions.length}>
        {record.conditions.length === 0 ? (
          <Empty>No active conditions.</Empty>
        ) : (
          <ul className="plain-list">
            {record.conditions.map((c) => (
              <li key={c.id}>
                {c.text} <span className="muted small">since {day(c.date)}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="medications" title="Medications" count={record.medications.length} open={record.medications.length > 0}>
        {record.medications.length === 0 ? (
          <Empty>No active medications.</Empty>
        ) : (
          <ul className="plain-list">
            {record.medications.map((m) => (
              <li key={m.id}>
                <strong>{m.text}</strong>
                {m.dosage ? <span className="small"> — {m.dosage}</span> : null}
                <span className="muted small"> {[m.prescriber, m.date ? `since ${day(m.date)}` : null, m.status === 'on-hold' ? 'on hold' : null].filter(Boolean).join(' · ')}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="immunizations" title="Immunizations" count={record.immunizations.length}>
        {record.immunizations.length === 0 ? (
          <Empty>No immunizations recorded.</Empty>
        ) : (
          <ul className="plain-list">
            {record.immunizations.map((i) => (
              <li key={i.id}>
                {i.text} <span className="muted small">{day(i.date)}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="results" title="Latest labs and vitals" count={record.labs.length + record.vitals.length}>
        {record.labs.length + record.vitals.length === 0 ? (
          <Empty>No results recorded.</Empty>
        ) : (
          <>
            {record.vitals.length ? (
              <>
                <h5>Vitals</h5>
                <ul className="series-list">
                  {record.vitals.map((s) => (
                    <SeriesRow key={s.code} s={s} />
                  ))}
                </ul>
              </>
            ) : null}
            {record.labs.length ? (
              <>
                <h5>Labs</h5>
                <ul className="series-list">
                  {record.labs.map((s) => (
                    <SeriesRow key={s.code} s={s} />
                  ))}
                </ul>
              </>
            ) : null}
          </>
        )}
      </Section>

      <Section id="appointments" title="Appointments" count={record.appointments.upcoming.length}>
        <h5>Upcoming</h5>
        {record.appointments.upcoming.length === 0 ? (
          <Empty>No upcoming appointments.</Empty>
        ) : (
          <ul className="plain-list">
            {record.appointments.upcoming.map((a) => (
              <li key={a.id}>
                <strong>{dayTime(a.start)}</strong> {a.description} <span className="muted small">{[a.practitioner, a.location].filter(Boolean).join(' · ')}</span>
              </li>
            ))}
          </ul>
        )}
        <h5>Recent</h5>
        {record.appointments.recent.length === 0 ? (
          <Empty>No past appointments.</Empty>
        ) : (
          <ul className="plain-list">
            {record.appointments.recent.map((a) => (
              <li key={a.id}>
                {dayTime(a.start)} {a.description} <span className="muted small">{a.status}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="visits" title="Recent visits" count={record.encounters.length}>
        {record.encounters.length === 0 ? (
          <Empty>No visits recorded.</Empty>
        ) : (
          <ul className="plain-list">
            {record.encounters.map((e) => (
              <li key={e.id}>
                <strong>{day(e.start)}</strong> {e.type} <span className="muted small">{[e.practitioner, e.location].filter(Boolean).join(' · ')}</span>
                {e.summary ? (
                  <details className="visit-summary">
                    <summary>Visit summary</summary>
                    <pre>{e.summary}</pre>
                  </details>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="care" title="Care plans and care team" count={record.carePlans.length}>
        {record.carePlans.length === 0 ? (
          <Empty>No active care plans.</Empty>
        ) : (
          <ul className="plain-list">
            {record.carePlans.map((c) => (
              <li key={c.id}>
                <strong>{c.title}</strong> <span className="muted small">{[c.status, c.period].filter(Boolean).join(' · ')}</span>
                {c.activities.length ? (
                  <ul>
                    {c.activities.map((a, i) => (
                      <li key={i} className="small">
                        {a.text}
                        {a.status ? <span className="muted"> ({a.status})</span> : null}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        <h5>Care team</h5>
        {record.careTeams.length === 0 || record.careTeams.every((t) => t.members.length === 0) ? (
          <Empty>No care team recorded.</Empty>
        ) : (
          <ul className="plain-list">
            {record.careTeams.flatMap((t) =>
              t.members.map((m, i) => (
                <li key={`${t.id}-${i}`}>
                  {m.name} <span className="muted small">{m.role}</span>
                </li>
              )),
            )}
          </ul>
        )}
      </Section>

      <Section id="tasks" title="Open tasks" count={record.tasks.length}>
        {record.tasks.length === 0 ? (
          <Empty>No open tasks.</Empty>
        ) : (
          <ul className="plain-list">
            {record.tasks.map((t) => (
              <li key={t.id}>
                {t.description} <span className="muted small">{[t.status, t.owner, t.authoredOn ? day(t.authoredOn) : null].filter(Boolean).join(' · ')}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="conversations" title="Previous conversations" count={record.conversations.length}>
        {record.conversations.length === 0 ? (
          <Empty>No earlier conversations.</Empty>
        ) : (
          <ul className="plain-list">
            {record.conversations.map((c) => (
              <li key={c.id}>
                <strong>{dayTime(c.createdAt)}</strong> <span className="muted small">{[c.queue, c.agentName, c.dispositionLabel].filter(Boolean).join(' · ') || 'No wrap-up'}</span>
                {c.summary ? <p className="small">{c.summary}</p> : null}
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="preferences" title="Consent and contact preferences">
        <dl className="details">
          <div>
            <dt>Language</dt>
            <dd>{record.preferences.language ?? 'Not recorded'}</dd>
          </div>
          <div>
            <dt>Preferred contact</dt>
            <dd>{record.preferences.preferredChannel ?? 'Not recorded'}</dd>
          </div>
        </dl>
        {record.preferences.consents.length === 0 ? (
          <Empty>No consent records.</Empty>
        ) : (
          <ul className="plain-list">
            {record.preferences.consents.map((c) => (
              <li key={c.id}>
                {c.category} <span className="muted small">{[c.decision, c.status, c.date ? day(c.date) : null].filter(Boolean).join(' · ')}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}

/** Loads and shows a patient's 360, with its loading and error states. */
export function Patient360View({ patientId, access }: { patientId: string; access: RecordAccess }) {
  const { data, isLoading, isFetching, error, refetch } = useGetPatient360Query({ patientId, access });
  if (isLoading) {
    return (
      <p className="muted small" role="status">
        Loading the patient record…
      </p>
    );
  }
  if (error || !data) {
    return (
      <div>
        <p role="alert" className="inline-error small">
          {requestErrorText(error) ?? 'The record could not be loaded.'}
        </p>
        <button type="button" className="button" onClick={() => void refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <div aria-busy={isFetching}>
      <Patient360Body record={data} access={access} />
    </div>
  );
}
