/**
 * Time for the routing engine, injected so tests and benchmarks drive it without real waiting.
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export type TimerHandle = number;

export interface Scheduler {
  schedule(delayMs: number, run: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Real timers; unref'd so a pending offer never keeps the process alive. */
export function createSystemScheduler(): Scheduler {
  const timers = new Map<TimerHandle, NodeJS.Timeout>();
  let next = 1;
  return {
    schedule(delayMs, run) {
      const handle = next++;
      const timer = setTimeout(() => {
        timers.delete(handle);
        run();
      }, delayMs);
      timer.unref();
      timers.set(handle, timer);
      return handle;
    },
    cancel(handle) {
      const timer = timers.get(handle);
      if (timer) clearTimeout(timer);
      timers.delete(handle);
    },
  };
}

/**
 * A clock and scheduler moved by hand: `advance(ms)` runs due timers in time order (ties in the order
 * they were scheduled), with `now()` set to each timer's due time while it runs.
 */
export class ManualClock implements Clock, Scheduler {
  private current: number;
  private nextHandle = 1;
  private readonly timers = new Map<TimerHandle, { due: number; run: () => void }>();

  constructor(start: number | Date = Date.UTC(2026, 0, 5, 15, 0)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, run: () => void): TimerHandle {
    const handle = this.nextHandle++;
    this.timers.set(handle, { due: this.current + Math.max(0, delayMs), run });
    return handle;
  }

  cancel(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let dueHandle: TimerHandle | undefined;
      let due = Infinity;
      for (const [handle, timer] of this.timers) {
        if (timer.due <= target && timer.due < due) {
          due = timer.due;
          dueHandle = handle;
        }
      }
      if (dueHandle === undefined) break;
      const timer = this.timers.get(dueHandle)!;
      this.timers.delete(dueHandle);
      this.current = Math.max(this.current, timer.due);
      timer.run();
    }
    this.current = target;
  }
}
