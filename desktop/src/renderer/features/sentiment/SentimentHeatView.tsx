/**
 * The supervisors' heat view: every ongoing conversation as a tile coloured by the patient's
 * sentiment now (7-point scale), the ones at or below the alert threshold first, live. Picking one
 * calls `onMonitor` (the page monitors it, audited).
 */
import type { SupervisedConversation } from '@carebridge/server/contracts';
import { requestErrorText } from '../../api/request-error.js';
import { InlineError } from '../../common/InlineError.js';
import { useGetLiveSentimentQuery } from './sentiment-api.js';
import { scaleClass, scaleWord } from './sentiment-slice.js';

export default function SentimentHeatView({ conversations, nameOf, onMonitor }: { conversations: readonly SupervisedConversation[]; nameOf(c: SupervisedConversation): string; onMonitor(conversationId: string): void }) {
  const { data, error } = useGetLiveSentimentQuery(undefined, { refetchOnMountOrArgChange: true });
  const byId = new Map((data?.conversations ?? []).map((c) => [c.conversationId, c.current]));
  const alertScale = data?.alertScale ?? 2;
  const rows = conversations
    .filter((c) => c.state !== 'closed')
    .map((c) => ({ c, current: byId.get(c.id) ?? null }))
    .sort((a, b) => (a.current?.scale ?? 8) - (b.current?.scale ?? 8));
  const negative = rows.filter((r) => r.current && r.current.scale <= alertScale).length;
  return (
    <section className="card sentiment-heat" aria-labelledby="sentiment-heat-title">
      <h2 id="sentiment-heat-title">Patient sentiment</h2>
      <InlineError message={error ? (requestErrorText(error) ?? 'Sentiment could not be loaded.') : null} />
      <p className="muted small" role="status">
        {rows.length === 0 ? 'No ongoing conversations.' : negative > 0 ? `${negative} conversation${negative === 1 ? '' : 's'} negative or worse.` : 'No conversation is negative.'}
      </p>
      <ul className="sentiment-tiles" aria-label="Ongoing conversations by sentiment">
        {rows.map(({ c, current }) => (
          <li key={c.id}>
            <button type="button" className={`sentiment-tile ${current ? scaleClass(current.scale) : 'sentiment-unscored'}${current && current.scale <= alertScale ? ' alert' : ''}`} onClick={() => onMonitor(c.id)}>
              <span className="tile-name">{nameOf(c)}</span>
              <span className="tile-value">{current ? scaleWord(current.scale) : 'Not scored yet'}</span>
              <span className="visually-hidden">: monitor</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
