/**
 * The widget's styles, applied inside its shadow root (as a constructed style sheet where supported,
 * which strict CSPs without 'unsafe-inline' allow). `all: initial` on the host stops the page's
 * inherited styles (fonts, colours, line heights) from leaking in.
 */
export const WIDGET_CSS = `
:host { all: initial; --cb-accent: #0b5cad; }
* { box-sizing: border-box; }
.cb-root { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; }
.cb-root.cb-floating { position: fixed; bottom: 12px; right: 12px; z-index: 2147483000; display: flex; flex-direction: column; align-items: flex-end; gap: 12px; }
.cb-root.cb-floating.cb-left { right: auto; left: 12px; align-items: flex-start; }
button, input, textarea, select { font: inherit; color: inherit; }
button { cursor: pointer; border-radius: 8px; border: 1px solid var(--cb-accent); background: #fff; color: var(--cb-accent); padding: 6px 12px; min-height: 36px; }
button.cb-primary { background: var(--cb-accent); color: #fff; }
button:disabled { opacity: .55; cursor: not-allowed; }
button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible, [tabindex]:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.cb-launcher { border-radius: 999px; padding: 12px 20px; background: var(--cb-accent); color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.25); font-weight: 600; }
.cb-panel { width: min(380px, calc(100vw - 24px)); height: min(600px, calc(100vh - 96px)); min-height: 320px; background: #fff; border: 1px solid #c9d1d9; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); display: flex; flex-direction: column; overflow: clip; transition: opacity .15s ease; }
.cb-inline .cb-panel { width: 100%; height: min(720px, calc(100vh - 24px)); box-shadow: none; }
.cb-panel[hidden], [hidden] { display: none !important; }
.cb-header { flex: none; display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 10px 14px; background: var(--cb-accent); color: #fff; }
.cb-header h2 { font-size: 16px; margin: 0; }
.cb-header button { background: transparent; color: #fff; border-color: #fff; }
.cb-top { flex: 0 1 auto; min-height: 0; overflow-y: auto; overscroll-behavior: contain; display: flex; flex-direction: column; gap: 8px; padding: 8px 14px 0; }
.cb-top > * { flex: none; }
.cb-top:has(> .cb-first[hidden]) { padding-top: 4px; }
/* Before the chat, the first screen (greeting and form) takes the panel and scrolls inside it. */
.cb-top:has(> .cb-first:not([hidden])) { flex: 1 1 auto; padding-bottom: 12px; }
.cb-first { display: flex; flex-direction: column; gap: 10px; }
.cb-greeting { margin: 0; font-size: 16px; font-weight: 600; }
.cb-form { display: flex; flex-direction: column; gap: 10px; }
.cb-form h3 { font-size: 16px; margin: 0; }
.cb-form p { margin: 0; }
.cb-field { display: flex; flex-direction: column; gap: 4px; }
.cb-field label { font-weight: 600; }
.cb-optional { font-weight: 400; color: #57606a; }
.cb-field input, .cb-field select, .cb-field textarea { width: 100%; min-height: 40px; border: 1px solid #8c959f; border-radius: 8px; padding: 8px; background: #fff; }
.cb-field textarea { resize: vertical; }
.cb-field [aria-invalid="true"] { border: 2px solid #b42318; }
.cb-field-error { margin: 0; font-size: 14px; color: #b42318; font-weight: 600; }
.cb-field-error::before { content: "⚠ "; }
.cb-offline-thanks h3 { font-size: 16px; margin: 0 0 4px; }
.cb-offline-thanks p { margin: 0; }
.cb-body { flex: 1 1 0; display: flex; flex-direction: column; min-height: 0; overflow-y: auto; padding: 6px 14px 10px; gap: 8px; }
.cb-body > * { flex: none; }
.cb-status { margin: 0; font-size: 13px; color: #44505c; }
.cb-alert:empty { display: none; }
.cb-alert { margin: 0; padding: 6px 10px; border-radius: 6px; background: #fdecea; color: #8a1c12; font-size: 14px; }
.cb-name { display: flex; flex-direction: column; gap: 8px; }
.cb-name input, .cb-composer textarea, .cb-survey textarea { width: 100%; border: 1px solid #8c959f; border-radius: 8px; padding: 8px; }
.cb-hint { font-size: 13px; color: #57606a; margin: 0; }
.cb-body > .cb-log { flex: 1 1 auto; min-height: 96px; overflow-y: auto; overscroll-behavior: contain; border-radius: 8px; }
.cb-list { list-style: none; margin: 0; padding: 4px; display: flex; flex-direction: column; gap: 6px; }
.cb-msg { max-width: 85%; padding: 6px 10px; border-radius: 10px; background: #eef1f4; white-space: pre-wrap; overflow-wrap: anywhere; }
.cb-msg.cb-own { align-self: flex-end; background: #dbeafe; }
.cb-msg.cb-system { align-self: center; background: transparent; color: #57606a; font-size: 13px; text-align: center; }
.cb-who { display: block; font-size: 12px; font-weight: 600; color: #44505c; }
.cb-meta { display: block; font-size: 12px; color: #57606a; text-align: right; }
.cb-failed { color: #8a1c12; }
.cb-msg img { display: block; max-width: 100%; max-height: 200px; border-radius: 6px; margin-top: 4px; }
.cb-card { display: grid; gap: 4px; margin-top: 4px; padding: 8px 10px; background: #fff; border: 1px solid #c9d1d9; border-left: 4px solid var(--cb-accent, #0f6e8c); border-radius: 8px; white-space: normal; }
.cb-card-sub, .cb-card-text { color: #44505c; white-space: pre-wrap; }
.cb-card-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; }
.cb-card-facts dt { color: #57606a; }
.cb-card-facts dd { margin: 0; }
.cb-card-action { justify-self: start; padding: 4px 10px; border-radius: 999px; background: var(--cb-accent, #0f6e8c); color: #fff; text-decoration: none; font-weight: 600; }
.cb-card-action:focus-visible { outline: 3px solid #1f2328; outline-offset: 2px; }
.cb-msg.cb-has-cards { max-width: 92%; white-space: normal; }
.cb-msg.cb-has-cards > .cb-text { display: block; white-space: pre-wrap; }
.cb-markdown { white-space: normal; }
.cb-markdown p, .cb-markdown ul, .cb-markdown ol { margin: 0; }
.cb-markdown p + p, .cb-markdown p + ul, .cb-markdown ul + p, .cb-markdown p + ol, .cb-markdown ol + p { margin-top: 0.4em; }
.cb-markdown ul, .cb-markdown ol { padding-left: 1.2em; }
/* Bot cards (Adaptive Cards drawn by the renderer, hero cards) and suggested actions. */
.cb-root { --cb-card-bg: #fff; --cb-card-text: #1f2328; --cb-card-subtle: #57606a; --cb-card-accent: #0b5cad; --cb-card-good: #1a7f37; --cb-card-warning: #9a6700; --cb-card-attention: #b42318; --cb-card-emphasis: #f6f8fa; }
.cb-botcard { display: grid; gap: 6px; margin-top: 6px; padding: 8px 10px; background: var(--cb-card-bg); color: var(--cb-card-text); border: 1px solid #c9d1d9; border-left: 4px solid var(--cb-accent, #0f6e8c); border-radius: 8px; overflow-wrap: anywhere; }
.cb-botcard img { max-width: 100%; height: auto; border-radius: 6px; }
.cb-card-fallback { margin: 0; white-space: pre-wrap; }
.cb-botcard .cb-card-sub, .cb-botcard .cb-card-text { color: var(--cb-card-subtle); }
.cb-botcard .ac-adaptiveCard { padding: 0 !important; background: transparent !important; }
.cb-botcard .ac-textBlock p { margin: 0 0 4px; }
.cb-botcard .ac-textBlock p:last-child { margin-bottom: 0; }
.cb-botcard .ac-textBlock ul, .cb-botcard .ac-textBlock ol { margin: 2px 0 4px; padding-left: 20px; }
.cb-botcard .ac-textBlock a, .cb-botcard a { color: var(--cb-card-accent); }
.cb-botcard a.cb-card-action { color: #fff; display: inline-flex; align-items: center; min-height: 36px; padding: 6px 12px; border-radius: 8px; }
.cb-botcard .ac-input, .cb-botcard input[type="text"], .cb-botcard input[type="number"], .cb-botcard input[type="date"], .cb-botcard input[type="time"], .cb-botcard select, .cb-botcard textarea { width: 100%; min-height: 36px; border: 1px solid #8c959f; border-radius: 8px; padding: 6px 8px; background: var(--cb-card-bg); color: var(--cb-card-text); font: inherit; }
.cb-botcard input[type="radio"], .cb-botcard input[type="checkbox"] { width: 18px; height: 18px; min-height: 0; margin: 0 6px 0 0; accent-color: var(--cb-accent); }
.cb-botcard .ac-input-container, .cb-botcard .ac-choiceSetInput-expanded { display: flex; flex-direction: column; gap: 4px; }
.cb-botcard .ac-choiceSetInput-expanded { border: 0; padding: 0; min-height: 0; }
.cb-botcard .ac-input-validation-failed { border: 2px solid #b42318; }
.cb-botcard .ac-pushButton { flex: 0 1 auto !important; font-weight: 600; overflow: hidden; text-overflow: ellipsis; }
.cb-botcard .ac-pushButton { background: var(--cb-accent); color: #fff; border-color: var(--cb-accent); }
.cb-botcard button:disabled, .cb-suggested button:disabled, .cb-botcard input:disabled, .cb-botcard select:disabled, .cb-botcard textarea:disabled { opacity: .6; cursor: default; }
.cb-hero .cb-card-title { font-size: 15px; }
.cb-suggested { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.cb-suggested button { border-radius: 999px; }
.cb-typing { margin: 0; font-size: 13px; color: #57606a; font-style: italic; }
.cb-quick:empty { display: none; }
.cb-quick { display: flex; flex-wrap: wrap; gap: 6px; }
.cb-composer { display: flex; flex-direction: column; gap: 6px; }
.cb-composer textarea { resize: none; height: 52px; }
.cb-row { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.cb-confirm { padding: 8px; border: 1px solid #d4a72c; background: #fff8c5; border-radius: 8px; }
.cb-confirm p { margin: 0 0 6px; }
.cb-body > .cb-survey-box { flex: 0 1 auto; min-height: 120px; overflow-y: auto; overscroll-behavior: contain; }
.cb-survey { border-top: 1px solid #d0d7de; padding-top: 8px; }
.cb-survey h3 { font-size: 15px; margin: 0 0 4px; }
.cb-survey fieldset { border: 0; padding: 0; margin: 0 0 10px; }
.cb-survey legend { font-weight: 600; margin-bottom: 4px; padding: 0; }
.cb-survey button[aria-pressed="true"] { background: var(--cb-accent); color: #fff; }
.cb-choices { display: flex; flex-wrap: wrap; gap: 4px; }
.cb-choices button { min-width: 36px; padding: 4px 8px; }
.cb-scale { display: flex; justify-content: space-between; font-size: 12px; color: #57606a; }
/* Phones: the open panel takes the whole window (the header's minimize button and Escape close it). */
@media (max-width: 480px) {
  .cb-floating .cb-panel:not([hidden]) { position: fixed; inset: 0; width: 100vw; height: 100vh; height: 100dvh; min-height: 0; border: 0; border-radius: 0; box-shadow: none; }
  .cb-floating:has(.cb-panel:not([hidden])) .cb-launcher { display: none; }
}
/* Short windows: the attachment hint stays available to screen readers (aria-describedby), not on screen. */
@media (max-height: 640px) {
  .cb-composer .cb-hint { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
}
.cb-visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (prefers-reduced-motion: reduce) { * { transition: none !important; animation: none !important; scroll-behavior: auto !important; } }
@media (prefers-color-scheme: dark) {
  .cb-root { color: #e6edf3; }
  .cb-panel { background: #161b22; border-color: #30363d; }
  .cb-msg { background: #21262d; }
  .cb-msg.cb-own { background: #1f3a5f; }
  button { background: #161b22; color: #79b8ff; border-color: #79b8ff; }
  button.cb-primary, .cb-launcher { background: var(--cb-accent); color: #fff; border-color: var(--cb-accent); }
  .cb-name input, .cb-composer textarea, .cb-survey textarea, .cb-field input, .cb-field select, .cb-field textarea { background: #0d1117; color: #e6edf3; border-color: #484f58; }
  .cb-field [aria-invalid="true"] { border-color: #ff8182; }
  .cb-field-error { color: #ff8182; }
  .cb-optional { color: #9da7b3; }
  .cb-status, .cb-hint, .cb-typing, .cb-meta, .cb-who, .cb-msg.cb-system, .cb-scale { color: #9da7b3; }
  .cb-confirm { background: #3b2e00; border-color: #9e6a03; }
  .cb-alert { background: #490202; color: #ffdcd7; }
  .cb-root { --cb-card-bg: #0d1117; --cb-card-text: #e6edf3; --cb-card-subtle: #9da7b3; --cb-card-accent: #79b8ff; --cb-card-good: #56d364; --cb-card-warning: #e3b341; --cb-card-attention: #ff8182; --cb-card-emphasis: #161b22; }
  .cb-botcard { border-color: #30363d; }
  .cb-card { background: #0d1117; border-color: #30363d; }
  .cb-card-sub, .cb-card-text { color: #9da7b3; }
}
`;

const canConstruct = (root: ShadowRoot) => 'adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype;
const accentSheets = new WeakMap<ShadowRoot, { replaceSync(text: string): void } | HTMLStyleElement>();

/** Adds the styles to a shadow root without an inline <style> element where the browser allows. */
export function applyStyles(root: ShadowRoot): void {
  if (canConstruct(root)) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(WIDGET_CSS);
    const accent = new CSSStyleSheet();
    root.adoptedStyleSheets = [sheet, accent];
    accentSheets.set(root, accent);
    return;
  }
  const style = document.createElement('style');
  style.textContent = WIDGET_CSS;
  const accent = document.createElement('style');
  root.append(style, accent);
  accentSheets.set(root, accent);
}

/** The clinic's accent colour (header, launcher, primary buttons), `#rrggbb` checked by the caller: nothing else reaches the sheet. */
export function setAccent(root: ShadowRoot, colour: string): void {
  if (!/^#[0-9a-fA-F]{6}$/.test(colour)) return;
  const rule = `:host { --cb-accent: ${colour}; }`;
  const target = accentSheets.get(root);
  if (target instanceof HTMLStyleElement) target.textContent = rule;
  else target?.replaceSync(rule);
}
