import { useAppSelector } from '../hooks.js';
import { selectConnection, type ConnectionStatus } from './connection-slice.js';

const LABELS: Record<ConnectionStatus, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export function ConnectionIndicator() {
  const { status, detail } = useAppSelector(selectConnection);
  return (
    <div className={`connection connection-${status}`} role="status" aria-label="Connection" title={detail ?? LABELS[status]}>
      <span className="dot" aria-hidden="true" />
      <span>{LABELS[status]}</span>
    </div>
  );
}
