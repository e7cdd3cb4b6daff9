/**
 * Where focus goes after conversation actions, so keyboard and screen-reader users are never left
 * on <body>: into the open conversation's message box (after accepting, Ctrl/⌘+Shift+M), or onto
 * the first field of the wrap-up once a chat has ended.
 */

const COMPOSER = 'textarea.composer-input';

/** Focuses the element matched by `selector` as soon as it exists and is enabled (within ~2 s). */
function focusSoon(selector: string): void {
  const deadline = performance.now() + 2000;
  const attempt = () => {
    const target = document.querySelector<HTMLElement & { disabled?: boolean }>(selector);
    if (target && !target.disabled) {
      target.focus();
      return;
    }
    if (performance.now() < deadline) requestAnimationFrame(attempt);
  };
  requestAnimationFrame(attempt);
}

/** The open conversation's message box (it is disabled until the transcript has loaded). */
export function focusComposerSoon(): void {
  focusSoon(COMPOSER);
}

/** The wrap-up's first field, once the chat has ended. */
export function focusWrapupSoon(): void {
  focusSoon('form.wrapup select, form.wrapup textarea');
}

/** Whether the open conversation has a message box to focus now. */
export function hasComposer(): boolean {
  return document.querySelector(COMPOSER) !== null;
}
