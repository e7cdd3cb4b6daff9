/**
 * Who is available to take work. Presence is kept in memory per server process: it describes live
 * connections, which do not survive a restart anyway (clients re-assert their chosen state when they
 * reconnect). When several processes serve the same users this moves behind a shared store.
 */
import type { Presence, PresenceState } from '../contracts/realtime.js';
import type { EventPublisher } from '../platform/events.js';

declare module '../platform/events.js' {
  interface DomainEvents {
    /** A user's presence actually changed (set by them, or offline after the grace period). */
    'presence.changed': Presence;
  }
}

export interface PresenceOptions {
  /** How long a user who lost their last connection keeps their state before going offline. */
  disconnectGraceMs: number;
  events: EventPublisher;
  now?: () => Date;
}

export class PresenceService {
  private readonly states = new Map<string, Presence>();
  private readonly sockets = new Map<string, Set<string>>();
  private readonly offlineTimers = new Map<string, NodeJS.Timeout>();
  private readonly now: () => Date;

  constructor(private readonly options: PresenceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The user's presence; someone never seen is offline. */
  get(userId: string): Presence {
    return this.states.get(userId) ?? { userId, state: 'offline', since: new Date(0).toISOString() };
  }

  /** Everyone seen since the server started, ordered by user id. */
  list(): Presence[] {
    return [...this.states.values()].sort((a, b) => a.userId.localeCompare(b.userId));
  }

  /**
   * Sets the state; listeners hear about it only when it actually changed. `reason` says why the
   * server (not the user) changed it.
   */
  set(userId: string, state: PresenceState, reason?: Presence['reason']): Presence {
    const current = this.states.get(userId);
    if (current && current.state === state) return current;
    const next: Presence = { userId, state, since: this.now().toISOString(), ...(reason ? { reason } : {}) };
    this.states.set(userId, next);
    this.options.events.publish('presence.changed', next);
    return next;
  }

  /** A live connection of the user opened; cancels a pending offline. */
  connected(userId: string, socketId: string): void {
    const timer = this.offlineTimers.get(userId);
    if (timer) {
      clearTimeout(timer);
      this.offlineTimers.delete(userId);
    }
    let set = this.sockets.get(userId);
    if (!set) this.sockets.set(userId, (set = new Set()));
    set.add(socketId);
  }

  /** A live connection closed; the last one going starts the grace period before offline. */
  disconnected(userId: string, socketId: string): void {
    const set = this.sockets.get(userId);
    if (!set) return;
    set.delete(socketId);
    if (set.size > 0) return;
    this.sockets.delete(userId);
    const timer = setTimeout(() => {
      this.offlineTimers.delete(userId);
      if (!this.sockets.has(userId)) this.set(userId, 'offline');
    }, this.options.disconnectGraceMs);
    timer.unref();
    this.offlineTimers.set(userId, timer);
  }

  /**
   * Every session of the user ended (signed out, disabled, role or password changed): offline now,
   * without the grace period a dropped connection gets, so routing offers them nothing more.
   */
  sessionEnded(userId: string): void {
    const timer = this.offlineTimers.get(userId);
    if (timer) clearTimeout(timer);
    this.offlineTimers.delete(userId);
    this.sockets.delete(userId);
    if (this.states.has(userId)) this.set(userId, 'offline');
  }

  connectionCount(userId: string): number {
    return this.sockets.get(userId)?.size ?? 0;
  }

  /** Cancels pending timers (server shutdown). */
  close(): void {
    for (const timer of this.offlineTimers.values()) clearTimeout(timer);
    this.offlineTimers.clear();
  }
}
