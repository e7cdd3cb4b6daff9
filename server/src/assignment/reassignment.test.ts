import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/server.js';
import { compose } from '../composition.js';
import { conversationsHarness, emit, say, until } from '../testing/conversations.js';
import type { Presence } from '../contracts/realtime.js';

let server: TestServer;
const { desk, visitorChat, accept, closeAll } = conversationsHarness(() => server);

afterEach(async () => {
  closeAll();
  await server.context.conversations.idle();
  await server.close();
});

const routed = (agentId: string) => server.context.routing.snapshot().agents.find((a) => a.agentId === agentId);

describe('an agent who is gone loses their active chats to routing', () => {
  it('requeues an offline agent’s active chat (past the grace period) to the next agent, telling the patient', async () => {
    server = await startTestServer({ PRESENCE_GRACE_MS: '150', ROUTING_ALWAYS_OPEN: '1' });
    const ann = await desk('agent-ann');
    const chat = await visitorChat('Ida');
    await accept(ann, chat.conversationId);
    const bob = await desk('agent-bob');
    ann.socket.disconnect();

    const offer = await until(() => bob.offers.find((o) => o.conversationId === chat.conversationId));
    await until(() => chat.messages.find((m) => m.kind === 'system' && m.body.startsWith('Your agent is no longer available')));
    expect(routed('agent-ann')).toMatchObject({ presence: 'offline', load: 0 });
    expect(server.context.conversations.core.get(chat.conversationId)).toMatchObject({ state: 'offered', agent_id: null });
    await accept(bob, chat.conversationId);
    expect((await say(chat.socket, chat.conversationId, 'hello again')).ok).toBe(true);
    await until(() => bob.messages.find((m) => m.body === 'hello again'));
    expect(offer.reason.excludedCounts).toMatchObject({ presence: 1 });
  });

});

describe('an agent who misses offers', () => {
  it('keeps the chats they are handling, is paused (away, told why), and gets every waiting chat once available again', async () => {
    server = await startTestServer({ ROUTING_OFFER_TIMEOUT_MS: '1000', ROUTING_ALWAYS_OPEN: '1' });
    const ann = await desk('agent-ann');
    const presenceSeen: Presence[] = [];
    ann.socket.on('presence:changed', (p: Presence) => presenceSeen.push(p));
    const kept = await visitorChat('Jo');
    await accept(ann, kept.conversationId);
    const first = await visitorChat('Kim');
    const second = await visitorChat('Lee');
    await until(() => ann.offers.find((o) => o.conversationId === first.conversationId));
    await until(() => ann.offers.find((o) => o.conversationId === second.conversationId));
    // Ann answers neither offer: after the second timeout new offers pause, and she is told why.
    const paused = await until(() => presenceSeen.find((p) => p.userId === 'agent-ann' && p.state === 'away'), 4000);
    expect(paused.reason).toBe('missed-offers');
    expect(routed('agent-ann')).toMatchObject({ presence: 'away', load: 1 });
    // The chat she is in stays hers, and the patient hears nothing about losing an agent.
    expect(ann.removed).toEqual([]);
    expect(server.context.conversations.core.get(kept.conversationId)).toMatchObject({ state: 'active', agent_id: 'agent-ann' });
    expect(kept.messages.some((m) => m.body.startsWith('Your agent is no longer available'))).toBe(false);
    expect((await say(ann.socket, kept.conversationId, 'Still here with you')).ok).toBe(true);
    await until(() => kept.messages.find((m) => m.body === 'Still here with you'));

    // Available again: both waiting chats are offered to her at once (nobody else is there).
    ann.offers.length = 0;
    expect(await emit(ann.socket, 'presence:set', { state: 'available' })).toMatchObject({ ok: true, presence: { state: 'available' } });
    const offers = await until(() => (ann.offers.length === 2 ? ann.offers : undefined), 2000);
    expect(offers.map((o) => o.conversationId).sort()).toEqual([first.conversationId, second.conversationId].sort());
    expect(routed('agent-ann')).toMatchObject({ presence: 'available', load: 3 });
  });

  it('while they are away, another agent who comes gets the waiting chats, not theirs', async () => {
    server = await startTestServer({ ROUTING_OFFER_TIMEOUT_MS: '1000', ROUTING_ALWAYS_OPEN: '1' });
    const ann = await desk('agent-ann');
    const kept = await visitorChat('Mo');
    await accept(ann, kept.conversationId);
    const first = await visitorChat('Nia');
    const second = await visitorChat('Oz');
    await until(() => ann.offers.length === 2 ? true : undefined);
    await until(() => (server.context.presence.get('agent-ann').state === 'away' ? true : undefined), 4000);
    const bob = await desk('agent-bob');
    const offers = await until(() => (bob.offers.length === 2 ? bob.offers : undefined), 3000);
    expect(offers.map((o) => o.conversationId).sort()).toEqual([first.conversationId, second.conversationId].sort());
    expect(server.context.conversations.core.get(kept.conversationId)).toMatchObject({ state: 'active', agent_id: 'agent-ann' });
  });
});

describe('restart', () => {
  it('rebuilds agents’ load from the conversations table and puts offered chats back in line', async () => {
    server = await startTestServer({ ROUTING_ALWAYS_OPEN: '1' });
    const ann = await desk('agent-ann');
    const active = await visitorChat('Max');
    await accept(ann, active.conversationId);
    const wrapped = await visitorChat('Ned');
    await accept(ann, wrapped.conversationId);
    expect(await emit(ann.socket, 'conversation:wrapup', { conversationId: wrapped.conversationId })).toMatchObject({ ok: true });
    const waiting = await visitorChat('Ola');
    await until(() => ann.offers.find((o) => o.conversationId === waiting.conversationId));
    expect(server.context.conversations.core.get(waiting.conversationId)?.state).toBe('offered');

    // A new process over the same database: routing starts empty and is rebuilt.
    const restarted = compose({ config: server.config, logger: server.context.logger, database: server.context.database });
    await restarted.start();
    try {
      expect(restarted.routing.snapshot().agents).toEqual([
        expect.objectContaining({ agentId: 'agent-ann', load: 2, conversationIds: expect.arrayContaining([active.conversationId, wrapped.conversationId]) }),
      ]);
      expect(restarted.routing.conversation(waiting.conversationId)).toMatchObject({ state: 'waiting' });
      expect(restarted.conversations.core.get(waiting.conversationId)?.state).toBe('queued');

      // Ann comes back with capacity 4 and load 2: two more offers at most, the waiting chat among them.
      restarted.assignment.staffConnected('agent-ann', 'agent');
      restarted.presence.set('agent-ann', 'available');
      expect(restarted.routing.snapshot().agents[0]).toMatchObject({ presence: 'available', load: 3, capacity: 4, offers: 1 });
      expect(restarted.conversations.core.get(waiting.conversationId)?.state).toBe('offered');
      // Closing the wrapped-up chat frees her as before.
      restarted.conversations.staff.close({ kind: 'staff', userId: 'agent-ann', role: 'agent', displayName: null }, { conversationId: wrapped.conversationId, disposition: 'resolved' });
      expect(restarted.routing.snapshot().agents[0]).toMatchObject({ load: 2 });
    } finally {
      await restarted.close();
    }

    // Another restart after which Ann does not come back within the grace period: her chats go back in line.
    const without = compose({ config: { ...server.config, PRESENCE_GRACE_MS: 100 }, logger: server.context.logger, database: server.context.database });
    await without.start();
    try {
      expect(without.routing.snapshot().agents[0]).toMatchObject({ agentId: 'agent-ann', load: 1 });
      await until(() => without.conversations.core.get(active.conversationId)?.state === 'queued', 2000);
      expect(without.routing.snapshot().agents[0]).toMatchObject({ load: 0 });
      expect(without.routing.conversation(active.conversationId)).toMatchObject({ state: 'waiting' });
    } finally {
      await without.close();
    }
  });
});

describe('offers', () => {
  it('tells the agent why without naming other agents (counts stay)', async () => {
    server = await startTestServer({ ROUTING_ALWAYS_OPEN: '1' });
    await desk('agent-away', { presence: 'away' });
    const ann = await desk('agent-ann');
    const bob = await desk('agent-bob');
    const chat = await visitorChat('Pia');
    const offer = await until(() => ann.offers[0] ?? bob.offers[0]);
    expect(offer.conversationId).toBe(chat.conversationId);
    expect(offer.reason).toMatchObject({ eligibleCount: 2, candidatesConsidered: 3, excludedCounts: { presence: 1 }, runnersUp: [], excluded: [] });
    // The full reason stays with routing (the supervisor view).
    expect(server.context.routing.conversation(chat.conversationId)?.reason?.runnersUp).toHaveLength(1);
  });
});
