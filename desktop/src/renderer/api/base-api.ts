/**
 * The RTK Query API every feature injects its endpoints into. Requests go to the signed-in server
 * with the access token; a 401 triggers one token refresh (shared by concurrent requests) and a
 * retry, and a failed refresh signs out with a clear notice.
 */
import { createApi, fetchBaseQuery, type BaseQueryFn, type FetchArgs, type FetchBaseQueryError } from '@reduxjs/toolkit/query/react';
import { refreshSession } from './refresh.js';
import type { SessionState } from '../app/session/session-slice.js';

interface StateWithSession {
  session: SessionState;
}

const rawQuery = fetchBaseQuery({
  baseUrl: '/',
  prepareHeaders: (headers, { getState }) => {
    const token = (getState() as StateWithSession).session.accessToken;
    if (token) headers.set('authorization', `Bearer ${token}`);
    return headers;
  },
  timeout: 15_000,
  credentials: 'omit',
});

const toServer = (args: string | FetchArgs, serverUrl: string): FetchArgs => {
  const request = typeof args === 'string' ? { url: args } : args;
  return { ...request, url: `${serverUrl}/api${request.url}` };
};

export const serverQuery: BaseQueryFn<string | FetchArgs, unknown, FetchBaseQueryError> = async (args, api, extra) => {
  const serverUrl = (api.getState() as StateWithSession).session.serverUrl;
  let result = await rawQuery(toServer(args, serverUrl), api, extra);
  if (result.error?.status === 401) {
    const refreshed = await refreshSession(api.dispatch, api.getState as () => StateWithSession);
    if (refreshed) result = await rawQuery(toServer(args, serverUrl), api, extra);
  }
  return result;
};

export const baseApi = createApi({
  reducerPath: 'api',
  baseQuery: serverQuery,
  tagTypes: ['Presence'],
  endpoints: () => ({}),
});
