/** /survey/<token>: the follow-up survey opened from its link (no sign-in: the token is the credential). */
import { useEffect, useRef, useState } from 'react';
import type { SurveyAnswers, SurveyByTokenResponse } from '../../../src/contracts/surveys.js';
import { STRINGS } from '../widget/strings.js';
import { mountSurveyForm, type SurveyFormHandle } from '../widget/survey-form.js';
import { applyStyles } from '../widget/styles.js';

type Load = { state: 'loading' } | { state: 'ready'; survey: SurveyByTokenResponse } | { state: 'answered' } | { state: 'problem'; message: string };

const MESSAGES: Record<number, string> = {
  404: 'This survey link is not valid. Check that you copied the whole link.',
  410: 'This survey has expired. Thank you all the same.',
};

export function SurveyPage({ token }: { token: string }) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const host = useRef<HTMLDivElement>(null);
  const path = `/api/surveys/by-token/${encodeURIComponent(token)}`;

  useEffect(() => {
    let cancelled = false;
    fetch(path, { cache: 'no-store' })
      .then(async (res) => {
        if (cancelled) return;
        if (!res.ok) return setLoad({ state: 'problem', message: MESSAGES[res.status] ?? `The survey could not be loaded (${res.status}).` });
        const survey = (await res.json()) as SurveyByTokenResponse;
        setLoad(survey.answered ? { state: 'answered' } : { state: 'ready', survey });
      })
      .catch(() => !cancelled && setLoad({ state: 'problem', message: 'Cannot reach the server. Try again later.' }));
    return () => {
      cancelled = true;
    };
  }, [path]);

  useEffect(() => {
    if (load.state !== 'ready' || !host.current) return;
    const shadow = host.current.shadowRoot ?? host.current.attachShadow({ mode: 'open' });
    applyStyles(shadow);
    const box = document.createElement('div');
    box.className = 'cb-root';
    shadow.replaceChildren(box);
    let form: SurveyFormHandle | null = null;
    const submit = async (answers: SurveyAnswers) => {
      form?.setState('sending');
      try {
        const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answers }) });
        if (res.status === 201 || res.status === 409) {
          form?.setState('done');
          return;
        }
        const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
        setLoad({ state: 'problem', message: `Your answers could not be sent: ${body.error?.message ?? res.status}` });
      } catch {
        form?.setState('open');
      }
    };
    form = mountSurveyForm(box, { survey: load.survey.survey, strings: STRINGS.en, onSubmit: submit });
    return () => form?.destroy();
  }, [load, path]);

  return (
    <section aria-labelledby="survey-heading" className="portal-card portal-narrow">
      <h1 id="survey-heading">Your feedback</h1>
      {load.state === 'loading' && <p role="status">Loading the survey…</p>}
      {load.state === 'answered' && <p role="status">You have already answered this survey. Thank you!</p>}
      {load.state === 'problem' && (
        <p role="alert" className="portal-alert">
          {load.message}
        </p>
      )}
      <div ref={host} hidden={load.state !== 'ready'} />
    </section>
  );
}
