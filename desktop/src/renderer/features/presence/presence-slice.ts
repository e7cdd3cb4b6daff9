/** The presence this user chose; re-sent to the server on every (re)connect. */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { PresenceState } from '@carebridge/server/contracts';

export interface PresenceSliceState {
  chosen: PresenceState;
}

export const emptyPresenceState = (): PresenceSliceState => ({ chosen: 'available' });

export const presenceSlice = createSlice({
  name: 'presence',
  initialState: emptyPresenceState,
  reducers: {
    presenceChosen(state, action: PayloadAction<PresenceState>) {
      state.chosen = action.payload;
    },
  },
});

declare module '../../app/root-state.js' {
  interface RootState {
    presence: PresenceSliceState;
  }
}

export const { presenceChosen } = presenceSlice.actions;
export const selectChosenPresence = (state: { presence: PresenceSliceState }) => state.presence.chosen;
