import { describe, expect, it } from 'vitest';
import { createEventBus, listen } from './events.js';

declare module './events.js' {
  interface DomainEvents {
    'test.first': { n: number };
    'test.second': { n: number };
  }
}

describe('event bus', () => {
  it('runs listeners in registration order, and what they publish only after every listener of the event', () => {
    const bus = createEventBus(() => {});
    const seen: string[] = [];
    bus.register(listen('test.first', 'a', ({ n }) => {
      seen.push(`a${n}`);
      bus.publish('test.second', { n });
    }));
    bus.register(listen('test.first', 'b', ({ n }) => seen.push(`b${n}`)));
    bus.register(listen('test.second', 'c', ({ n }) => seen.push(`c${n}`)));
    bus.publish('test.first', { n: 1 });
    // Drained before publish returns.
    expect(seen).toEqual(['a1', 'b1', 'c1']);
    expect(bus.listenerNames('test.first')).toEqual(['a', 'b']);
  });

  it('dispatches a batch in order before what its listeners publish', () => {
    const bus = createEventBus(() => {});
    const seen: string[] = [];
    bus.register(listen('test.first', 'reacts', ({ n }) => {
      seen.push(`first${n}`);
      bus.publish('test.second', { n: 100 + n });
    }));
    bus.register(listen('test.second', 'logs', ({ n }) => seen.push(`second${n}`)));
    bus.publishAll([
      ['test.first', { n: 1 }],
      ['test.second', { n: 2 }],
    ]);
    expect(seen).toEqual(['first1', 'second2', 'second101']);
  });

  it('keeps a failing listener from the others and reports it', () => {
    const failures: string[] = [];
    const bus = createEventBus((_err, event, listener) => failures.push(`${event}:${listener}`));
    const seen: number[] = [];
    bus.register(listen('test.first', 'broken', () => {
      throw new Error('bug');
    }));
    bus.register(listen('test.first', 'fine', ({ n }) => seen.push(n)));
    bus.publish('test.first', { n: 7 });
    bus.publish('test.first', { n: 8 });
    expect(seen).toEqual([7, 8]);
    expect(failures).toEqual(['test.first:broken', 'test.first:broken']);
  });

  it('stops calling a listener once unregistered', () => {
    const bus = createEventBus(() => {});
    const seen: number[] = [];
    const off = bus.register(listen('test.first', 'x', ({ n }) => seen.push(n)));
    bus.publish('test.first', { n: 1 });
    off();
    bus.publish('test.first', { n: 2 });
    expect(seen).toEqual([1]);
  });
});
