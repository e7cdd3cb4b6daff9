/** On a session tab: the conversation's sentiment in a word and a colour, "alert" while it is at or below the threshold. */
import { useAppSelector } from '../../app/hooks.js';
import { scaleClass, scaleWord, selectLiveSentiment } from './sentiment-slice.js';

export default function SentimentBadge({ conversationId }: { conversationId: string }) {
  const live = useAppSelector((state) => selectLiveSentiment(state, conversationId));
  if (!live) return null;
  const word = scaleWord(live.current.scale);
  return (
    <span className={`sentiment-badge ${scaleClass(live.current.scale)}${live.alert ? ' alert' : ''}`} title={`Patient sentiment: ${word.toLowerCase()}`}>
      {live.alert ? `${word} · alert` : word}
    </span>
  );
}
