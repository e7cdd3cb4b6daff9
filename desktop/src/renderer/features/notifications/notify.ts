/**
 * OS notifications go out only while the desk is not in front of the user (hidden or unfocused)
 * and only for the kinds the user kept on in Settings.
 */
import type { DesktopNotification, Settings } from '../../../shared/ipc-contract.js';
import { getBridge } from '../../common/bridge.js';

export interface Visibility {
  hidden: boolean;
  focused: boolean;
}

export function shouldNotify(kind: DesktopNotification['kind'], settings: Settings['notifications'], visibility: Visibility): boolean {
  if (!visibility.hidden && visibility.focused) return false;
  if (kind === 'offer') return settings.offers;
  if (kind === 'message') return settings.messages;
  return true;
}

export function notifyWhenAway(notification: DesktopNotification, settings: Settings['notifications']): void {
  if (!shouldNotify(notification.kind, settings, { hidden: document.hidden, focused: document.hasFocus() })) return;
  void getBridge().notify(notification);
}
