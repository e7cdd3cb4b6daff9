/**
 * Where a socket event came from, for the audit log: the client's address (as Express's
 * `trust proxy: loopback` sees it: X-Forwarded-For is believed only from a loopback proxy) and a
 * request id of its own for every event, as HTTP requests have.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io';

export interface EventOrigin {
  ip: string | null;
  requestId: string;
}

const LOOPBACK = /^(127\.|::ffff:127\.|::1$)/;

const addresses = new WeakMap<object, string | null>();

/** The client's address: the peer, or through a loopback proxy the nearest address it forwarded. */
export function socketAddress(socket: Pick<Socket, 'handshake'>): string | null {
  if (addresses.has(socket)) return addresses.get(socket)!;
  const peer = socket.handshake.address || null;
  let address = peer;
  const forwarded = socket.handshake.headers['x-forwarded-for'];
  if (peer !== null && LOOPBACK.test(peer) && typeof forwarded === 'string') {
    const hops = forwarded.split(',').map((hop) => hop.trim()).filter(Boolean);
    // From the nearest hop outwards, loopback proxies are trusted; the first other address is the client.
    let i = hops.length - 1;
    while (i > 0 && LOOPBACK.test(hops[i]!)) i--;
    address = hops[i] ?? peer;
  }
  addresses.set(socket, address);
  return address;
}

/** A fresh origin for one event (or a connection) of this socket. */
export function eventOrigin(socket: Pick<Socket, 'handshake'>): EventOrigin {
  return { ip: socketAddress(socket), requestId: randomUUID() };
}
