/** Keyboard switching between conversation tabs. Pure. */

/** The tab for a Ctrl/⌘+Alt shortcut: digits 1…9 and 0 (the tenth), or ←/→ from the current one. */
export function tabForKey(code: string, key: string, ids: readonly string[], current: string | null): string | null {
  if (ids.length === 0) return null;
  const digit = /^Digit([0-9])$/.exec(code);
  if (digit) {
    const n = digit[1] === '0' ? 10 : Number(digit[1]);
    return ids[n - 1] ?? null;
  }
  const index = current ? ids.indexOf(current) : -1;
  if (index < 0) return key === 'ArrowRight' ? ids[0]! : key === 'ArrowLeft' ? ids[ids.length - 1]! : null;
  if (key === 'ArrowRight') return ids[(index + 1) % ids.length] ?? null;
  if (key === 'ArrowLeft') return ids[(index - 1 + ids.length) % ids.length] ?? null;
  return null;
}
