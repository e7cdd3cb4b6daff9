/**
 * The Patients workspace: open any patient's 360 outside a conversation — search with a stated
 * reason (kept in the audit log with every read), choose, read.
 */
import { useState } from 'react';
import type { PatientMatch } from '@carebridge/server/contracts';
import { FindPatient } from './FindPatient.js';
import { Patient360View } from './Patient360View.js';

export default function PatientsPage() {
  const [opened, setOpened] = useState<{ match: PatientMatch; reason: string } | null>(null);
  return (
    <section className="workspace patients-page" aria-labelledby="workspace-title">
      <header className="workspace-header">
        <h1 id="workspace-title">Patients</h1>
      </header>
      {opened ? (
        <>
          <div className="row">
            <button type="button" className="button" onClick={() => setOpened(null)}>
              ← Back to search
            </button>
            <span className="muted small">Reason on record: {opened.reason}</span>
          </div>
          <Patient360View patientId={opened.match.id} access={{ reason: opened.reason }} />
        </>
      ) : (
        <>
          <p className="muted">Find a patient to open their record. Say why: the reason is kept in the audit log with everything you read.</p>
          <FindPatient onChoose={(match, reason) => setOpened({ match, reason })} chooseLabel="Open" />
        </>
      )}
    </section>
  );
}
