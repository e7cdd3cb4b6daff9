/**
 * The swarm benchmark's core at a tiny scale: a real server process, a real client worker, the
 * hand-off → offer → accept path, a short steady load, kill -9 and restart mid-load, and the bare
 * relay baseline. What a user of the benchmark relies on: every acknowledged message reaches the
 * agent exactly once, also across the crash, and the figures are there.
 */
import { describe, expect, it } from 'vitest';
import { runSwarmBench } from './swarm/run.js';

describe('swarm benchmark (tiny scale)', () => {
  it('assigns every chat it can, delivers every acked message once, and loses nothing across kill -9 and restart', { timeout: 90_000 }, async () => {
    const lines: string[] = [];
    const summary = await runSwarmBench({
      patients: 10,
      agents: 2,
      rate: 20,
      seconds: 2,
      warmupSeconds: 1,
      arrivalRate: 20,
      workers: 1,
      crash: true,
      crashSeconds: 4,
      baseline: true,
      log: (line) => lines.push(line),
    });

    // Hand-off: each patient's chat reached the bot and was queued; agents took what their capacity allows.
    expect(summary.assignment.handoffs).toBe(10);
    expect(summary.assignment.handoffErrors).toEqual({});
    expect(summary.assignment.accepted).toBe(Math.min(10, 2 * summary.setup.effectiveCapacity));
    expect(summary.assignment.toOffer.count).toBe(summary.assignment.offered);
    // Routing's invariant: no chat waits while an available agent has room.
    expect(summary.assignment.stranded).toBe(0);

    // Steady load: everything sent was acked and received once, with latencies recorded.
    const steady = summary.steady.check;
    expect(steady.sent).toBe(60);
    expect(steady).toMatchObject({ acked: 60, lost: 0, duplicated: 0, redelivered: 0, receivedUnacked: 0, refused: {} });
    expect(summary.steady.delivery.count).toBe(40); // the 2 measured seconds at 20/s
    expect(summary.steady.delivery.p50Ms).toBeGreaterThan(0);
    expect(summary.steady.serverEventLoop?.p99Ms).toBeGreaterThanOrEqual(0);

    // kill -9 mid-load: clients came back, resynced, resent; nothing acked is missing or stored twice.
    const crash = summary.crash!;
    expect(crash.reconnectErrors).toEqual({});
    expect(crash.check).toMatchObject({ sent: 80, acked: 80, lost: 0, duplicated: 0, receivedUnacked: 0, refused: {} });
    expect(crash.resent + crash.heldWhileOffline).toBeGreaterThan(0);
    expect(crash.allResyncedMs).toBeGreaterThan(crash.restartMs);

    // The baseline relay carried the same load.
    expect(summary.baseline?.check).toMatchObject({ sent: 60, acked: 60, lost: 0, duplicated: 0 });
    expect(summary.warnings.filter((w) => !w.includes('capacity'))).toEqual([]);
  });
});
