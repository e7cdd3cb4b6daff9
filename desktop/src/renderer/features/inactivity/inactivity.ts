/** Pure timing of the automatic sign-out, so it is tested without clocks or a browser. */

export interface InactivityLimits {
  /** Inactivity before sign-out. */
  totalMs: number;
  /** How long before sign-out the warning appears. */
  warningMs: number;
}

export type InactivityPhase = { phase: 'active' } | { phase: 'warning'; secondsLeft: number } | { phase: 'expired' };

/**
 * The limits from the settings, optionally shortened by a `?inactivitySeconds=N` address parameter
 * (used by tests and demos). It can only shorten the limit, never lengthen it, so it is honoured
 * in every build. The warning comes one minute before, or halfway for limits under two minutes.
 */
export function inactivityLimits(inactivityMinutes: number, search: string): InactivityLimits {
  let totalMs = inactivityMinutes * 60_000;
  const override = Number(new URLSearchParams(search).get('inactivitySeconds'));
  if (Number.isInteger(override) && override >= 2 && override * 1000 < totalMs) totalMs = override * 1000;
  return { totalMs, warningMs: Math.min(60_000, totalMs / 2) };
}

export function inactivityPhase(idleMs: number, limits: InactivityLimits): InactivityPhase {
  if (idleMs >= limits.totalMs) return { phase: 'expired' };
  if (idleMs >= limits.totalMs - limits.warningMs) return { phase: 'warning', secondsLeft: Math.ceil((limits.totalMs - idleMs) / 1000) };
  return { phase: 'active' };
}
