/**
 * The portal's store: the RTK Query cache plus the slices features inject when their code loads
 * (`slice.injectInto(rootReducer)`). So the store imports no feature, and a lazily loaded page
 * brings its own state along.
 */
import { combineSlices, configureStore } from '@reduxjs/toolkit';
import { baseApi } from '../api/base-api.js';

/**
 * The injected slices, by name. Each feature adds its own by declaration merging:
 * `declare module '../../app/store.js' { interface LazyLoadedSlices extends WithSlice<typeof mySlice> {} }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface LazyLoadedSlices {}

export const rootReducer = combineSlices(baseApi).withLazyLoadedSlices<LazyLoadedSlices>();

export function createStore() {
  return configureStore({
    reducer: rootReducer,
    middleware: (getDefault) => getDefault().concat(baseApi.middleware),
  });
}

export type RootState = ReturnType<typeof rootReducer>;
export type AppStore = ReturnType<typeof createStore>;
export type AppDispatch = AppStore['dispatch'];
