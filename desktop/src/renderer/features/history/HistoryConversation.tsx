/**
 * One conversation read back from history, read-only: who it was with, when, which queue and agent,
 * the wrap-up, the follow-up survey, and the whole transcript with internal notes.
 */
import { useEffect, useId, useRef } from 'react';
import { Transcript } from '../../common/transcript/Transcript.js';
import { InlineError } from '../../common/InlineError.js';
import { CHANNEL_LABELS, FALLBACK_SETTINGS, STATE_LABELS, useGetConversationSettingsQuery } from '../conversations/index.js';
import { historyErrorText, useGetConversationSurveyQuery, useGetHistoryConversationQuery } from './history-api.js';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }) : '—');
const QUESTION_LABELS: Record<string, string> = {
  csat: 'Satisfaction (1–5)',
  nps: 'Would recommend (0–10)',
  resolved: 'Problem solved',
  improve: 'What could be better',
};
const answerText = (value: unknown) => (value === true ? 'Yes' : value === false ? 'No' : String(value));
const STAFF = new Set(['agent', 'consultant', 'supervisor']);

export function HistoryConversation({ id, me, onClose }: { id: string; me: string; onClose(): void }) {
  const { data, error, isFetching } = useGetHistoryConversationQuery(id);
  const survey = useGetConversationSurveyQuery(id, { skip: !data });
  const queues = (useGetConversationSettingsQuery().data ?? FALLBACK_SETTINGS).queues;
  const titleId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Opening one (by mouse or keyboard) moves the reader to it.
  useEffect(() => {
    if (data) headingRef.current?.focus();
  }, [data?.conversation.id]);

  const names: Record<string, string> = {};
  for (const p of data?.participants ?? []) if (p.displayName) names[p.userId] = p.displayName;
  const staff = (data?.participants ?? []).filter((p) => STAFF.has(p.kind));
  const response = survey.data?.response ?? null;

  return (
    <article className="history-detail card" aria-labelledby={titleId}>
      <div className="row history-detail-head">
        <h2 id={titleId} ref={headingRef} tabIndex={-1}>
          {data ? data.patientName : 'Conversation'}
          {data?.conversation.patientId ? (
            <span className="badge verified small" title="Signed in to the portal: identity verified">
              Verified
            </span>
          ) : null}
        </h2>
        <span className="spacer" />
        <button type="button" className="button" onClick={onClose}>
          Back to the list
        </button>
      </div>
      {isFetching && !data ? (
        <p className="loading" role="status">
          Loading the conversation…
        </p>
      ) : null}
      <InlineError message={historyErrorText(error)} />
      {data ? (
        <>
          <dl className="details">
            <div>
              <dt>Channel</dt>
              <dd>{CHANNEL_LABELS[data.conversation.channel] ?? data.conversation.channel}</dd>
            </div>
            <div>
              <dt>State</dt>
              <dd>{STATE_LABELS[data.conversation.state] ?? data.conversation.state}</dd>
            </div>
            <div>
              <dt>Queue</dt>
              <dd>{data.conversation.queue ? (queues.find((q) => q.id === data.conversation.queue)?.name ?? data.conversation.queue) : '—'}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd className="tabular">{when(data.conversation.createdAt)}</dd>
            </div>
            <div>
              <dt>Ended</dt>
              <dd className="tabular">{when(data.conversation.closedAt)}</dd>
            </div>
            <div>
              <dt>Staff</dt>
              <dd>{staff.length ? staff.map((p) => `${p.displayName ?? 'A colleague'} (${p.kind}${p.leftAt ? ', left' : ''})`).join(', ') : '—'}</dd>
            </div>
          </dl>
          <section aria-label="Wrap-up" className="history-section">
            <h3>Wrap-up</h3>
            {data.wrapup ? (
              <dl className="details">
                <div>
                  <dt>Disposition</dt>
                  <dd>{data.wrapup.dispositionLabel ?? 'None'}</dd>
                </div>
                <div>
                  <dt>Notes</dt>
                  <dd>{data.wrapup.notes ?? '—'}</dd>
                </div>
                <div>
                  <dt>By</dt>
                  <dd>
                    {data.wrapup.byName ?? 'A colleague'}, {when(data.wrapup.at)}
                  </dd>
                </div>
              </dl>
            ) : (
              <p className="muted small">No wrap-up recorded{data.conversation.state === 'closed' ? '' : ' yet'}.</p>
            )}
          </section>
          <section aria-label="Follow-up survey" className="history-section">
            <h3>Follow-up survey</h3>
            {survey.isFetching && !survey.data ? <p className="muted small">Loading the survey…</p> : null}
            <InlineError message={historyErrorText(survey.error)} />
            {survey.data && !survey.data.offered ? <p className="muted small">No survey was offered.</p> : null}
            {survey.data?.offered && !response ? <p className="muted small">Offered, not answered.</p> : null}
            {response ? (
              <dl className="details">
                {Object.entries(response.answers).map(([question, value]) => (
                  <div key={question}>
                    <dt>{QUESTION_LABELS[question] ?? question}</dt>
                    <dd>{answerText(value)}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </section>
          <h3>Transcript</h3>
          <div className="history-transcript">
            <Transcript label={`Transcript with ${data.patientName}`} messages={data.messages} me={me} names={names} patientName={data.patientName} />
          </div>
        </>
      ) : null}
    </article>
  );
}
