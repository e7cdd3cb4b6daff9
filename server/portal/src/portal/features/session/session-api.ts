/** Sign-in and sign-out: the patient's session on the server (POST /api/auth/login, /logout). */
import type { AccountUser, LoginRequest, LogoutRequest, SessionResponse } from '../../../../../src/contracts/auth.js';
import { baseApi } from '../../api/base-api.js';
import { credentialsFrom } from '../../api/credentials.js';
import { signedIn } from './session-slice.js';
import { NOT_PATIENT } from './sign-in-problem.js';

export const sessionApi = baseApi.injectEndpoints({
  endpoints: (build) => ({
    /** Signs a patient in (the session state then says who); staff accounts are signed out again. */
    signIn: build.mutation<AccountUser, LoginRequest>({
      extraOptions: { anonymous: true },
      async queryFn(body, api, _extraOptions, baseQuery) {
        const answer = await baseQuery({ url: '/auth/login', method: 'POST', body });
        if (answer.error) return { error: answer.error };
        const session = answer.data as SessionResponse;
        if (session.user.role !== 'patient') {
          void baseQuery({ url: '/auth/logout', method: 'POST', body: { refreshToken: session.refreshToken } satisfies LogoutRequest });
          return { error: { status: 'CUSTOM_ERROR', error: NOT_PATIENT } };
        }
        api.dispatch(signedIn({ user: session.user, credentials: credentialsFrom(session) }));
        return { data: session.user };
      },
    }),
    /** Ends the session on the server (its refresh token stops working). */
    signOut: build.mutation<null, LogoutRequest>({
      extraOptions: { anonymous: true },
      query: (body) => ({ url: '/auth/logout', method: 'POST', body }),
    }),
  }),
});

export const { useSignInMutation } = sessionApi;
