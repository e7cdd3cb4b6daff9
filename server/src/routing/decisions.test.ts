import { describe, expect, it } from 'vitest';
import type { Skill } from '../contracts/routing.js';
import type { PresenceState } from '../contracts/realtime.js';
import {
  averageOr,
  chooseAgent,
  compareCandidates,
  compareWaiting,
  decidingRule,
  estimateWaitMs,
  exclusionFor,
  overflowReached,
  type AgentView,
  type SetAside,
  type WaitingView,
} from './decisions.js';

const NOW = 1_000_000;

const agent = (agentId: string, over: Partial<Omit<AgentView, 'skills'>> & { skills?: Skill[] } = {}): AgentView => ({
  agentId,
  presence: over.presence ?? 'available',
  skills: new Set(over.skills ?? ['general']),
  capacity: over.capacity ?? 3,
  load: over.load ?? 0,
  idleSince: over.idleSince ?? NOW - 1000,
  ...(over.availableStamp !== undefined ? { availableStamp: over.availableStamp } : {}),
});

/** Set aside at NOW for the default minute. */
const aside = (cause: SetAside['cause']): SetAside => ({ cause, at: NOW, until: NOW + 60_000, stamp: 10 });

const waiting = (conversationId: string, over: Partial<WaitingView> = {}): WaitingView => ({
  conversationId,
  queueId: 'general',
  priority: 2,
  skills: [],
  enqueuedAt: NOW - 5000,
  order: NOW - 5000,
  seq: 1,
  excludedAgents: new Map(),
  ...over,
});

describe('exclusionFor: who may be offered a conversation', () => {
  const presences: [PresenceState, string | null][] = [
    ['available', null],
    ['busy', 'presence'],
    ['away', 'presence'],
    ['offline', 'presence'],
  ];
  it.each(presences)('presence %s → %s', (presence, cause) => {
    expect(exclusionFor(agent('a', { presence }), ['general'], waiting('c'), NOW)?.cause ?? null).toBe(cause);
  });

  it.each([
    { name: 'has every required skill', skills: ['general', 'spanish'] as Skill[], required: ['general', 'spanish'] as Skill[], cause: null },
    { name: 'lacks one of two skills', skills: ['general'] as Skill[], required: ['general', 'spanish'] as Skill[], cause: 'missing-skills' },
    { name: 'has none', skills: [] as Skill[], required: ['billing'] as Skill[], cause: 'missing-skills' },
    { name: 'has more than needed', skills: ['billing', 'general', 'pharmacy'] as Skill[], required: ['billing'] as Skill[], cause: null },
  ])('skills: $name → $cause', ({ skills, required, cause }) => {
    expect(exclusionFor(agent('a', { skills }), required, waiting('c'), NOW)?.cause ?? null).toBe(cause);
  });

  it.each([
    { load: 0, capacity: 3, cause: null },
    { load: 2, capacity: 3, cause: null },
    { load: 3, capacity: 3, cause: 'at-capacity' },
    { load: 0, capacity: 0, cause: 'at-capacity' },
  ])('load $load of $capacity → $cause', ({ load, capacity, cause }) => {
    expect(exclusionFor(agent('a', { load, capacity }), ['general'], waiting('c'), NOW)?.cause ?? null).toBe(cause);
  });

  it('sets aside the agent who declined or let the offer time out, and only them', () => {
    const conversation = waiting('c', { excludedAgents: new Map([['a', aside('declined')], ['b', aside('timed-out')]]) });
    expect(exclusionFor(agent('a'), ['general'], conversation, NOW)?.cause).toBe('declined');
    expect(exclusionFor(agent('b'), ['general'], conversation, NOW)?.cause).toBe('timed-out');
    expect(exclusionFor(agent('c'), ['general'], conversation, NOW)).toBeNull();
  });

  it('a set-aside is a pause, never a ban: it ends at its time, or when the agent becomes available again', () => {
    const conversation = waiting('c', { excludedAgents: new Map([['a', aside('timed-out')]]) });
    expect(exclusionFor(agent('a'), ['general'], conversation, NOW + 59_999)?.cause).toBe('timed-out');
    expect(exclusionFor(agent('a'), ['general'], conversation, NOW + 60_000)).toBeNull();
    // Set away for missed offers, then back: offered again at once.
    expect(exclusionFor(agent('a', { availableStamp: 11 }), ['general'], conversation, NOW + 20)).toBeNull();
    expect(exclusionFor(agent('a', { availableStamp: 9 }), ['general'], conversation, NOW + 20)?.cause).toBe('timed-out');
  });
});

describe('compareWaiting: serving order', () => {
  it.each([
    { name: 'red flag before routine', a: { priority: 0, order: 200, seq: 9 }, b: { priority: 2, order: 100, seq: 1 }, first: 'a' },
    { name: 'same priority: earlier enqueue first', a: { priority: 2, order: 200, seq: 1 }, b: { priority: 2, order: 100, seq: 2 }, first: 'b' },
    { name: 'same priority and time: lower sequence first', a: { priority: 1, order: 100, seq: 7 }, b: { priority: 1, order: 100, seq: 3 }, first: 'b' },
    { name: 'low priority waits even when much older', a: { priority: 3, order: 0, seq: 1 }, b: { priority: 1, order: 10_000, seq: 2 }, first: 'b' },
  ])('$name', ({ a, b, first }) => {
    const sorted = [{ id: 'a', ...a }, { id: 'b', ...b }].sort(compareWaiting);
    expect(sorted[0]!.id).toBe(first);
  });

  it('sorts a mixed line into priority buckets, FIFO within each', () => {
    const line = [
      { id: 'p2-late', priority: 2, order: 50, seq: 5 },
      { id: 'p0', priority: 0, order: 40, seq: 4 },
      { id: 'p2-early', priority: 2, order: 10, seq: 1 },
      { id: 'p3', priority: 3, order: 5, seq: 0 },
      { id: 'p2-tie-b', priority: 2, order: 30, seq: 3 },
      { id: 'p2-tie-a', priority: 2, order: 30, seq: 2 },
    ];
    expect(line.sort(compareWaiting).map((c) => c.id)).toEqual(['p0', 'p2-early', 'p2-tie-a', 'p2-tie-b', 'p2-late', 'p3']);
  });
});

describe('compareCandidates and decidingRule: which agent gets it', () => {
  it.each([
    { name: 'least loaded wins', a: agent('z', { load: 0 }), b: agent('a', { load: 1, idleSince: 0 }), winner: 'z', rule: 'least-loaded' },
    { name: 'equal load: longest idle wins', a: agent('z', { idleSince: NOW - 9000 }), b: agent('a', { idleSince: NOW - 10 }), winner: 'z', rule: 'longest-idle' },
    { name: 'equal load and idle: agent id decides', a: agent('b'), b: agent('a'), winner: 'a', rule: 'agent-id' },
  ])('$name', ({ a, b, winner, rule }) => {
    const [best, runnerUp] = [a, b].sort(compareCandidates);
    expect(best!.agentId).toBe(winner);
    expect(decidingRule(best!, runnerUp)).toBe(rule);
  });

  it('only-candidate when nobody else is eligible', () => {
    expect(decidingRule(agent('a'), undefined)).toBe('only-candidate');
  });
});

describe('chooseAgent: the decision and its reason', () => {
  it('chooses the least loaded eligible agent and says why the others were not chosen', () => {
    const agents = [
      agent('ana', { load: 2 }),
      agent('bo', { load: 1, skills: ['general', 'spanish'] }),
      agent('cy', { presence: 'away' }),
      agent('di', { load: 3 }),
      agent('ed', { skills: ['billing'] }),
      agent('fi', { load: 1, idleSince: NOW - 60_000 }),
    ];
    const conversation = waiting('c1', { excludedAgents: new Map([['gu', aside('declined')]]) });
    const choice = chooseAgent({ conversation, pools: [{ queueId: 'general', requiredSkills: ['general'], agents: [...agents, agent('gu')] }], now: NOW });
    expect(choice.agent?.agentId).toBe('fi');
    if (!choice.agent) throw new Error('expected an agent');
    const { reason } = choice;
    expect(reason).toMatchObject({
      conversationId: 'c1',
      queueId: 'general',
      requiredSkills: ['general'],
      overflow: null,
      chosen: { agentId: 'fi', load: 1, capacity: 3, idleMs: 60_000 },
      decidingRule: 'longest-idle',
      candidatesConsidered: 7,
      eligibleCount: 3,
      excludedCounts: { presence: 1, 'at-capacity': 1, 'missing-skills': 1, declined: 1 },
      waitedMs: 5000,
    });
    expect(reason.runnersUp.map((r) => r.agentId)).toEqual(['bo', 'ana']);
    expect(reason.excluded).toEqual(
      expect.arrayContaining([
        { agentId: 'cy', cause: 'presence', detail: 'presence is away' },
        { agentId: 'di', cause: 'at-capacity', detail: 'load 3 of 3' },
        { agentId: 'ed', cause: 'missing-skills', detail: 'lacks general' },
        { agentId: 'gu', cause: 'declined', detail: 'declined this conversation' },
      ]),
    );
  });

  it('returns no agent, with the exclusions, when nobody is eligible', () => {
    const choice = chooseAgent({ conversation: waiting('c'), pools: [{ queueId: 'general', requiredSkills: ['general'], agents: [agent('a', { presence: 'busy' }), agent('b', { load: 3 })] }], now: NOW });
    expect(choice).toEqual({ agent: null, candidatesConsidered: 2, excludedCounts: { presence: 1, 'at-capacity': 1 } });
  });

  it("prefers the conversation's own queue over the overflow queue, and marks overflow choices", () => {
    const own = { queueId: 'scheduling', requiredSkills: ['scheduling'] as Skill[], agents: [agent('sched', { skills: ['scheduling'], load: 2 })] };
    const overflow = { queueId: 'general', requiredSkills: ['general'] as Skill[], agents: [agent('gen', { load: 0 })], overflowFrom: 'scheduling' };
    const conversation = waiting('c', { queueId: 'scheduling', enqueuedAt: NOW - 130_000 });
    const both = chooseAgent({ conversation, pools: [own, overflow], now: NOW });
    expect(both.agent?.agentId).toBe('sched');
    const onlyOverflow = chooseAgent({ conversation, pools: [{ ...own, agents: [agent('sched', { skills: ['scheduling'], load: 3 })] }, overflow], now: NOW });
    expect(onlyOverflow.agent?.agentId).toBe('gen');
    if (!onlyOverflow.agent) throw new Error('expected an agent');
    expect(onlyOverflow.reason.overflow).toEqual({ fromQueueId: 'scheduling', toQueueId: 'general', waitedMs: 130_000 });
    expect(onlyOverflow.reason.requiredSkills).toEqual(['general']);
  });

  it('lists at most 20 excluded agents but counts them all', () => {
    const agents = Array.from({ length: 50 }, (_, i) => agent(`busy-${i}`, { presence: 'busy' }));
    const choice = chooseAgent({ conversation: waiting('c'), pools: [{ queueId: 'general', requiredSkills: ['general'], agents: [...agents, agent('free')] }], now: NOW });
    if (!choice.agent) throw new Error('expected an agent');
    expect(choice.reason.excluded).toHaveLength(20);
    expect(choice.reason.excludedCounts).toEqual({ presence: 50 });
    expect(choice.reason.decidingRule).toBe('only-candidate');
  });
});

describe('overflowReached', () => {
  it.each([
    { waited: 119_999, after: 120_000, reached: false },
    { waited: 120_000, after: 120_000, reached: true },
    { waited: 0, after: 0, reached: true },
    { waited: 10_000_000, after: undefined, reached: false },
  ])('waited $waited ms, overflow after $after → $reached', ({ waited, after, reached }) => {
    expect(overflowReached(NOW - waited, after, NOW)).toBe(reached);
  });
});

describe('estimateWaitMs: position × handle time ÷ slots + time to accept', () => {
  it.each([
    { position: 1, slots: 4, averageHandleMs: 240_000, averageAcceptMs: 5000, expected: 65_000 },
    { position: 8, slots: 4, averageHandleMs: 240_000, averageAcceptMs: 5000, expected: 485_000 },
    { position: 3, slots: 1, averageHandleMs: 100_000, averageAcceptMs: 0, expected: 300_000 },
    { position: 1, slots: 3, averageHandleMs: 1000, averageAcceptMs: 0, expected: 334 },
    { position: 5, slots: 0, averageHandleMs: 240_000, averageAcceptMs: 5000, expected: null },
  ])('position $position with $slots slots → $expected', ({ expected, ...input }) => {
    expect(estimateWaitMs(input)).toBe(expected);
  });

  it('a later position never waits less', () => {
    const at = (position: number) => estimateWaitMs({ position, slots: 7, averageHandleMs: 180_000, averageAcceptMs: 3000 })!;
    for (let p = 1; p < 50; p++) expect(at(p + 1)).toBeGreaterThan(at(p));
  });

  it('averages recent samples, or falls back', () => {
    expect(averageOr([], 300_000)).toBe(300_000);
    expect(averageOr([100, 200, 600], 300_000)).toBe(300);
  });
});
