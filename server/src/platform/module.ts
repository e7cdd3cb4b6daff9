/**
 * What a domain module gives the application. Each `server/src/<domain>/index.ts` exports a factory
 * that takes the narrow dependencies it needs and returns one of these (plus its own API). The
 * composition root builds the modules in order; `app.ts`, the socket setup, the event bus and the
 * job worker only loop over them, so adding a domain never edits any of those.
 */
import type { Express, Router } from 'express';
import type { ListenerRegistration } from './events.js';
import type { NamespaceName } from './realtime/hub.js';
import type { LiveSocket, SocketEventGroup } from './realtime/binder.js';
import type { JobDefinition } from './jobs/index.js';

export interface SocketContribution {
  namespace: NamespaceName;
  /** Client events, parsed and acknowledged by the platform's binder. */
  group?: SocketEventGroup;
  /** After the handshake, in module order (rooms to rejoin, presence). */
  onConnection?(socket: LiveSocket): void;
  onDisconnect?(socket: LiveSocket): void;
}

export type HttpPhase = 'pre-cors' | 'pre-body' | 'post-api';

export interface HttpMount {
  /**
   * Where in the pipeline: `pre-cors` ahead of the API's CORS and security headers (a CORS policy of
   * its own for other sites); `pre-body` after them but ahead of the JSON body parser and the
   * access-token middleware (raw uploads, visitor tokens, FHIR: routers that authenticate and read
   * bodies themselves); `post-api` after `/api` (static apps).
   */
  phase: HttpPhase;
  mount(app: Express): void;
}

export interface DomainModule {
  readonly name: string;
  /** Rewrites a request path that carries a credential (a token in the URL) before it is logged. */
  redactPath?(path: string): string;
  /** REST routes under `/api`, after body parsing and authentication. */
  routes?(api: Router): void;
  mounts?: readonly HttpMount[];
  sockets?: readonly SocketContribution[];
  /** Registered on the event bus in module order (the composition root's list). */
  listeners?: readonly ListenerRegistration[];
  /** Job types this module runs on the durable job worker (platform/jobs). */
  jobs?: readonly JobDefinition[];
  /** After every module is built and every listener is on the bus (restore state, start timers). */
  start?(): void | Promise<void>;
  /** Stops timers and listeners (server shutdown); the composition root closes modules in reverse order. */
  close?(): void | Promise<void>;
}
