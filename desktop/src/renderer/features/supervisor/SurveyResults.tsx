import type { SurveyResponsesResponse } from '@carebridge/server/contracts';
import { InlineError } from '../../common/InlineError.js';
import { supervisorErrorText, useGetAgentDirectoryQuery, useGetSurveyResultsQuery } from './supervisor-api.js';

type Group = SurveyResponsesResponse['summary']['byAgent'][number] | SurveyResponsesResponse['summary']['byQueue'][number];

/** How often the survey results are fetched again while the page is open. */
const REFRESH_MS = 30_000;
const RECENT_COMMENTS = 5;

export const formatCsat = (value: number | null) => (value === null ? '—' : value.toFixed(1));
export const formatNps = (value: number | null) => (value === null ? '—' : `${value > 0 ? '+' : ''}${Math.round(value)}`);

/** Free-text answers, newest first, with who handled the chat. */
export function recentComments(items: SurveyResponsesResponse['items'], limit = RECENT_COMMENTS): { id: string; text: string; agentId: string | null; at: string }[] {
  const out: { id: string; text: string; agentId: string | null; at: string }[] = [];
  for (const item of [...items].sort((a, b) => b.submittedAt.localeCompare(a.submittedAt))) {
    for (const [questionId, value] of Object.entries(item.answers)) {
      if (typeof value === 'string' && value.trim() !== '') out.push({ id: `${item.id}/${questionId}`, text: value.trim(), agentId: item.agentId, at: item.submittedAt });
    }
    if (out.length >= limit) break;
  }
  return out.slice(0, limit);
}

/**
 * Follow-up survey results for the supervisor: CSAT (1–5) and NPS (−100…+100) overall, per agent and per
 * queue, as bars and a table, and the latest comments. Read from `GET /api/surveys/responses`.
 */
export function SurveyResults() {
  const { data, error, isLoading } = useGetSurveyResultsQuery(undefined, { pollingInterval: REFRESH_MS, refetchOnMountOrArgChange: true });
  const { data: colleagues } = useGetAgentDirectoryQuery();
  const nameOf = (agentId: string | null) => (agentId === null ? 'No agent' : (colleagues?.find((c) => c.userId === agentId)?.displayName ?? agentId));
  const errorText = supervisorErrorText(error);
  return (
    <section className="card" aria-labelledby="surveys-title">
      <h2 id="surveys-title">Follow-up surveys</h2>
      {isLoading ? (
        <p className="loading" role="status">
          Loading survey results…
        </p>
      ) : null}
      <InlineError message={errorText} />
      {data && data.summary.count === 0 ? <p className="muted">No survey answers yet — they appear here after patients answer.</p> : null}
      {data && data.summary.count > 0 ? (
        <>
          <dl className="survey-totals" aria-label="Survey totals">
            <div>
              <dt>Answers</dt>
              <dd>{data.summary.count}</dd>
            </div>
            <div>
              <dt>CSAT (1–5)</dt>
              <dd>{formatCsat(data.summary.csatAverage)}</dd>
            </div>
            <div>
              <dt>NPS</dt>
              <dd>{formatNps(data.summary.nps)}</dd>
            </div>
          </dl>
          <SurveyGroupTable title="By agent" rows={data.summary.byAgent.map((g) => ({ key: g.agentId, name: nameOf(g.agentId), group: g }))} />
          <SurveyGroupTable title="By queue" rows={data.summary.byQueue.map((g) => ({ key: g.queue, name: g.queue, group: g }))} />
          <h3>Latest comments</h3>
          <ul className="survey-comments">
            {recentComments(data.items).map((c) => (
              <li key={c.id}>
                <q>{c.text}</q> <span className="muted small">— chat with {nameOf(c.agentId)}, {new Date(c.at).toLocaleString()}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function SurveyGroupTable({ title, rows }: { title: string; rows: { key: string; name: string; group: Group }[] }) {
  return (
    <table className="data-table">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">{title === 'By agent' ? 'Agent' : 'Queue'}</th>
          <th scope="col">Answers</th>
          <th scope="col">CSAT</th>
          <th scope="col">NPS</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ key, name, group }) => (
          <tr key={key}>
            <th scope="row">{name}</th>
            <td>{group.count}</td>
            <td>
              <span className="load">
                <meter min={1} max={5} value={group.csatAverage ?? 1} aria-label={`CSAT of ${name}`} />
                <span>{formatCsat(group.csatAverage)}</span>
              </span>
            </td>
            <td>{formatNps(group.nps)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
