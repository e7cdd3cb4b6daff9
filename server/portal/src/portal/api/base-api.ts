/**
 * The one RTK Query API of the portal; features inject their endpoints (`baseApi.injectEndpoints`).
 * Requests go to this server's /api with the signed-in patient's access token; a 401 triggers one
 * token refresh (shared by concurrent requests) and a retry. Endpoints that must not carry a token
 * (sign-in, refresh, sign-out, a survey link) say `extraOptions: { anonymous: true }`.
 */
import { createApi, fetchBaseQuery, type BaseQueryApi, type BaseQueryFn, type FetchArgs, type FetchBaseQueryError } from '@reduxjs/toolkit/query/react';
import type { SessionResponse } from '../../../../src/contracts/auth.js';
import { credentialsFrom, credentialsRefreshed, selectCredentials } from './credentials.js';

export interface PortalQueryOptions {
  /** Send no access token and never refresh: the request is its own credential, or needs none. */
  anonymous?: boolean;
}

const anonymousQuery = fetchBaseQuery({ baseUrl: '/api' });

const authorizedQuery = fetchBaseQuery({
  baseUrl: '/api',
  prepareHeaders: (headers, { getState }) => {
    const token = selectCredentials(getState())?.accessToken;
    if (token) headers.set('authorization', `Bearer ${token}`);
    return headers;
  },
});

let refreshing: Promise<boolean> | null = null;

/**
 * Renews the tokens with the refresh token; true when the session has fresh ones. One refresh at a
 * time: everyone who asks meanwhile shares it (the server rotates refresh tokens, so a second
 * concurrent refresh would use a spent one). A refused refresh leaves the session as it is.
 */
export function refreshCredentials(api: BaseQueryApi): Promise<boolean> {
  refreshing ??= (async () => {
    const current = selectCredentials(api.getState());
    if (!current) return false;
    const answer = await anonymousQuery({ url: '/auth/refresh', method: 'POST', body: { refreshToken: current.refreshToken } }, api, {});
    if (answer.error) return false;
    api.dispatch(credentialsRefreshed({ replaces: current.refreshToken, credentials: credentialsFrom(answer.data as SessionResponse) }));
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

export const portalQuery: BaseQueryFn<string | FetchArgs, unknown, FetchBaseQueryError, PortalQueryOptions> = async (args, api, extraOptions = {}) => {
  if (extraOptions.anonymous) return anonymousQuery(args, api, {});
  let result = await authorizedQuery(args, api, {});
  if (result.error?.status === 401 && selectCredentials(api.getState()) && (await refreshCredentials(api))) {
    result = await authorizedQuery(args, api, {});
  }
  return result;
};

export const baseApi = createApi({
  reducerPath: 'api',
  baseQuery: portalQuery,
  // One tag per cached server resource (records, appointments, messages…), as features add them.
  tagTypes: [],
  endpoints: (build) => ({
    /** Renews the access token now, e.g. before a socket connection that needs a current one. */
    refreshSession: build.mutation<boolean, void>({
      queryFn: async (_arg, api) => ({ data: await refreshCredentials(api) }),
    }),
  }),
});
