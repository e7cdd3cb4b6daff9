/** Pure helpers of the Knowledge panel: the chat card an article becomes, and where a search starts. */
import { portalArticlePath, type ChatCard, type HandoffPacket, type KnowledgeArticle } from '@carebridge/server/contracts';

/** The card "Send to patient" posts: title, the summary as its text, a link to read it in the portal. */
export function articleCard(article: Pick<KnowledgeArticle, 'id' | 'title' | 'summary' | 'language'>): ChatCard {
  return {
    type: 'article',
    title: article.title.slice(0, 200),
    text: article.summary.slice(0, 2000),
    actions: [{ label: article.language === 'es' ? 'Leer el artículo' : 'Read the article', url: portalArticlePath(article.id) }],
  };
}

const VAGUE_INTENTS = new Set(['unknown', 'person', 'red-flag', '']);

/**
 * What the search box starts with in a conversation the bot handed over: the patient's own words
 * quoted in the summary (`… after 2 message(s): "I need a refill"`), else a specific intent
 * (`billing`), else nothing.
 */
export function prefilledQuery(packet: Pick<HandoffPacket, 'intent' | 'summary'> | null): string {
  if (!packet) return '';
  const quoted = /"([^"]{3,})"\s*$/.exec(packet.summary.trim());
  if (quoted) return quoted[1]!.trim().slice(0, 120);
  return VAGUE_INTENTS.has(packet.intent) ? '' : packet.intent.replace(/[-_.]+/g, ' ');
}
