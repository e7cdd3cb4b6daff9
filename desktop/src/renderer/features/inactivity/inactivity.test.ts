import { describe, expect, it } from 'vitest';
import { inactivityLimits, inactivityPhase } from './inactivity.js';

describe('inactivity limits', () => {
  it('uses the settings, warning one minute before', () => {
    expect(inactivityLimits(15, '')).toEqual({ totalMs: 15 * 60_000, warningMs: 60_000 });
    expect(inactivityLimits(1, '')).toEqual({ totalMs: 60_000, warningMs: 30_000 });
  });

  it('?inactivitySeconds can only shorten the limit', () => {
    expect(inactivityLimits(15, '?inactivitySeconds=6')).toEqual({ totalMs: 6000, warningMs: 3000 });
    expect(inactivityLimits(1, '?inactivitySeconds=3600').totalMs).toBe(60_000);
    for (const bad of ['?inactivitySeconds=0', '?inactivitySeconds=-5', '?inactivitySeconds=abc', '?inactivitySeconds=1.5', '?inactivitySeconds=1']) {
      expect(inactivityLimits(15, bad).totalMs).toBe(15 * 60_000);
    }
  });

  it.each([
    [0, { phase: 'active' }],
    [13 * 60_000, { phase: 'active' }],
    [14 * 60_000, { phase: 'warning', secondsLeft: 60 }],
    [14 * 60_000 + 59_100, { phase: 'warning', secondsLeft: 1 }],
    [15 * 60_000, { phase: 'expired' }],
  ])('after %i ms idle of 15 minutes: %j', (idle, phase) => {
    expect(inactivityPhase(idle, inactivityLimits(15, ''))).toEqual(phase);
  });
});
