/** The patient's session: sign-in (with MFA), who is signed in, access tokens, sign-out. */
export { SignInForm } from './SignInForm.js';
export { SignedInUser } from './SignedInUser.js';
export { selectSessionNotice, selectUser } from './session-slice.js';
export { signOut, useAccessToken, useSessionEnded } from './session-thunks.js';
