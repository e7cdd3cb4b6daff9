/**
 * The types of the store as components, thunks and listeners see them: `RootState`, `AppDispatch`
 * and the listener middleware. This file imports no feature and not `store.ts`, so a feature can use
 * the typed hooks without an import cycle through the store (which imports the features' reducers).
 *
 * The app-wide slices are listed here. A feature that adds a slice adds its key next to its
 * `createSlice`, by declaration merging:
 *
 *   declare module '../../app/root-state.js' {
 *     interface RootState { inbox: InboxState }
 *   }
 *
 * `store.ts` checks at compile time that the reducers it combines give exactly this state.
 */
import type { ListenerMiddlewareInstance, ThunkDispatch, UnknownAction, Dispatch } from '@reduxjs/toolkit';
import type { baseApi } from '../api/base-api.js';
import type { ConnectionState } from './connection/connection-slice.js';
import type { SessionState } from './session/session-slice.js';
import type { SettingsState } from './settings/settings-slice.js';
import type { ShellState } from './shell/shell-slice.js';

export interface RootState {
  session: SessionState;
  connection: ConnectionState;
  settings: SettingsState;
  shell: ShellState;
  api: ReturnType<typeof baseApi.reducer>;
}

export type AppDispatch = ThunkDispatch<RootState, undefined, UnknownAction> & Dispatch<UnknownAction>;

/** The listener middleware every side effect registers on (see `listeners.ts`). */
export type AppListeners = ListenerMiddlewareInstance<RootState, AppDispatch>;
