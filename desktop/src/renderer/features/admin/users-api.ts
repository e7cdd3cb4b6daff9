/**
 * REST of the admin Users tab: pages of accounts (`GET /api/admin/users`), creating a staff account,
 * changing one (`PATCH /api/admin/users/:id`: role, disabled, reset MFA, unlock) and an agent's
 * routing profile (`GET|PUT /api/admin/users/:id/routing-profile`). Plus the server's error answers
 * as words and field issues for the forms.
 */
import type {
  AdminUser,
  AdminUserListResponse,
  AgentRoutingProfile,
  CreateStaffUserRequest,
  UpdateUserRequest,
} from '@carebridge/server/contracts';
import { baseApi } from '../../api/base-api.js';

/** Accounts per page: a screenful, so "Show more" is the exception for a clinic's staff. */
export const USERS_PAGE_SIZE = 25;

export interface UsersFilter {
  /** A role, or '' for every role. */
  role: string;
  /** Start of the e-mail or part of the name; '' for none. */
  q: string;
}

export interface UsersPageArgs extends UsersFilter {
  cursor: string | null;
}

/** The query string for a page (empty filters left out). */
export function usersQueryString({ role, q, cursor }: UsersPageArgs, limit = USERS_PAGE_SIZE): string {
  const params = new URLSearchParams();
  if (role) params.set('role', role);
  if (q.trim()) params.set('q', q.trim());
  if (cursor) params.set('cursor', cursor);
  params.set('limit', String(limit));
  return params.toString();
}

const LIST_TAG = { type: 'AdminUsers' as const, id: 'LIST' };
const profileTag = (id: string) => ({ type: 'AdminUsers' as const, id: `routing-profile:${id}` });

export const usersApi = baseApi.enhanceEndpoints({ addTagTypes: ['AdminUsers'] }).injectEndpoints({
  endpoints: (build) => ({
    getUsersPage: build.query<AdminUserListResponse, UsersPageArgs>({
      query: (args) => `/admin/users?${usersQueryString(args)}`,
      providesTags: [LIST_TAG],
      keepUnusedDataFor: 30,
    }),
    createUser: build.mutation<AdminUser, CreateStaffUserRequest>({
      query: (body) => ({ url: '/admin/users', method: 'POST', body }),
      // The new account may belong on any page (they are sorted by e-mail): load them again.
      invalidatesTags: [LIST_TAG],
    }),
    updateUser: build.mutation<AdminUser, { id: string; changes: UpdateUserRequest }>({
      query: ({ id, changes }) => ({ url: `/admin/users/${encodeURIComponent(id)}`, method: 'PATCH', body: changes }),
      // The answer is the account as stored: put it into every loaded page in place rather than
      // reloading them, so the row the admin works on stays where it is (even when it no longer
      // matches the role filter) and keeps the focus.
      async onQueryStarted({ id }, { dispatch, getState, queryFulfilled }) {
        let updated: AdminUser;
        try {
          updated = (await queryFulfilled).data;
        } catch {
          return; // The panel shows the error.
        }
        for (const args of usersApi.util.selectCachedArgsForQuery(getState(), 'getUsersPage')) {
          dispatch(
            usersApi.util.updateQueryData('getUsersPage', args, (page) => {
              const index = page.items.findIndex((u) => u.id === id);
              if (index >= 0) page.items[index] = updated;
            }),
          );
        }
      },
    }),
    getRoutingProfile: build.query<AgentRoutingProfile, string>({
      query: (id) => `/admin/users/${encodeURIComponent(id)}/routing-profile`,
      providesTags: (_result, _error, id) => [profileTag(id)],
      keepUnusedDataFor: 30,
    }),
    saveRoutingProfile: build.mutation<AgentRoutingProfile, { id: string; profile: AgentRoutingProfile }>({
      query: ({ id, profile }) => ({ url: `/admin/users/${encodeURIComponent(id)}/routing-profile`, method: 'PUT', body: profile }),
      async onQueryStarted({ id }, { dispatch, queryFulfilled }) {
        try {
          const { data } = await queryFulfilled;
          dispatch(usersApi.util.upsertQueryData('getRoutingProfile', id, data));
        } catch {
          // The form shows the error.
        }
      },
    }),
  }),
});

export const { useGetUsersPageQuery, useCreateUserMutation, useUpdateUserMutation, useGetRoutingProfileQuery, useSaveRoutingProfileMutation } = usersApi;

export interface UsersProblem {
  message: string;
  status: number | string | undefined;
  /** Fields the server named (`email`, `password`, …) with what is wrong with each. */
  issues: { path: string; message: string }[];
}

/** What the server said went wrong, as a sentence and field issues; null when nothing did. */
export function usersProblemOf(error: unknown): UsersProblem | null {
  if (!error) return null;
  const e = error as { status?: number | string; data?: { error?: { message?: unknown; details?: { issues?: unknown } } }; error?: unknown };
  const body = e.data?.error;
  if (body && typeof body.message === 'string') {
    const issues = Array.isArray(body.details?.issues)
      ? (body.details.issues as { path?: unknown; message?: unknown }[]).map((i) => ({ path: String(i.path ?? ''), message: String(i.message ?? '') }))
      : [];
    return { message: body.message, status: e.status, issues };
  }
  if (typeof e.error === 'string') return { message: `The server could not be reached: ${e.error}`, status: e.status, issues: [] };
  return { message: `The request failed (${String(e.status ?? 'unknown')}).`, status: e.status, issues: [] };
}
