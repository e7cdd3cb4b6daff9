/**
 * Preloaded into the measured server with `--import` (server code stays untouched): samples the
 * event-loop delay with `perf_hooks.monitorEventLoopDelay` and, on SIGUSR2, writes what it saw since
 * the previous signal to `$SWARM_EVENT_LOOP_FILE` as JSON, then starts over. The histogram holds the
 * time between two timer wake-ups, so the sampling interval is subtracted: an idle loop reads ~0.
 *
 *   node --import tsx --import ./scripts/bench/swarm/event-loop-probe.ts server/src/main.ts
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface EventLoopSample {
  pid: number;
  /** Increments with every signal, so the reader knows the file is fresh. */
  seq: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

const file = process.env.SWARM_EVENT_LOOP_FILE;
if (file) {
  const RESOLUTION_MS = 5;
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let seq = 0;
  process.on('SIGUSR2', () => {
    const ms = (ns: number) => Math.max(0, Math.round(ns / 1e3) / 1e3 - RESOLUTION_MS);
    const sample: EventLoopSample = { pid: process.pid, seq: ++seq, p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: ms(histogram.max), meanMs: ms(histogram.mean) };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(sample));
    fs.renameSync(`${file}.tmp`, file);
    histogram.reset();
  });
}
