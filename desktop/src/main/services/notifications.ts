/**
 * OS notifications for offers and messages, only while the window is not focused (a focused agent
 * already sees them). A click brings the window forward and tells the renderer which conversation
 * to open. Runtime: main (node), no Electron import.
 */
import type { DesktopNotification, EventChannel, EventPayload, Settings } from '../../shared/ipc-contract.js';

export interface WindowLike {
  isFocused(): boolean;
  isMinimized(): boolean;
  isVisible(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

export interface OsNotification {
  on(event: 'click', listener: () => void): void;
  show(): void;
}

export interface NotificationFactory {
  isSupported(): boolean;
  create(options: { title: string; body: string; silent: boolean }): OsNotification;
}

export type SendToRenderer = <C extends EventChannel>(channel: C, payload: EventPayload<C>) => void;

export type NotifyOutcome = 'shown' | 'window-focused' | 'turned-off' | 'unsupported';

export function bringToFront(window: WindowLike): void {
  if (window.isMinimized()) window.restore();
  if (!window.isVisible()) window.show();
  window.focus();
}

export function createNotificationService(deps: {
  window: () => WindowLike | null;
  factory: NotificationFactory;
  send: SendToRenderer;
  settings: () => Settings;
}) {
  return {
    notify(notification: DesktopNotification): NotifyOutcome {
      const window = deps.window();
      if (window?.isFocused()) return 'window-focused';
      const prefs = deps.settings().notifications;
      if ((notification.kind === 'offer' && !prefs.offers) || (notification.kind === 'message' && !prefs.messages)) return 'turned-off';
      if (!deps.factory.isSupported()) return 'unsupported';
      const os = deps.factory.create({ title: notification.title, body: notification.body, silent: !prefs.sound });
      os.on('click', () => {
        const current = deps.window();
        if (current) bringToFront(current);
        deps.send('notification:clicked', notification.conversationId ? { conversationId: notification.conversationId } : {});
      });
      os.show();
      return 'shown';
    },
  };
}
