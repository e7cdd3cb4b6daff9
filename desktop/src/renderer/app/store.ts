import { combineReducers, configureStore } from '@reduxjs/toolkit';
import { baseApi } from '../api/base-api.js';
import { sessionSlice } from '../features/session/session-slice.js';
import { connectionSlice } from '../features/connection/connection-slice.js';
import { settingsSlice } from '../features/settings/settings-slice.js';
import { shellSlice } from '../features/shell/shell-slice.js';
import { presenceSlice } from '../features/presence/presence-slice.js';
import { inboxSlice } from '../features/conversations/inbox-slice.js';
import { listeners } from './realtime-listeners.js';

const rootReducer = combineReducers({
  [sessionSlice.name]: sessionSlice.reducer,
  [connectionSlice.name]: connectionSlice.reducer,
  [settingsSlice.name]: settingsSlice.reducer,
  [shellSlice.name]: shellSlice.reducer,
  [presenceSlice.name]: presenceSlice.reducer,
  [inboxSlice.name]: inboxSlice.reducer,
  [baseApi.reducerPath]: baseApi.reducer,
});

export function createStore() {
  return configureStore({
    reducer: rootReducer,
    middleware: (getDefault) => getDefault().prepend(listeners.middleware).concat(baseApi.middleware),
  });
}

export type AppStore = ReturnType<typeof createStore>;
export type RootState = ReturnType<typeof rootReducer>;
export type AppDispatch = AppStore['dispatch'];
