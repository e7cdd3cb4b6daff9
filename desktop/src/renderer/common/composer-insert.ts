/**
 * Putting text into a conversation's message box from elsewhere in the desk (the Knowledge panel's
 * "Insert excerpt"), without importing the conversations feature: a panel calls
 * `insertIntoComposer(conversationId, text)`; the composer of that conversation, subscribed with
 * `subscribeComposerInserts`, adds the text to what is being typed and takes the focus. The agent
 * can edit it before sending: nothing is sent by this.
 */
type Listener = (text: string) => void;

const listeners = new Map<string, Set<Listener>>();

/** Returns false when no composer of that conversation is on screen. */
export function insertIntoComposer(conversationId: string, text: string): boolean {
  const subscribed = listeners.get(conversationId);
  if (!subscribed || subscribed.size === 0) return false;
  for (const listener of subscribed) listener(text);
  return true;
}

export function subscribeComposerInserts(conversationId: string, listener: Listener): () => void {
  const set = listeners.get(conversationId) ?? new Set<Listener>();
  set.add(listener);
  listeners.set(conversationId, set);
  return () => {
    set.delete(listener);
    if (set.size === 0) listeners.delete(conversationId);
  };
}

/** The draft with the excerpt added: on a new paragraph when something is typed already. */
export function withInsertedText(draft: string, text: string): string {
  const trimmed = draft.replace(/\s+$/, '');
  return trimmed === '' ? text : `${trimmed}\n\n${text}`;
}
