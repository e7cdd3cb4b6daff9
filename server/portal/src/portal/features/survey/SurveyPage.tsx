/** /survey/<token>: the follow-up survey opened from its link (no sign-in: the token is the credential). */
import { useEffect, useRef, useState } from 'react';
import type { SurveyAnswers } from '../../../../../src/contracts/surveys.js';
import { STRINGS } from '../../../widget/strings.js';
import { mountSurveyForm, type SurveyFormHandle } from '../../../widget/survey-form.js';
import { applyStyles } from '../../../widget/styles.js';
import { Alert } from '../../common/Alert.js';
import { useAnswerSurveyMutation, useSurveyByTokenQuery } from './survey-api.js';
import { sendOutcome, surveyLoadProblem } from './survey-problem.js';

export function SurveyPage({ token }: { token: string }) {
  const { data, error } = useSurveyByTokenQuery(token);
  const [answerSurvey] = useAnswerSurveyMutation();
  // Sending the answers failed for good: the form goes, the reason stays.
  const [sendProblem, setSendProblem] = useState<string | null>(null);
  const host = useRef<HTMLDivElement>(null);

  const problem = sendProblem ?? (error ? surveyLoadProblem(error) : null);
  const state = problem ? 'problem' : !data ? 'loading' : data.answered ? 'answered' : 'ready';
  const openSurvey = state === 'ready' ? data!.survey : null;

  useEffect(() => {
    if (!openSurvey || !host.current) return;
    const shadow = host.current.shadowRoot ?? host.current.attachShadow({ mode: 'open' });
    applyStyles(shadow);
    const box = document.createElement('div');
    box.className = 'cb-root';
    shadow.replaceChildren(box);
    let form: SurveyFormHandle | null = null;
    const submit = async (answers: SurveyAnswers) => {
      form?.setState('sending');
      const result = await answerSurvey({ token, answers });
      const outcome = sendOutcome(result.error);
      if (outcome.kind === 'done') form?.setState('done');
      else if (outcome.kind === 'retry') form?.setState('open');
      else setSendProblem(outcome.message);
    };
    form = mountSurveyForm(box, { survey: openSurvey, strings: STRINGS.en, onSubmit: submit });
    return () => form?.destroy();
  }, [openSurvey, token, answerSurvey]);

  return (
    <section aria-labelledby="survey-heading" className="portal-card portal-narrow">
      <h1 id="survey-heading">Your feedback</h1>
      {state === 'loading' && <p role="status">Loading the survey…</p>}
      {state === 'answered' && <p role="status">You have already answered this survey. Thank you!</p>}
      {problem && <Alert>{problem}</Alert>}
      <div ref={host} hidden={state !== 'ready'} />
    </section>
  );
}
