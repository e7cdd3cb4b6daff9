/** The live connection's state, as the indicator shows it. */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Why it is not connected, in words for the user. */
  detail: string | null;
}

export const emptyConnectionState = (): ConnectionState => ({ status: 'idle', detail: null });

export const connectionSlice = createSlice({
  name: 'connection',
  initialState: emptyConnectionState,
  reducers: {
    connectionChanged(_state, action: PayloadAction<{ status: ConnectionStatus; detail?: string | null }>) {
      return { status: action.payload.status, detail: action.payload.detail ?? null };
    },
  },
});

export const { connectionChanged } = connectionSlice.actions;
export const selectConnection = (state: { connection: ConnectionState }) => state.connection;
