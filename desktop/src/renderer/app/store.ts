/**
 * The store: the app-wide slices (session, connection, settings, shell), the features' slices and
 * RTK Query, with the listener middleware in front. Only `main.tsx` and tests import this file:
 * components, thunks and listeners use the types of `root-state.ts`.
 */
import { combineReducers, configureStore } from '@reduxjs/toolkit';
import { baseApi } from '../api/base-api.js';
import { inboxSlice } from '../features/conversations/index.js';
import { presenceSlice } from '../features/presence/index.js';
import { sentimentSlice } from '../features/sentiment/index.js';
import { connectionSlice } from './connection/connection-slice.js';
import { createListeners } from './listeners.js';
import type { AppDispatch, RootState } from './root-state.js';
import { sessionSlice } from './session/session-slice.js';
import { settingsSlice } from './settings/settings-slice.js';
import { shellSlice } from './shell/shell-slice.js';

const rootReducer = combineReducers({
  [sessionSlice.name]: sessionSlice.reducer,
  [connectionSlice.name]: connectionSlice.reducer,
  [settingsSlice.name]: settingsSlice.reducer,
  [shellSlice.name]: shellSlice.reducer,
  [presenceSlice.name]: presenceSlice.reducer,
  [inboxSlice.name]: inboxSlice.reducer,
  [sentimentSlice.name]: sentimentSlice.reducer,
  [baseApi.reducerPath]: baseApi.reducer,
});

// Compile-time check: the reducers above give exactly the RootState that root-state.ts (and the
// features' additions to it) promise the hooks. A slice added on one side only fails here.
type Combined = ReturnType<typeof rootReducer>;
const _stateMatchesRootState: [Combined] extends [RootState] ? ([RootState] extends [Combined] ? true : false) : false = true;

export function createStore() {
  const listeners = createListeners();
  const store = configureStore({
    reducer: rootReducer,
    middleware: (getDefault) => getDefault().prepend(listeners.middleware).concat(baseApi.middleware),
  });
  // …and its dispatch is the AppDispatch the hooks and thunks are typed with.
  const _dispatchMatches: AppDispatch = store.dispatch;
  return store;
}

export type AppStore = ReturnType<typeof createStore>;
