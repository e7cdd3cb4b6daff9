import { describe, expect, it } from 'vitest';
import type { AgentState, RoutingConfigInput, RoutingEvent, Skill } from '../contracts/routing.js';
import { ManualClock } from './clock.js';
import { RoutingEngine, type EnqueueOutcome, type RoutingResult } from './engine.js';
import { DEFAULT_ROUTING_CONFIG_INPUT } from './queues.js';

/** Monday 2026-03-02 10:00 in New York: the clinic queues are open. */
const MONDAY_MORNING = Date.UTC(2026, 2, 2, 15, 0);

const TEST_CONFIG: RoutingConfigInput = {
  offerTimeoutMs: 30_000,
  defaultCapacity: 2,
  queues: [
    { id: 'general', name: 'General', skills: ['general'] },
    { id: 'scheduling', name: 'Scheduling', skills: ['scheduling'], overflowTo: 'general', overflowAfterMs: 120_000 },
    { id: 'spanish', name: 'Español', skills: ['spanish'] },
  ],
};

function setup(config: RoutingConfigInput = TEST_CONFIG, start = MONDAY_MORNING) {
  const clock = new ManualClock(start);
  let offers = 0;
  const engine = new RoutingEngine({ config, clock, scheduler: clock, newOfferId: () => `offer-${++offers}` });
  const events: RoutingEvent[] = [];
  engine.subscribe((e) => events.push(e));
  const agent = (agentId: string, skills: Skill[] = ['general'], extra: Partial<AgentState> = {}) =>
    value(engine.setAgentState(agentId, { presence: 'available', skills, ...extra }));
  const enqueue = (conversationId: string, queueId = 'general', priority?: number, skills?: Skill[]) =>
    value(engine.enqueue({ conversationId, queueId, ...(priority === undefined ? {} : { priority }), ...(skills ? { skills } : {}) }));
  const of = <T extends RoutingEvent['type']>(type: T) => events.filter((e): e is Extract<RoutingEvent, { type: T }> => e.type === type);
  const offersTo = (agentId: string) => of('offer.created').filter((e) => e.agentId === agentId).map((e) => e.conversationId);
  return { engine, clock, events, agent, enqueue, of, offersTo };
}

function value<T>(result: RoutingResult<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const offered = (outcome: EnqueueOutcome) => {
  if (outcome.outcome !== 'offered') throw new Error(`expected an offer, got ${outcome.outcome}`);
  return outcome;
};

describe('offers', () => {
  it('offer → accept: the agent is assigned, with the reason recorded', () => {
    const { engine, agent, enqueue, of } = setup();
    agent('ana');
    const outcome = offered(enqueue('c1'));
    expect(outcome.agentId).toBe('ana');
    const accepted = value(engine.accept(outcome.offerId, 'ana'));
    expect(accepted.conversationId).toBe('c1');
    expect(of('offer.accepted')).toEqual([{ type: 'offer.accepted', offerId: outcome.offerId, conversationId: 'c1', agentId: 'ana' }]);
    const [assigned] = of('conversation.assigned');
    expect(assigned).toMatchObject({ conversationId: 'c1', agentId: 'ana', queueId: 'general' });
    expect(assigned!.reason).toMatchObject({ decidingRule: 'only-candidate', requiredSkills: ['general'], chosen: { agentId: 'ana', load: 0 } });
    expect(engine.conversation('c1')).toMatchObject({ state: 'assigned', agentId: 'ana' });
    // Accepting twice, or someone else's offer, is refused.
    expect(engine.accept(outcome.offerId)).toMatchObject({ ok: false, error: { code: 'unknown_offer' } });
  });

  it('offer → decline → next agent; the decliner is not offered it again', () => {
    const { engine, agent, enqueue, of, offersTo } = setup();
    agent('ana');
    agent('bo', ['general'], { presence: 'away' });
    const first = offered(enqueue('c1'));
    expect(first.agentId).toBe('ana');
    expect(engine.decline(first.offerId, 'bo')).toMatchObject({ ok: false, error: { code: 'not_your_offer' } });
    value(engine.decline(first.offerId, 'ana'));
    expect(of('offer.withdrawn')).toMatchObject([{ conversationId: 'c1', agentId: 'ana', cause: 'declined' }]);
    expect(engine.conversation('c1')?.state).toBe('waiting');
    agent('bo');
    expect(offersTo('bo')).toEqual(['c1']);
    const second = of('offer.created').at(-1)!;
    expect(second.reason.excluded).toContainEqual({ agentId: 'ana', cause: 'declined', detail: 'declined this conversation' });
    expect(offersTo('ana')).toEqual(['c1']);
  });

  it('offer → timeout → next agent', () => {
    const { engine, clock, agent, enqueue, of, offersTo } = setup();
    agent('ana');
    clock.advance(1000);
    agent('bo'); // idle for less time than ana: second choice
    offered(enqueue('c1'));
    expect(offersTo('ana')).toEqual(['c1']);
    clock.advance(29_999);
    expect(of('offer.expired')).toHaveLength(0);
    clock.advance(1);
    expect(of('offer.expired')).toMatchObject([{ conversationId: 'c1', agentId: 'ana' }]);
    expect(offersTo('bo')).toEqual(['c1']);
    expect(engine.conversation('c1')).toMatchObject({ state: 'offered', agentId: 'bo' });
    expect(of('offer.created').at(-1)!.reason.excludedCounts).toEqual({ 'timed-out': 1 });
  });

  it('no agent → waits → an agent becomes available → offered', () => {
    const { engine, agent, enqueue, offersTo } = setup();
    expect(enqueue('c1')).toEqual({ outcome: 'queued', position: 1, estimatedWaitMs: null });
    agent('ana', ['general'], { presence: 'busy' });
    expect(offersTo('ana')).toEqual([]);
    expect(value(engine.position('c1')).position).toBe(1);
    agent('ana');
    expect(offersTo('ana')).toEqual(['c1']);
    expect(engine.position('c1')).toMatchObject({ ok: false, error: { code: 'unknown_conversation' } });
  });

  it('an agent going offline has their pending offer go to the next agent at once', () => {
    const { agent, enqueue, of, offersTo } = setup();
    agent('ana');
    enqueue('c1');
    agent('bo');
    agent('ana', ['general'], { presence: 'offline' });
    expect(of('offer.withdrawn')).toMatchObject([{ conversationId: 'c1', agentId: 'ana', cause: 'agent-offline' }]);
    expect(offersTo('bo')).toEqual(['c1']);
  });
});

describe('capacity and choice', () => {
  it('respects per-agent capacity (offers count) and frees it on release', () => {
    const { engine, agent, enqueue, offersTo } = setup();
    agent('ana', ['general'], { capacity: 2 });
    const a = offered(enqueue('c1'));
    const b = offered(enqueue('c2'));
    expect(enqueue('c3')).toMatchObject({ outcome: 'queued', position: 1 });
    expect(offersTo('ana')).toEqual(['c1', 'c2']);
    value(engine.accept(a.offerId));
    value(engine.accept(b.offerId));
    expect(engine.released('ana', 'c3')).toMatchObject({ ok: false, error: { code: 'unknown_conversation' } });
    value(engine.released('ana', 'c1'));
    expect(offersTo('ana')).toEqual(['c1', 'c2', 'c3']);
    // Raising capacity takes more work immediately; lowering it keeps what the agent has.
    enqueue('c4');
    agent('ana', ['general'], { capacity: 1 });
    expect(offersTo('ana')).toHaveLength(3);
    agent('ana', ['general'], { capacity: 4 });
    expect(offersTo('ana')).toEqual(['c1', 'c2', 'c3', 'c4']);
  });

  it('spreads work: least loaded first, then longest idle, then by id', () => {
    const { clock, agent, enqueue, of } = setup();
    agent('cy');
    clock.advance(10);
    agent('ana');
    agent('bo');
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6']) enqueue(id);
    expect(of('offer.created').map((e) => [e.conversationId, e.agentId, e.reason.decidingRule])).toEqual([
      ['c1', 'cy', 'longest-idle'],
      ['c2', 'ana', 'agent-id'],
      ['c3', 'bo', 'least-loaded'],
      // Everyone got work at the same instant: equal load and idle time, the id decides.
      ['c4', 'ana', 'agent-id'],
      ['c5', 'bo', 'agent-id'],
      ['c6', 'cy', 'only-candidate'],
    ]);
  });

  it('requires the conversation’s extra skills', () => {
    const { agent, enqueue, offersTo } = setup();
    agent('ana');
    expect(enqueue('c1', 'general', 2, ['spanish'])).toMatchObject({ outcome: 'queued' });
    agent('bo', ['general', 'spanish']);
    expect(offersTo('bo')).toEqual(['c1']);
    expect(offersTo('ana')).toEqual([]);
  });
});

describe('ordering', () => {
  it('strict FIFO within a priority', () => {
    const { engine, clock, agent, enqueue, offersTo } = setup();
    const ids = Array.from({ length: 30 }, (_, i) => `c${i}`);
    for (const id of ids) {
      enqueue(id);
      clock.advance(i(id) % 3); // some share a timestamp: sequence breaks the tie
    }
    agent('ana', ['general'], { capacity: 1 });
    for (let n = 0; n < ids.length; n++) {
      const offer = [...engine.snapshot().conversations].find((c) => c.state === 'offered')!;
      const accepted = value(engine.accept(engine.conversation(offer.conversationId)!.offerId!));
      value(engine.released('ana', accepted.conversationId));
    }
    expect(offersTo('ana')).toEqual(ids);
  });

  it('a red flag jumps the line', () => {
    const { engine, clock, agent, enqueue, offersTo } = setup();
    enqueue('routine-1');
    enqueue('low', 'general', 3);
    enqueue('routine-2', 'general', 2);
    clock.advance(5000);
    expect(enqueue('red-flag', 'general', 0)).toMatchObject({ outcome: 'queued', position: 1 });
    expect(value(engine.positions('general')).map((p) => [p.conversationId, p.position])).toEqual([
      ['red-flag', 1],
      ['routine-1', 2],
      ['routine-2', 3],
      ['low', 4],
    ]);
    agent('ana', ['general'], { capacity: 1 });
    expect(offersTo('ana')).toEqual(['red-flag']);
  });

  it('across queues an agent serves, the most urgent then the oldest comes first', () => {
    const { clock, agent, enqueue, offersTo } = setup();
    enqueue('es-old', 'spanish');
    clock.advance(1000);
    enqueue('gen-new', 'general');
    enqueue('es-urgent', 'spanish', 1);
    agent('ana', ['general', 'spanish'], { capacity: 1 });
    expect(offersTo('ana')).toEqual(['es-urgent']);
  });
});

function i(id: string): number {
  return Number(id.slice(1));
}

describe('overflow', () => {
  it('offers a waiting conversation to the overflow queue’s agents once it waited long enough', () => {
    const { clock, agent, enqueue, of, offersTo } = setup();
    agent('gen');
    expect(enqueue('s1', 'scheduling')).toMatchObject({ outcome: 'queued' });
    clock.advance(119_999);
    expect(offersTo('gen')).toEqual([]);
    clock.advance(1);
    expect(offersTo('gen')).toEqual(['s1']);
    expect(of('offer.created')[0]!.reason.overflow).toEqual({ fromQueueId: 'scheduling', toQueueId: 'general', waitedMs: 120_000 });
    expect(of('offer.created')[0]!.queueId).toBe('general');
  });

  it('an agent of the overflow queue who frees up takes overflowed work in priority and FIFO order', () => {
    const { engine, clock, agent, enqueue, offersTo } = setup();
    agent('gen', ['general'], { presence: 'busy', capacity: 1 });
    enqueue('s-old', 'scheduling');
    clock.advance(60_000);
    enqueue('g1', 'general');
    enqueue('s-new', 'scheduling');
    clock.advance(60_000); // s-old overflowed; s-new has not
    agent('gen', ['general'], { capacity: 1 });
    expect(offersTo('gen')).toEqual(['s-old']);
    value(engine.accept(engine.conversation('s-old')!.offerId!));
    value(engine.released('gen', 's-old'));
    expect(offersTo('gen')).toEqual(['s-old', 'g1']);
  });

  it('a conversation declined before its overflow time still overflows on time', () => {
    const { engine, clock, agent, enqueue, offersTo } = setup();
    agent('sched', ['scheduling']);
    agent('gen');
    const offer = offered(enqueue('s1', 'scheduling'));
    expect(offer.agentId).toBe('sched');
    clock.advance(10_000);
    value(engine.decline(offer.offerId));
    clock.advance(109_999);
    expect(offersTo('gen')).toEqual([]);
    clock.advance(1);
    expect(offersTo('gen')).toEqual(['s1']);
  });

  it('the own queue’s agents keep priority over overflow agents', () => {
    const { engine, clock, agent, enqueue, offersTo } = setup();
    agent('gen');
    agent('sched', ['scheduling'], { presence: 'busy' });
    enqueue('s1', 'scheduling');
    clock.advance(60_000);
    agent('sched', ['scheduling']);
    expect(offersTo('sched')).toEqual(['s1']);
    value(engine.accept(engine.conversation('s1')!.offerId!));
    clock.advance(120_000);
    expect(offersTo('gen')).toEqual([]);
  });
});

describe('unresponsive agents', () => {
  it('requeues their pending offers at the head of the priority and reassigns them', () => {
    const { engine, agent, enqueue, of, offersTo } = setup();
    enqueue('older-spanish', 'general', 2, ['spanish']); // ana cannot take it
    agent('ana', ['general']);
    enqueue('newer');
    expect(offersTo('ana')).toEqual(['newer']);
    expect(value(engine.agentUnresponsive('ana'))).toEqual({ requeued: ['newer'] });
    expect(of('agent.unresponsive')).toHaveLength(1);
    expect(of('offer.withdrawn')).toMatchObject([{ conversationId: 'newer', agentId: 'ana', cause: 'agent-unresponsive' }]);
    expect(value(engine.positions('general')).map((p) => p.conversationId)).toEqual(['newer', 'older-spanish']);
    agent('bo', ['general', 'spanish'], { capacity: 1 });
    expect(offersTo('bo')).toEqual(['newer']);
    expect(engine.agentUnresponsive('nobody')).toMatchObject({ ok: false, error: { code: 'unknown_agent' } });
  });

  it('two offer timeouts in a row make an agent unresponsive: no more offers until they are back', () => {
    const { engine, clock, agent, enqueue, of, offersTo } = setup();
    agent('ana', ['general'], { capacity: 1 });
    enqueue('c1');
    clock.advance(30_000);
    enqueue('c2');
    expect(offersTo('ana')).toEqual(['c1', 'c2']);
    clock.advance(30_000);
    expect(of('agent.unresponsive')).toEqual([{ type: 'agent.unresponsive', agentId: 'ana', consecutiveTimeouts: 2 }]);
    expect(engine.snapshot().agents).toMatchObject([{ agentId: 'ana', presence: 'away', load: 0 }]);
    enqueue('c3');
    expect(offersTo('ana')).toEqual(['c1', 'c2']);
    // Back: the longest-waiting chat first, even one whose offer she let expire (nobody else is here).
    agent('ana', ['general'], { capacity: 1 });
    expect(offersTo('ana')).toEqual(['c1', 'c2', 'c1']);
  });

  it('missed offers never take away a chat the agent is handling, and never strand the queue', () => {
    const { engine, clock, agent, enqueue, of, offersTo } = setup();
    agent('ana', ['general'], { capacity: 3 });
    enqueue('live');
    expect(engine.accept(engine.conversation('live')!.offerId!).ok).toBe(true);
    enqueue('c1');
    enqueue('c2');
    expect(offersTo('ana')).toEqual(['live', 'c1', 'c2']);
    clock.advance(30_000);
    expect(of('agent.unresponsive')).toHaveLength(1);
    // Her accepted chat stays hers.
    expect(of('conversation.requeued')).toEqual([]);
    expect(engine.conversation('live')).toMatchObject({ state: 'assigned', agentId: 'ana' });
    enqueue('c3');
    expect(value(engine.positions('general')).map((p) => p.conversationId)).toEqual(['c1', 'c2', 'c3']);
    // Available again: every queued chat is offered to her, up to her capacity (the live chat counts).
    agent('ana', ['general'], { capacity: 3 });
    expect(offersTo('ana')).toEqual(['live', 'c1', 'c2', 'c1', 'c2']);
    expect(engine.snapshot().agents).toMatchObject([{ agentId: 'ana', presence: 'available', load: 3 }]);
  });

  it('a chat the only agent declined is offered to them again after reofferAfterMs, if it still waits', () => {
    const { engine, clock, agent, enqueue, offersTo } = setup();
    agent('ana', ['general'], { capacity: 2 });
    enqueue('c1');
    expect(engine.decline(engine.conversation('c1')!.offerId!).ok).toBe(true);
    clock.advance(59_000);
    expect(offersTo('ana')).toEqual(['c1']);
    expect(engine.conversation('c1')).toMatchObject({ state: 'waiting' });
    clock.advance(1_000);
    expect(offersTo('ana')).toEqual(['c1', 'c1']);
    // Someone else free takes it first when there is someone else.
    expect(engine.decline(engine.conversation('c1')!.offerId!).ok).toBe(true);
    agent('bo', ['general']);
    expect(offersTo('bo')).toEqual(['c1']);
  });

  it('with reassignActive, their accepted conversations go to another agent too', () => {
    const { engine, agent, enqueue, of, offersTo } = setup();
    agent('ana');
    const offer = offered(enqueue('c1'));
    value(engine.accept(offer.offerId));
    agent('bo');
    value(engine.agentUnresponsive('ana', { reassignActive: true }));
    expect(of('conversation.requeued')).toEqual([{ type: 'conversation.requeued', conversationId: 'c1', queueId: 'general', fromAgentId: 'ana', cause: 'agent-unresponsive' }]);
    expect(offersTo('bo')).toEqual(['c1']);
    expect(engine.snapshot().agents.find((a) => a.agentId === 'ana')).toMatchObject({ load: 0, conversations: 0 });
  });
});

describe('ending', () => {
  it('a conversation that ends while waiting or offered leaves the queue and frees the agent', () => {
    const { engine, agent, enqueue, of, offersTo } = setup();
    agent('ana', ['general'], { capacity: 1 });
    enqueue('c1');
    enqueue('c2');
    enqueue('c3');
    value(engine.conversationEnded('c2'));
    expect(value(engine.positions('general')).map((p) => p.conversationId)).toEqual(['c3']);
    value(engine.conversationEnded('c1'));
    expect(of('offer.withdrawn')).toMatchObject([{ conversationId: 'c1', cause: 'conversation-ended' }]);
    expect(offersTo('ana')).toEqual(['c1', 'c3']);
    value(engine.accept(engine.conversation('c3')!.offerId!));
    value(engine.conversationEnded('c3'));
    expect(engine.snapshot()).toMatchObject({ agents: [{ load: 0 }], conversations: [] });
    expect(engine.conversationEnded('c3')).toMatchObject({ ok: false, error: { code: 'unknown_conversation' } });
  });
});

describe('queue position and estimated wait', () => {
  it('estimates from capacity and measured handle and accept times, and sends coalesced position updates', () => {
    const { engine, clock, agent, enqueue, of } = setup({ ...TEST_CONFIG, defaultHandleTimeMs: 300_000, positionUpdateIntervalMs: 1000 });
    agent('ana', ['general'], { capacity: 2, presence: 'busy' });
    expect(enqueue('c1')).toEqual({ outcome: 'queued', position: 1, estimatedWaitMs: 150_000 });
    expect(enqueue('c2')).toEqual({ outcome: 'queued', position: 2, estimatedWaitMs: 300_000 });
    enqueue('c3');
    enqueue('c4');
    const updates = () => of('queue.position').filter((e) => e.conversationId === 'c4').map((e) => e.position);
    expect(updates()).toEqual([4]);
    agent('ana', ['general'], { capacity: 2 });
    const [first, second] = of('offer.created');
    expect(updates()).toEqual([4]);
    clock.advance(1000);
    expect(updates()).toEqual([4, 2]); // one coalesced update for two changes
    clock.advance(9000);
    value(engine.accept(first!.offerId)); // accepted after 10 s
    value(engine.accept(second!.offerId));
    clock.advance(110_000);
    value(engine.released('ana', 'c1')); // handled in 110 s; c3 is offered
    // c4: position 1 → 1 × 110 s / 2 slots + 10 s to accept
    expect(value(engine.position('c4'))).toMatchObject({ position: 1, estimatedWaitMs: 65_000 });
    clock.advance(1000);
    expect(updates()).toEqual([4, 2, 1]);
    clock.advance(5000);
    expect(updates()).toEqual([4, 2, 1]); // nothing moved, nothing sent
  });

  it('rejects unknown queues', () => {
    const { engine } = setup();
    expect(engine.positions('nope')).toMatchObject({ ok: false, error: { code: 'unknown_queue' } });
  });
});

describe('business hours', () => {
  it('out of hours: the caller gets the queue’s message and the next opening, nothing is queued', () => {
    const sunday = Date.UTC(2026, 2, 8, 16, 0);
    const { engine, enqueue, of } = setup(DEFAULT_ROUTING_CONFIG_INPUT, sunday);
    const outcome = enqueue('c1', 'billing');
    expect(outcome).toMatchObject({ outcome: 'out-of-hours', nextOpenAt: Date.UTC(2026, 2, 9, 12, 0) });
    expect(of('queue.out-of-hours')).toMatchObject([{ conversationId: 'c1', queueId: 'billing' }]);
    expect(of('queue.out-of-hours')[0]!.message).toMatch(/closed/);
    expect(engine.conversation('c1')).toBeUndefined();
    // The nurse line never closes.
    expect(enqueue('c2', 'nurse-line')).toMatchObject({ outcome: 'queued' });
  });
});

describe('reconfigure at run time', () => {
  it('new hours and holidays apply to the next chat; new skills re-match agents and offer who waits; a busy queue cannot be removed', () => {
    const { engine, agent, enqueue, offersTo } = setup();
    agent('ana', ['general']);
    agent('bo', ['spanish']);
    expect(offered(enqueue('c1')).agentId).toBe('ana');
    // General closes today (a holiday); Spanish now needs "general" too, and a new queue appears.
    const today = new Date(MONDAY_MORNING).toISOString().slice(0, 10);
    const next: RoutingConfigInput = {
      ...TEST_CONFIG,
      queues: [
        { id: 'general', name: 'General', skills: ['general'], businessHours: { timeZone: 'America/New_York', weekly: { mon: [{ open: '08:00', close: '18:00' }] }, holidays: [today] } },
        { id: 'scheduling', name: 'Scheduling', skills: ['scheduling'], overflowTo: 'general', overflowAfterMs: 120_000 },
        { id: 'spanish', name: 'Español', skills: ['spanish', 'general'] },
        { id: 'billing', name: 'Billing', skills: ['billing'] },
      ],
    };
    expect(value(engine.reconfigure(next)).queueIds).toEqual(['general', 'scheduling', 'spanish', 'billing']);
    expect(engine.config.queues.map((q) => q.id)).toContain('billing');
    expect(enqueue('c2', 'general')).toMatchObject({ outcome: 'out-of-hours' });
    // Bo no longer has every skill Spanish needs; Ana (general) does not have "spanish" either.
    expect(enqueue('c3', 'spanish')).toMatchObject({ outcome: 'queued' });
    expect(engine.agent('bo')!.queueIds).toEqual([]);
    // Giving Bo the missing skill offers him the waiting chat.
    agent('bo', ['spanish', 'general']);
    expect(offersTo('bo')).toEqual(['c3']);
    // The new queue takes chats at once.
    agent('cy', ['billing']);
    expect(offered(enqueue('c4', 'billing')).agentId).toBe('cy');
    // Removing a queue with conversations is refused and changes nothing; bad input too.
    const withoutBilling = { ...next, queues: next.queues.filter((q) => q.id !== 'billing') };
    expect(engine.reconfigure(withoutBilling)).toMatchObject({ ok: false, error: { code: 'queue_in_use' } });
    expect(engine.reconfigure({ ...next, queues: [] })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(engine.config.queues.map((q) => q.id)).toEqual(['general', 'scheduling', 'spanish', 'billing']);
  });
});

describe('bad input is rejected and changes nothing', () => {
  it.each([
    { name: 'unknown field', input: { conversationId: 'c1', queueId: 'general', extra: 1 } },
    { name: 'priority out of range', input: { conversationId: 'c1', queueId: 'general', priority: 7 } },
    { name: 'fractional priority', input: { conversationId: 'c1', queueId: 'general', priority: 1.5 } },
    { name: 'priority as string', input: { conversationId: 'c1', queueId: 'general', priority: '0' } },
    { name: 'injection-shaped id', input: { conversationId: "c1'; DROP TABLE conversations;--", queueId: 'general' } },
    { name: 'oversized id', input: { conversationId: 'c'.repeat(129), queueId: 'general' } },
    { name: 'unknown skill', input: { conversationId: 'c1', queueId: 'general', skills: ['surgery'] } },
    { name: 'missing queue', input: { conversationId: 'c1' } },
    { name: 'not an object', input: 'c1' },
  ])('enqueue: $name → bad_input', ({ input }) => {
    const { engine } = setup();
    expect(engine.enqueue(input as never)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(engine.snapshot().conversations).toEqual([]);
  });

  it('enqueue: unknown queue and duplicates', () => {
    const { engine, enqueue } = setup();
    expect(engine.enqueue({ conversationId: 'c1', queueId: 'cardiology' })).toMatchObject({ ok: false, error: { code: 'unknown_queue' } });
    enqueue('c1');
    expect(engine.enqueue({ conversationId: 'c1', queueId: 'general' })).toMatchObject({ ok: false, error: { code: 'already_routed' } });
    expect(engine.snapshot().conversations).toHaveLength(1);
  });

  it.each([
    { name: 'unknown presence', state: { presence: 'sleeping', skills: ['general'] } },
    { name: 'unknown skill', state: { presence: 'available', skills: ['magic'] } },
    { name: 'capacity above 10', state: { presence: 'available', skills: ['general'], capacity: 11 } },
    { name: 'negative capacity', state: { presence: 'available', skills: ['general'], capacity: -1 } },
    { name: 'unknown field', state: { presence: 'available', skills: ['general'], role: 'admin' } },
  ])('setAgentState: $name → bad_input', ({ state }) => {
    const { engine } = setup();
    expect(engine.setAgentState('ana', state as never)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(engine.snapshot().agents).toEqual([]);
  });

  it('setAgentState: bad agent id → bad_input', () => {
    const { engine } = setup();
    expect(engine.setAgentState('<script>', { presence: 'available', skills: [] })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });

  it('unknown offers', () => {
    const { engine } = setup();
    expect(engine.accept('offer-404')).toMatchObject({ ok: false, error: { code: 'unknown_offer' } });
    expect(engine.decline('offer-404')).toMatchObject({ ok: false, error: { code: 'unknown_offer' } });
  });

  it.each([
    { name: 'no queues', config: { queues: [] } },
    { name: 'duplicate queue ids', config: { queues: [{ id: 'a', name: 'A', skills: ['general'] }, { id: 'a', name: 'A2', skills: ['billing'] }] } },
    { name: 'overflow to unknown queue', config: { queues: [{ id: 'a', name: 'A', skills: ['general'], overflowTo: 'b', overflowAfterMs: 1000 }] } },
    { name: 'overflow to itself', config: { queues: [{ id: 'a', name: 'A', skills: ['general'], overflowTo: 'a', overflowAfterMs: 1000 }] } },
    { name: 'overflow without a delay', config: { queues: [{ id: 'a', name: 'A', skills: ['general'], overflowTo: 'b' }, { id: 'b', name: 'B', skills: ['general'] }] } },
    { name: 'offer timeout too short', config: { offerTimeoutMs: 10, queues: [{ id: 'a', name: 'A', skills: ['general'] }] } },
    { name: 'queue without skills', config: { queues: [{ id: 'a', name: 'A', skills: [] }] } },
    { name: 'upper-case queue id', config: { queues: [{ id: 'General', name: 'A', skills: ['general'] }] } },
  ])('configuration: $name is refused', ({ config }) => {
    const clock = new ManualClock();
    expect(() => new RoutingEngine({ config: config as never, clock, scheduler: clock })).toThrow();
  });
});

describe('robustness', () => {
  it('a failing listener does not break routing, and its failure is reported', () => {
    const failures: { type: string; message: string }[] = [];
    const clock = new ManualClock(MONDAY_MORNING);
    const engine = new RoutingEngine({
      config: TEST_CONFIG,
      clock,
      scheduler: clock,
      onListenerError: (type, err) => failures.push({ type, message: err instanceof Error ? err.message : String(err) }),
    });
    engine.subscribe(() => {
      throw new Error('subscriber bug');
    });
    value(engine.setAgentState('ana', { presence: 'available', skills: ['general'] }));
    const result = value(engine.enqueue({ conversationId: 'c1', queueId: 'general' }));
    expect(offered(result).outcome).toBe('offered');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]!.message).toBe('subscriber bug');
  });

  it('close() cancels every timer', () => {
    const { engine, clock, agent, enqueue } = setup();
    agent('ana');
    enqueue('c1');
    enqueue('s1', 'scheduling');
    expect(clock.pendingTimers).toBeGreaterThan(0);
    engine.close();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('conversations given by hand (transfer, reassignment, restart)', () => {
  it('assignDirect moves an assigned conversation and its load from one agent to another, freeing the first for waiting work', () => {
    const { engine, agent, enqueue, offersTo } = setup();
    agent('ana');
    agent('ben');
    const first = offered(enqueue('c1'));
    value(engine.accept(first.offerId));
    const owner = first.agentId;
    const other = owner === 'ana' ? 'ben' : 'ana';
    value(engine.setAgentState(other, { presence: 'available', skills: ['general'], capacity: 1 }));
    const second = offered(enqueue('c2'));
    expect(second.agentId).toBe(other);
    value(engine.accept(second.offerId));

    // c1 goes to the other agent, who is now over capacity: allowed by hand, but nothing new is offered to them.
    expect(value(engine.assignDirect({ conversationId: 'c1', queueId: 'general', agentId: other }))).toEqual({ fromAgentId: owner });
    expect(engine.conversation('c1')).toMatchObject({ state: 'assigned', agentId: other, reason: null });
    expect(engine.agent(owner)).toMatchObject({ load: 0 });
    expect(engine.agent(other)).toMatchObject({ load: 2 });
    enqueue('c3');
    expect(offersTo(owner)).toContain('c3');
    // Giving it to the same agent again changes nothing; waiting conversations cannot be given by hand.
    expect(value(engine.assignDirect({ conversationId: 'c1', queueId: 'general', agentId: other }))).toEqual({ fromAgentId: other });
    expect(engine.agent(other)).toMatchObject({ load: 2 });
    enqueue('c4');
    expect(engine.assignDirect({ conversationId: 'c4', queueId: 'general', agentId: owner })).toMatchObject({ ok: false, error: { code: 'already_routed' } });
  });

  it('assignDirect registers an unknown conversation and agent (restart): the load counts once the agent is back', () => {
    const { engine, enqueue, offersTo } = setup();
    value(engine.assignDirect({ conversationId: 'old-1', queueId: 'general', agentId: 'ana', assignedAt: MONDAY_MORNING - 60_000 }));
    value(engine.assignDirect({ conversationId: 'old-2', queueId: 'general', agentId: 'ana' }));
    expect(engine.agent('ana')).toMatchObject({ presence: 'offline', load: 2 });
    enqueue('new');
    expect(offersTo('ana')).toEqual([]);
    // Back with capacity 3: one more offer, not three.
    value(engine.setAgentState('ana', { presence: 'available', skills: ['general'], capacity: 3 }));
    expect(offersTo('ana')).toEqual(['new']);
    expect(engine.agent('ana')).toMatchObject({ load: 3 });
    // Releasing a restored conversation frees the agent like any other.
    value(engine.released('ana', 'old-1'));
    expect(engine.agent('ana')).toMatchObject({ load: 2 });
    expect(engine.assignDirect({ conversationId: 'x', queueId: 'nope', agentId: 'ana' })).toMatchObject({ ok: false, error: { code: 'unknown_queue' } });
    expect(engine.assignDirect({ conversationId: 'x', queueId: 'general', agentId: 'bad id!' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });

  it('reassignActive requeues an agent’s accepted conversations at the head, without touching their presence', () => {
    const { engine, agent, enqueue, of, offersTo } = setup();
    agent('ana');
    value(engine.accept(offered(enqueue('c1')).offerId));
    value(engine.setAgentState('ana', { presence: 'busy', skills: ['general'] }));
    enqueue('c2');
    expect(value(engine.reassignActive('ana'))).toEqual({ requeued: ['c1'] });
    expect(of('conversation.requeued')).toEqual([{ type: 'conversation.requeued', conversationId: 'c1', queueId: 'general', fromAgentId: 'ana', cause: 'agent-unresponsive' }]);
    expect(engine.agent('ana')).toMatchObject({ presence: 'busy', load: 0 });
    expect(value(engine.positions('general')).map((p) => p.conversationId)).toEqual(['c1', 'c2']);
    // Taken off her, c1 is set aside for her while she is away; available again, she is the one
    // agent there is, and she is offered both (the longest waiting first).
    value(engine.setAgentState('ana', { presence: 'available', skills: ['general'] }));
    expect(offersTo('ana')).toEqual(['c1', 'c1', 'c2']);
    expect(engine.reassignActive('nobody')).toMatchObject({ ok: false, error: { code: 'unknown_agent' } });
  });

  it('enqueue can exclude agents (the one who just transferred it); pendingOffers lists an agent’s offers', () => {
    const { engine, agent } = setup();
    agent('ana');
    const outcome = value(engine.enqueue({ conversationId: 'c1', queueId: 'general' }, { excludeAgents: ['ana'] }));
    expect(outcome.outcome).toBe('queued');
    agent('ben');
    expect(engine.pendingOffers('ben')).toEqual([expect.objectContaining({ conversationId: 'c1', agentId: 'ben', queueId: 'general', expiresAt: MONDAY_MORNING + 30_000 })]);
    expect(engine.pendingOffers('ben')[0]).not.toHaveProperty('timer');
    expect(engine.pendingOffers('ana')).toEqual([]);
    expect(engine.pendingOffers('nobody')).toEqual([]);
  });

  it('snapshot reports per queue offers, oldest wait, estimate and available agents, and per agent skills and conversations', () => {
    const { engine, clock, agent, enqueue } = setup();
    agent('ana', ['general'], { capacity: 1 });
    enqueue('c1');
    enqueue('c2');
    clock.advance(5000);
    enqueue('c3');
    const general = engine.snapshot().queues.find((q) => q.queueId === 'general')!;
    expect(general).toMatchObject({ waiting: 2, offered: 1, oldestWaitMs: 5000, agentsAvailable: 1, estimatedWaitMs: expect.any(Number) });
    expect(engine.snapshot().queues.find((q) => q.queueId === 'spanish')).toMatchObject({ waiting: 0, offered: 0, oldestWaitMs: null, estimatedWaitMs: null, agentsAvailable: 0 });
    expect(engine.snapshot().agents).toEqual([expect.objectContaining({ agentId: 'ana', skills: ['general'], conversationIds: [], offers: 1 })]);
  });
});
