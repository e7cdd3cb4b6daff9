/**
 * The one event bus of the server. Domains publish what happened; listeners (other domains, the
 * realtime layer) react. The composition root registers every listener, in one list and in a stated
 * order, so who hears what first is written down in one place.
 *
 * Dispatch is synchronous and run-to-completion: the listeners of one event all run, in registration
 * order, before any event published meanwhile (by those listeners) is dispatched; such events wait
 * in a FIFO queue that `publish` drains before it returns. So a listener never observes a half-done
 * reaction to an earlier event, and no ordering rests on microtasks or timers.
 *
 * Payloads are contract views or ids, never database rows, so an event can later travel through
 * Redis or a job queue unchanged.
 *
 * Each domain declares its events by augmenting `DomainEvents` in its own folder:
 *
 *   declare module '../platform/events.js' {
 *     interface DomainEvents { 'survey.offered': SurveyOffer }
 *   }
 */

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by each domain (declaration merging)
export interface DomainEvents {}

export type EventName = keyof DomainEvents & string;
export type Listener<E extends EventName> = (payload: DomainEvents[E]) => void;

/** A listener as a module declares it; the composition root registers it on the bus. */
export interface ListenerRegistration {
  event: EventName;
  /** Who listens, for logs when it fails. */
  name: string;
  handle: (payload: never) => void;
}

/** Declares a listener with its payload type checked against the event. */
export function listen<E extends EventName>(event: E, name: string, handle: Listener<E>): ListenerRegistration {
  return { event, name, handle: handle as (payload: never) => void };
}

/** One event of a batch: `[name, payload]`. */
export type PublishedEvent = { [E in EventName]: [E, DomainEvents[E]] }[EventName];

export interface EventPublisher {
  publish<E extends EventName>(event: E, payload: DomainEvents[E]): void;
  /**
   * Several events that one command produced, queued together before any is dispatched: what their
   * listeners publish follows all of them (a survey's chat line comes after the closing line).
   */
  publishAll(events: readonly PublishedEvent[]): void;
}

export interface EventBus extends EventPublisher {
  register(registration: ListenerRegistration): () => void;
  /** Listener names per event, in dispatch order (docs, tests). */
  listenerNames(event: EventName): string[];
}

export function createEventBus(onListenerError: (err: unknown, event: string, listener: string) => void): EventBus {
  const listeners = new Map<string, ListenerRegistration[]>();
  const pending: { event: string; payload: unknown }[] = [];
  let dispatching = false;

  function dispatch(event: string, payload: unknown): void {
    for (const registration of listeners.get(event) ?? []) {
      try {
        (registration.handle as (payload: unknown) => void)(payload);
      } catch (err) {
        // One failing listener must not keep the others (or the publisher) from their work.
        onListenerError(err, event, registration.name);
      }
    }
  }

  function publishAll(events: readonly PublishedEvent[]): void {
    for (const [event, payload] of events) pending.push({ event, payload });
    if (dispatching || pending.length === 0) return;
    dispatching = true;
    try {
      for (let next = pending.shift(); next; next = pending.shift()) dispatch(next.event, next.payload);
    } finally {
      dispatching = false;
    }
  }

  return {
    register(registration) {
      let list = listeners.get(registration.event);
      if (!list) listeners.set(registration.event, (list = []));
      list.push(registration);
      return () => {
        const at = list.indexOf(registration);
        if (at >= 0) list.splice(at, 1);
      };
    },
    publish: (event, payload) => publishAll([[event, payload] as PublishedEvent]),
    publishAll,
    listenerNames(event) {
      return (listeners.get(event) ?? []).map((r) => r.name);
    },
  };
}
