/**
 * The conversation view's "Sentiment" panel: the patient's sentiment now (7-point scale), an alert at
 * or below the clinic's threshold, the trend over the patient's messages as a line, and the drops —
 * each naming the message behind it. The table under the chart is its accessible alternative.
 */
import { useId } from 'react';
import type { SentimentTrendPoint } from '@carebridge/server/contracts';
import { requestErrorText } from '../../api/request-error.js';
import { useAppSelector } from '../../app/hooks.js';
import type { ContextPanelProps } from '../../common/context-panels.js';
import { InlineError } from '../../common/InlineError.js';
import { useGetSentimentTrendQuery } from './sentiment-api.js';
import { scaleClass, scaleWord, selectLiveSentiment } from './sentiment-slice.js';

const W = 260;
const H = 90;
const PAD = 8;

export default function SentimentPanel({ conversationId }: ContextPanelProps) {
  const { data, isLoading, error } = useGetSentimentTrendQuery(conversationId);
  const live = useAppSelector((state) => selectLiveSentiment(state, conversationId));
  const tableId = useId();
  if (isLoading) {
    return (
      <p className="loading small" role="status">
        Loading the sentiment trend…
      </p>
    );
  }
  const current = live?.current ?? data?.current ?? null;
  const points = data?.points ?? [];
  const alertScale = data?.alertScale ?? 2;
  const alerting = current !== null && (live?.alert !== null && live?.alert !== undefined ? true : current.scale <= alertScale);
  return (
    <div className="sentiment-panel">
      <InlineError message={error ? (requestErrorText(error) ?? 'The sentiment trend could not be loaded.') : null} />
      {current === null ? (
        <p className="muted small">No patient message scored yet: the sentiment shows after the patient writes.</p>
      ) : (
        <p className={`sentiment-now ${scaleClass(current.scale)}`}>
          <strong>{scaleWord(current.scale)}</strong> <span className="muted small">({current.scale} of 7, over the last {current.messages} patient message{current.messages === 1 ? '' : 's'})</span>
        </p>
      )}
      {alerting ? (
        <p className="sentiment-alert" role="alert">
          The patient is upset: acknowledge it, say what you will do, and offer a supervisor if it goes on.
        </p>
      ) : null}
      {points.length > 1 ? <TrendChart points={points} alertScale={alertScale} describedBy={tableId} /> : null}
      {points.some((p) => p.drop) ? (
        <ul className="sentiment-drops small" aria-label="Drops in sentiment">
          {points
            .filter((p) => p.drop)
            .map((p) => (
              <li key={p.messageId}>
                {scaleWord(p.drop!.from)} → {scaleWord(p.drop!.to)} after {p.excerpt ? `“${p.excerpt}”` : `the message at ${new Date(p.at).toLocaleTimeString()}`}
              </li>
            ))}
        </ul>
      ) : null}
      {points.length > 0 ? (
        <details className="small">
          <summary>Each message</summary>
          <table id={tableId} className="data-table small">
            <caption className="visually-hidden">Sentiment of each patient message</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Message</th>
                <th scope="col">Its tone</th>
                <th scope="col">Conversation</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.messageId}>
                  <td>{new Date(p.at).toLocaleTimeString()}</td>
                  <td>{p.excerpt || '—'}</td>
                  <td>{scaleWord(p.message.scale)}</td>
                  <td>{scaleWord(p.conversation.scale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </div>
  );
}

function TrendChart({ points, alertScale, describedBy }: { points: SentimentTrendPoint[]; alertScale: number; describedBy: string }) {
  const x = (i: number) => PAD + (i * (W - 2 * PAD)) / Math.max(1, points.length - 1);
  const y = (scale: number) => PAD + ((7 - scale) * (H - 2 * PAD)) / 6;
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.conversation.scale).toFixed(1)}`).join(' ');
  const first = points[0]!.conversation.scale;
  const last = points.at(-1)!.conversation.scale;
  const drops = points.filter((p) => p.drop).length;
  return (
    <svg className="sentiment-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Sentiment over ${points.length} patient messages: from ${scaleWord(first).toLowerCase()} to ${scaleWord(last).toLowerCase()}, ${drops} drop${drops === 1 ? '' : 's'}.`} aria-describedby={describedBy}>
      <line x1={PAD} x2={W - PAD} y1={y(4)} y2={y(4)} className="sentiment-chart-neutral" />
      <line x1={PAD} x2={W - PAD} y1={y(alertScale)} y2={y(alertScale)} className="sentiment-chart-alert" />
      <path d={line} className="sentiment-chart-line" fill="none" />
      {points.map((p, i) => (
        <circle key={p.messageId} cx={x(i)} cy={y(p.conversation.scale)} r={p.drop ? 4 : 2.5} className={p.drop ? 'sentiment-chart-drop' : 'sentiment-chart-point'}>
          <title>{`${scaleWord(p.conversation.scale)}${p.excerpt ? ` after “${p.excerpt}”` : ''}`}</title>
        </circle>
      ))}
    </svg>
  );
}
