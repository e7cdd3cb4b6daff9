/**
 * The presence this user chose; re-sent to the server on every (re)connect. When the server set it
 * (routing paused new offers after missed ones), `pausedBy` says why until the user chooses again.
 */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { Presence, PresenceState } from '@carebridge/server/contracts';

export interface PresenceSliceState {
  chosen: PresenceState;
  pausedBy: NonNullable<Presence['reason']> | null;
}

export const emptyPresenceState = (): PresenceSliceState => ({ chosen: 'available', pausedBy: null });

export const presenceSlice = createSlice({
  name: 'presence',
  initialState: emptyPresenceState,
  reducers: {
    presenceChosen(state, action: PayloadAction<PresenceState>) {
      state.chosen = action.payload;
      state.pausedBy = null;
    },
    /** The server says what this user's presence is now (another device, or routing). */
    presenceHeard(state, action: PayloadAction<Pick<Presence, 'state' | 'reason'>>) {
      state.chosen = action.payload.state;
      state.pausedBy = action.payload.reason ?? null;
    },
  },
});

declare module '../../app/root-state.js' {
  interface RootState {
    presence: PresenceSliceState;
  }
}

export const { presenceChosen, presenceHeard } = presenceSlice.actions;
export const selectChosenPresence = (state: { presence: PresenceSliceState }) => state.presence.chosen;
export const selectPresencePause = (state: { presence: PresenceSliceState }) => state.presence.pausedBy ?? null;

/** What the desk says when routing paused new offers. */
export const MISSED_OFFERS_MESSAGE = 'New chats are paused: offers to you went unanswered. Your open chats stay yours. Choose Available to take new chats again.';
