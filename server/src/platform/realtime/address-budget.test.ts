/**
 * Socket event budgets on /patient are counted per user or visitor token and, on top, per client
 * address across tokens and connections (SOCKET_ADDRESS_BUDGET_FACTOR times each limit), so one
 * address cannot flood by minting visitor tokens. Visitors connect from loopback here; a proxy on
 * loopback forwards the client's address (X-Forwarded-For), as in production behind a reverse proxy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { startTestServer, type TestServer } from '../../testing/server.js';
import { call } from '../../testing/accounts.js';
import { clientAddress } from './index.js';

const open: Socket[] = [];
afterEach(() => {
  for (const s of open) s.disconnect();
  open.length = 0;
});

describe('clientAddress', () => {
  it.each([
    ['203.0.113.7', undefined, '203.0.113.7'],
    // Not from a local proxy: a forwarded header is the client's own claim, ignored.
    ['203.0.113.7', '198.51.100.1', '203.0.113.7'],
    ['127.0.0.1', undefined, '127.0.0.1'],
    ['127.0.0.1', '198.51.100.1', '198.51.100.1'],
    ['::ffff:127.0.0.1', '10.0.0.5, 198.51.100.1', '198.51.100.1'],
    // The nearest address that is not a local proxy: what the client put first is not trusted.
    ['::1', 'forged, 198.51.100.1, 127.0.0.1', '198.51.100.1'],
  ])('peer %s, X-Forwarded-For %s → %s', (peer, forwarded, expected) => {
    expect(clientAddress(peer, forwarded)).toBe(expected);
  });
});

describe('per-address event budgets on /patient', () => {
  const startChats = async (server: TestServer, forwardedFor: string, visitors: number, each: number) => {
    const results: boolean[] = [];
    for (let v = 0; v < visitors; v++) {
      const { body } = await call<{ token: string }>(server, 'POST', '/api/chat/visitor', { body: { displayName: `Visitor ${v}` } });
      const socket = connect(`${server.url}/patient`, {
        auth: { token: body.token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        extraHeaders: { 'x-forwarded-for': forwardedFor },
      });
      open.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      for (let i = 0; i < each; i++) {
        const ack = (await socket.emitWithAck('conversation:start', { channel: 'widget' })) as { ok: boolean; error?: { code: string } };
        if (!ack.ok) expect(ack.error?.code).toBe('too_many_requests');
        results.push(ack.ok);
      }
    }
    return { accepted: results.filter(Boolean).length, refused: results.filter((ok) => !ok).length };
  };

  it('counts chat starts per client address across visitor tokens, at a multiple of the per-visitor budget', async () => {
    // 20 starts a minute per visitor; twice that per address.
    const server = await startTestServer({ SOCKET_ADDRESS_BUDGET_FACTOR: '2' });
    try {
      // Three visitor tokens from one address, each within its own budget (15 < 20): 45 > 40.
      expect(await startChats(server, '203.0.113.7', 3, 15)).toEqual({ accepted: 40, refused: 5 });
      // Another address (a proxy on loopback forwards it) has its own budget.
      expect(await startChats(server, '198.51.100.9', 1, 15)).toEqual({ accepted: 15, refused: 0 });
    } finally {
      await server.close();
    }
  });

  it('SOCKET_ADDRESS_BUDGET_FACTOR=0 counts per visitor only (the swarm benchmark’s setting)', async () => {
    const server = await startTestServer({ SOCKET_ADDRESS_BUDGET_FACTOR: '0' });
    try {
      expect(await startChats(server, '203.0.113.7', 3, 15)).toEqual({ accepted: 45, refused: 0 });
    } finally {
      await server.close();
    }
  });
});
