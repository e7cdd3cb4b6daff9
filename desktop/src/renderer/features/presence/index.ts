/**
 * The public door of features/presence: the presence the user chose (slice, re-sent on every
 * reconnect), the server's presence list (RTK Query, live) and the selector in the top bar.
 */
export { presenceSlice, selectChosenPresence } from './presence-slice.js';
export { presenceApi, upsertPresence, useGetPresenceQuery } from './presence-api.js';
export { choosePresence, PRESENCE_LABELS } from './choose-presence.js';
export { PresenceSelector } from './PresenceSelector.js';
