/**
 * What the sentiment domain publishes on the event bus. Payloads are contract views (ids and
 * scores, no message text). Listeners: this module's own socket emits (realtime.ts); the insights
 * event log may record them.
 */
import type { ConversationSentimentEvent, SentimentAlertEvent } from '../contracts/sentiment.js';

declare module '../platform/events.js' {
  interface DomainEvents {
    /** A patient message was scored (or Azure's score replaced the local one): its score and the conversation's value. */
    'sentiment.updated': ConversationSentimentEvent;
    /** The conversation fell to the alert scale or below; once per crossing, re-armed when it climbs back above. */
    'sentiment.alert': SentimentAlertEvent;
  }
}
