/** "Why this agent" in words, for the inbox (offers) and the supervisor workspace. Pure. */
import type { AssignmentReason } from '@carebridge/server/contracts';

function rule(reason: AssignmentReason): string {
  const n = reason.eligibleCount;
  switch (reason.decidingRule) {
    case 'only-candidate':
      return 'the only eligible agent';
    case 'least-loaded':
      return `the least busy of ${n} eligible agents`;
    case 'longest-idle':
      return `idle longest of ${n} eligible agents`;
    default:
      return `first of ${n} equally suited agents`;
  }
}

/** One line: "Chosen as the least busy of 3 eligible agents (load 1/4); skills: general." */
export function shortReason(reason: AssignmentReason): string {
  const skills = reason.requiredSkills.length ? `; skills: ${reason.requiredSkills.join(', ')}` : '';
  const overflow = reason.overflow ? `; overflow from ${reason.overflow.fromQueueId}` : '';
  return `Chosen as ${rule(reason)} (load ${reason.chosen.load}/${reason.chosen.capacity})${skills}${overflow}.`;
}

const CAUSES: Record<string, string> = {
  presence: 'not available',
  'missing-skills': 'missing skills',
  'at-capacity': 'at capacity',
  declined: 'declined it',
  'timed-out': 'did not answer in time',
};

/** The longer explanation: candidates, runners-up and why others were excluded. */
export function reasonDetails(reason: AssignmentReason): string[] {
  const lines = [`${reason.candidatesConsidered} agents considered, ${reason.eligibleCount} eligible.`];
  if (reason.runnersUp.length) lines.push(`Runners-up: ${reason.runnersUp.map((r) => `${r.agentId} (load ${r.load}/${r.capacity})`).join(', ')}.`);
  const excluded = Object.entries(reason.excludedCounts).filter(([, n]) => (n ?? 0) > 0);
  if (excluded.length) lines.push(`Excluded: ${excluded.map(([cause, n]) => `${n} ${CAUSES[cause] ?? cause}`).join(', ')}.`);
  if (reason.overflow) lines.push(`Overflowed from ${reason.overflow.fromQueueId} to ${reason.overflow.toQueueId} after ${Math.round(reason.overflow.waitedMs / 1000)} s.`);
  lines.push(`Waited ${Math.round(reason.waitedMs / 1000)} s before the decision.`);
  return lines;
}
