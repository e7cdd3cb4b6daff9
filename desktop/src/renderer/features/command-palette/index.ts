/** The public door of features/command-palette: the palette, the shortcut reference and their types. */
export { CommandPalette } from './CommandPalette.js';
export { ShortcutReference } from './ShortcutReference.js';
export { isMac, type Command } from './commands.js';
