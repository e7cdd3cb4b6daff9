/** Commands of the palette and the shortcut reference. Pure, so filtering is unit-tested. */

export interface Command {
  id: string;
  title: string;
  /** Shown beside the title, e.g. "Alt+1". */
  shortcut?: string;
  /** Extra words that find it ("logout" for Sign out). */
  keywords?: string;
  run(): void;
}

/** Commands whose title or keywords contain every word of the query, title matches first. */
export function filterCommands<C extends Pick<Command, 'title' | 'keywords'>>(commands: readonly C[], query: string): C[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...commands];
  const scored: Array<{ command: C; score: number; index: number }> = [];
  commands.forEach((command, index) => {
    const title = command.title.toLowerCase();
    const haystack = `${title} ${command.keywords?.toLowerCase() ?? ''}`;
    if (!words.every((w) => haystack.includes(w))) return;
    const score = title.startsWith(words[0]!) ? 0 : words.every((w) => title.includes(w)) ? 1 : 2;
    scored.push({ command, score, index });
  });
  return scored.sort((a, b) => a.score - b.score || a.index - b.index).map((s) => s.command);
}

export const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform);

export interface ShortcutHelp {
  keys: string;
  action: string;
}

export function shortcutReference(mac: boolean): ShortcutHelp[] {
  const mod = mac ? '⌘' : 'Ctrl';
  return [
    { keys: `${mod}+K`, action: 'Open the command palette' },
    { keys: `? or ${mod}+/`, action: 'Show keyboard shortcuts' },
    { keys: 'Alt+1 … Alt+7', action: 'Go to the first … seventh workspace' },
    { keys: `${mod}+Shift+A`, action: 'Accept the oldest offer (also works system-wide in the desktop app)' },
    { keys: `${mod}+Alt+1 … ${mod}+Alt+9, ${mod}+Alt+0`, action: 'Go to conversation tab 1 … 9, and the tenth' },
    { keys: `${mod}+Alt+← / ${mod}+Alt+→`, action: 'Previous / next conversation tab (← / → when a tab has the focus)' },
    { keys: `${mod}+Shift+M`, action: 'Go to the message box of the open conversation' },
    { keys: `${mod}+Shift+E`, action: 'End the open chat (then wrap up)' },
    { keys: 'Enter / Shift+Enter', action: 'Send the message / start a new line' },
    { keys: '/q shortcut', action: 'Insert a quick reply (Tab or Enter picks the highlighted one)' },
    { keys: '/n text', action: 'Write an internal note (staff only); @name mentions a colleague' },
    { keys: '/t, /c', action: 'Transfer the conversation, consult a colleague' },
    { keys: `${mod}+Shift+L`, action: 'Switch between light and dark theme' },
    { keys: 'Escape', action: 'Close a dialog' },
  ];
}
