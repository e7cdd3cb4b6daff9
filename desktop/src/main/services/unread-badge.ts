/**
 * The unread count on the dock/taskbar badge and the tray icon's tooltip. Runtime: main (node), no
 * Electron import.
 */
export interface BadgeTargets {
  /** `app.setBadgeCount`; returns false where the OS has no badge (most Linux desktops, Windows). */
  setBadgeCount(count: number): boolean;
  /** Windows taskbar overlay; absent elsewhere. */
  setOverlay?(count: number): void;
  setTrayTooltip(text: string): void;
}

export function trayTooltip(count: number): string {
  if (count === 0) return 'Carebridge';
  return `Carebridge — ${count > 999 ? '999+' : count} unread`;
}

export function createUnreadBadge(targets: BadgeTargets) {
  let current = 0;
  return {
    get count() {
      return current;
    },
    set(count: number): void {
      current = Math.max(0, Math.min(9999, Math.floor(count)));
      targets.setBadgeCount(current);
      targets.setOverlay?.(current);
      targets.setTrayTooltip(trayTooltip(current));
    },
  };
}
