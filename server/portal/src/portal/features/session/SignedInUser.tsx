/** The header's "Signed in as … [Sign out]" (nothing while signed out). */
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { selectUser } from './session-slice.js';
import { signOut } from './session-thunks.js';

export function SignedInUser() {
  const user = useAppSelector(selectUser);
  const dispatch = useAppDispatch();
  if (!user) return null;
  return (
    <span className="portal-user">
      Signed in as {user.displayName}{' '}
      <button type="button" onClick={() => dispatch(signOut())}>
        Sign out
      </button>
    </span>
  );
}
