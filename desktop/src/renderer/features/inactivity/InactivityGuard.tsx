import { useEffect, useRef, useState } from 'react';
import { useAppDispatch, useAppSelector } from '../../app/hooks.js';
import { Modal } from '../../common/Modal.js';
import { selectSettings } from '../../app/settings/settings-slice.js';
import { signOut } from '../../app/session/session-thunks.js';
import { inactivityLimits, inactivityPhase, type InactivityPhase } from './inactivity.js';

const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

function describe(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes >= 1) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `${Math.round(ms / 1000)} seconds`;
}

/** Signs out after the configured inactivity, with a warning dialog before. Drafts are kept. */
export function InactivityGuard() {
  const { inactivityMinutes } = useAppSelector(selectSettings);
  const dispatch = useAppDispatch();
  const lastActivity = useRef(Date.now());
  const [phase, setPhase] = useState<InactivityPhase>({ phase: 'active' });
  const limits = inactivityLimits(inactivityMinutes, window.location.search);
  const warning = phase.phase === 'warning';

  useEffect(() => {
    // While the warning is up only its buttons count: a stray mouse move must not dismiss it.
    if (warning) return;
    const touch = () => {
      lastActivity.current = Date.now();
    };
    for (const e of ACTIVITY_EVENTS) window.addEventListener(e, touch, { passive: true, capture: true });
    return () => {
      for (const e of ACTIVITY_EVENTS) window.removeEventListener(e, touch, { capture: true });
    };
  }, [warning]);

  useEffect(() => {
    const tick = () => {
      const next = inactivityPhase(Date.now() - lastActivity.current, limits);
      if (next.phase === 'expired') {
        void dispatch(signOut(`You were signed out after ${describe(limits.totalMs)} without activity. Your drafts are kept.`));
        return;
      }
      setPhase((prev) => (prev.phase === next.phase && (prev.phase !== 'warning' || next.phase !== 'warning' || prev.secondsLeft === next.secondsLeft) ? prev : next));
    };
    const interval = window.setInterval(tick, 250);
    return () => window.clearInterval(interval);
  }, [dispatch, limits.totalMs, limits.warningMs]);

  if (phase.phase !== 'warning') return null;
  const stay = () => {
    lastActivity.current = Date.now();
    setPhase({ phase: 'active' });
  };
  return (
    <Modal title="Are you still there?" role="alertdialog" onClose={stay}>
      <p>
        For patients’ privacy you will be signed out in <strong>{phase.secondsLeft} seconds</strong> because there was no activity. Your drafts are kept.
      </p>
      <div className="row end">
        <button type="button" className="button" onClick={() => void dispatch(signOut())}>
          Sign out
        </button>
        <button type="button" className="button primary" data-autofocus onClick={stay}>
          Stay signed in
        </button>
      </div>
    </Modal>
  );
}
