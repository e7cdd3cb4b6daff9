/**
 * Sentiment on the `/staff` sockets, driven by this module's events: the conversation's room (its
 * agent, consultants and supervisors who monitor it) hears `conversation:sentiment` and
 * `conversation:sentiment-alert` (every scored message: the trend line); the supervisors' room
 * (`supervisor:subscribe`) hears `supervisor:sentiment` when a live conversation's scale changes
 * (the heat view) and `supervisor:sentiment-alert`.
 * Nothing goes to `/patient`: patients never receive sentiment.
 */
import { conversationRoom } from '../conversations/index.js';
import { SUPERVISORS_ROOM } from '../supervision/index.js';
import { listen, type ListenerRegistration } from '../platform/events.js';
import type { RealtimeHub } from '../platform/realtime/hub.js';

export function sentimentEmits(hub: Pick<RealtimeHub, 'emit'>): ListenerRegistration[] {
  return [
    listen('sentiment.updated', 'sentiment.realtime', (event) => {
      hub.emit('staff', conversationRoom(event.conversationId), 'conversation:sentiment', event);
      if (event.changed) hub.emit('staff', SUPERVISORS_ROOM, 'supervisor:sentiment', event);
    }),
    listen('sentiment.alert', 'sentiment.realtime', (event) => {
      hub.emit('staff', conversationRoom(event.conversationId), 'conversation:sentiment-alert', event);
      hub.emit('staff', SUPERVISORS_ROOM, 'supervisor:sentiment-alert', event);
    }),
  ];
}
