import { describe, expect, it } from 'vitest';
import type { AssignmentReason } from '@carebridge/server/contracts';
import { reasonDetails, shortReason } from './assignment-reason.js';

const base: AssignmentReason = {
  conversationId: 'c',
  queueId: 'general',
  priority: 2,
  requiredSkills: ['general'],
  overflow: null,
  chosen: { agentId: 'sam', load: 1, capacity: 4, idleMs: 1000 },
  decidingRule: 'least-loaded',
  candidatesConsidered: 5,
  eligibleCount: 3,
  runnersUp: [{ agentId: 'kim', load: 2, capacity: 4, idleMs: 10 }],
  excludedCounts: { presence: 1, 'at-capacity': 1 },
  excluded: [],
  waitedMs: 4200,
  decidedAt: 0,
};

describe('assignment reasons in words', () => {
  it.each([
    [{}, 'Chosen as the least busy of 3 eligible agents (load 1/4); skills: general.'],
    [{ decidingRule: 'only-candidate', eligibleCount: 1 }, 'Chosen as the only eligible agent (load 1/4); skills: general.'],
    [{ decidingRule: 'longest-idle', requiredSkills: [] }, 'Chosen as idle longest of 3 eligible agents (load 1/4).'],
    [{ overflow: { fromQueueId: 'billing', toQueueId: 'general', waitedMs: 60_000 } }, 'Chosen as the least busy of 3 eligible agents (load 1/4); skills: general; overflow from billing.'],
  ] as const)('%j', (patch, text) => {
    expect(shortReason({ ...base, ...(patch as Partial<AssignmentReason>) })).toBe(text);
  });
  it('details who else was considered and why others were excluded', () => {
    expect(reasonDetails(base)).toEqual([
      '5 agents considered, 3 eligible.',
      'Runners-up: kim (load 2/4).',
      'Excluded: 1 not available, 1 at capacity.',
      'Waited 4 s before the decision.',
    ]);
  });
});
