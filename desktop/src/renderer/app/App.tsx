import { useEffect } from 'react';
import { useAppDispatch, useAppSelector } from './hooks.js';
import { selectSession } from './session/session-slice.js';
import { startSession } from './session/session-thunks.js';
import { SignIn } from './session/SignIn.js';
import { Shell } from './shell/Shell.js';
import { selectSettings } from './settings/settings-slice.js';
import { useApplyTheme } from './settings/theme.js';

export function App() {
  const session = useAppSelector(selectSession);
  const settings = useAppSelector(selectSettings);
  const dispatch = useAppDispatch();
  useApplyTheme(settings.theme);
  useEffect(() => {
    void dispatch(startSession());
  }, [dispatch]);

  if (session.status === 'starting') {
    return (
      <p className="loading center-screen" role="status">
        Starting Carebridge…
      </p>
    );
  }
  return session.status === 'signedIn' && session.user ? <Shell /> : <SignIn />;
}
