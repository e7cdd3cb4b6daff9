/**
 * The one-tag embed (built alone into /widget.js, a classic script):
 *
 *   <script src="https://carebridge.example.org/widget.js" data-clinic-name="Riverside Clinic" async></script>
 *
 * The server's origin comes from the script's own src; optional `data-language="es"`,
 * `data-position="left"`, `data-accent-color="#6a1b9a"` and `data-greeting="…"` (over the server's
 * WIDGET_CONFIG; a colour white text cannot be read on is ignored, with a console warning). Everything renders inside a shadow root, so the page's CSS and the
 * widget's never touch each other.
 */
import { mountChatWidget } from './panel.js';
import { languageFor } from './strings.js';
import { scriptCardLoader } from './card-loader.js';

declare global {
  interface Window {
    /** Set once the widget has loaded: a second copy of the tag does nothing. */
    CarebridgeChat?: { open(): void };
  }
}

function boot(script: HTMLScriptElement | null): void {
  if (window.CarebridgeChat) return;
  const src = script?.src ? new URL(script.src, window.location.href) : new URL(window.location.href);
  const data = script?.dataset ?? {};
  // An element name no page stylesheet targets (`div { … }` would style a div host).
  const host = document.createElement('carebridge-chat');
  document.body.append(host);
  const handle = mountChatWidget(host, {
    serverOrigin: src.origin,
    clinicName: (data.clinicName ?? '').trim().slice(0, 80) || (languageFor(data.language ?? document.documentElement.lang) === 'es' ? 'nosotros' : 'us'),
    language: languageFor(data.language ?? document.documentElement.lang),
    position: data.position === 'left' ? 'left' : 'right',
    mode: 'floating',
    channel: 'widget',
    identity: { kind: 'visitor' },
    storageKey: `carebridge-chat:${src.origin}`,
    // Adaptive Cards: /widget-cards.js from the same server, only when the first card arrives.
    loadAdaptiveCards: scriptCardLoader(src.origin),
    ...(data.accentColor ? { accentColor: data.accentColor.trim() } : {}),
    ...(data.greeting?.trim() ? { greeting: data.greeting.trim().slice(0, 300) } : {}),
  });
  window.CarebridgeChat = { open: handle.open };
}

// currentScript is only set while this script runs: read it now, mount when the body exists.
const current = document.currentScript as HTMLScriptElement | null;
if (document.body) boot(current);
else document.addEventListener('DOMContentLoaded', () => boot(current), { once: true });
