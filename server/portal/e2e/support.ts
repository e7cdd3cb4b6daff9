/** Browser-test helpers for the portal and the chat widget: Debian's Chromium, a staff socket, a clinic site. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import type { MessageView, OfferEvent, ReceiptEvent, TypingEvent } from '../../src/contracts/conversations.js';
import type { TestServer } from '../../src/testing/server.js';

export { launchChromium, seriousAccessibilityViolations, watchErrors } from '../../src/testing/browser.js';

/** A made-up clinic website on its own origin, with the one-tag embed pointing at `serverUrl`. */
export interface ClinicSite {
  origin: string;
  setServer(serverUrl: string): void;
  /** Extra `data-*` attributes on the embed's script tag (e.g. `{ 'accent-color': '#2e7d32' }`), for the pages served next. */
  setEmbedData(data: Record<string, string>): void;
  close(): Promise<void>;
}

export async function startClinicSite(): Promise<ClinicSite> {
  let serverUrl = '';
  let embedData = '';
  const server = http.createServer((req, res) => {
    if (req.url !== '/' && !req.url?.startsWith('/?')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Riverside Family Clinic</title>
<style>* { font-family: serif; } button { background: hotpink !important; font-size: 30px !important; text-transform: uppercase; }</style>
</head><body>
<h1>Riverside Family Clinic</h1>
<p>Welcome. Our team is here to help.</p>
<button type="button">Clinic newsletter</button>
<script src="${serverUrl}/widget.js" data-clinic-name="Riverside Family Clinic"${embedData} async></script>
</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    setServer: (url) => {
      serverUrl = url;
    },
    setEmbedData: (data) => {
      embedData = Object.entries(data)
        .map(([key, value]) => ` data-${key}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"`)
        .join('');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An agent's desk, as a plain socket.io client on /staff. */
export interface StaffDesk {
  socket: Socket;
  /** The agent's access token (for REST calls as the desk makes them). */
  token: string;
  offers: OfferEvent[];
  messages: MessageView[];
  typing: TypingEvent[];
  receipts: ReceiptEvent[];
}

export async function staffDesk(server: TestServer, userId: string): Promise<StaffDesk> {
  const token = await server.tokenFor({ kind: 'staff', userId, email: `${userId}@example.test`, role: 'agent', practitionerId: null });
  const socket = io(`${server.url}/staff`, { auth: { token }, transports: ['websocket'], forceNew: true });
  const desk: StaffDesk = { socket, token, offers: [], messages: [], typing: [], receipts: [] };
  socket.on('offer:new', (o: OfferEvent) => desk.offers.push(o));
  socket.on('message:new', (m: MessageView) => desk.messages.push(m));
  socket.on('typing', (t: TypingEvent) => desk.typing.push(t));
  socket.on('receipt', (r: ReceiptEvent) => desk.receipts.push(r));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const ack = (await socket.emitWithAck('presence:set', { state: 'available' })) as { ok: boolean };
  if (!ack.ok) throw new Error('presence:set failed');
  return desk;
}

export async function until<T>(probe: () => T | undefined | false | null, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** How often `needle` occurs in `text`. */
export const occurrences = (text: string, needle: string) => text.split(needle).length - 1;
