/**
 * The routing domain's public door: the in-memory routing engine (who gets which conversation, by
 * skills, capacity, presence, priority, business hours and overflow). The engine stays a pure
 * component with one output; this module forwards what it decides to the event bus as
 * `routing.event`, once each decision is complete.
 */
import { routingConfigSchema, type RoutingConfigInput, type RoutingEvent } from '../contracts/routing.js';
import { loadJsonConfigFile, type Config } from '../platform/config.js';
import type { EventPublisher } from '../platform/events.js';
import type { DomainModule } from '../platform/module.js';
import type { Logger } from '../platform/logging.js';
import { createSystemScheduler, systemClock, type Clock, type Scheduler } from './clock.js';
import { RoutingEngine } from './engine.js';
import { DEFAULT_ROUTING_CONFIG_INPUT } from './queues.js';

export { RoutingEngine, routingFailure, type RoutingErrorCode, type RoutingResult, type RoutingSnapshot } from './engine.js';
export { ManualClock, createSystemScheduler, systemClock, type Clock, type Scheduler } from './clock.js';
export { DEFAULT_ROUTING_CONFIG_INPUT } from './queues.js';

declare module '../platform/events.js' {
  interface DomainEvents {
    /** What the routing engine decided (offers, expiries, requeues, queue positions, out of hours). */
    'routing.event': RoutingEvent;
  }
}

/**
 * The queues from `ROUTING_CONFIG` (a JSON file; a bad one stops the server naming the variable) or the
 * defaults, with the offer timeout and business hours the environment may override.
 */
export function routingConfigFor(config: Pick<Config, 'ROUTING_CONFIG' | 'ROUTING_OFFER_TIMEOUT_MS' | 'ROUTING_ALWAYS_OPEN'>): RoutingConfigInput {
  const base: RoutingConfigInput =
    config.ROUTING_CONFIG === undefined ? DEFAULT_ROUTING_CONFIG_INPUT : loadJsonConfigFile('ROUTING_CONFIG', config.ROUTING_CONFIG, routingConfigSchema);
  return {
    ...base,
    ...(config.ROUTING_OFFER_TIMEOUT_MS !== undefined ? { offerTimeoutMs: config.ROUTING_OFFER_TIMEOUT_MS } : {}),
    ...(config.ROUTING_ALWAYS_OPEN ? { queues: base.queues.map((q) => ({ ...q, businessHours: null })) } : {}),
  };
}

export interface RoutingModuleDeps {
  config: RoutingConfigInput;
  events: EventPublisher;
  clock?: Clock;
  scheduler?: Scheduler;
  logger?: Logger;
}

export type RoutingModule = DomainModule & { api: RoutingEngine };

export function createRoutingModule(deps: RoutingModuleDeps): RoutingModule {
  const engine = new RoutingEngine({ config: deps.config, clock: deps.clock ?? systemClock, scheduler: deps.scheduler ?? createSystemScheduler(),
    onListenerError: (eventType, err) => deps.logger?.error({ err, eventType }, 'a routing event listener failed'),
  });
  const unsubscribe = engine.subscribe((event) => deps.events.publish('routing.event', event));
  return {
    name: 'routing',
    api: engine,
    close: () => {
      unsubscribe();
      engine.close();
    },
  };
}
