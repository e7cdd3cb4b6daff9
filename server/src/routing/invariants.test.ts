/**
 * A long random run of the engine (seeded, so reproducible) checking after every step the invariants
 * the rest of the system relies on: no waiting conversation has an eligible free agent, loads add up,
 * nobody exceeds capacity, and every conversation is in exactly one place.
 */
import { describe, expect, it } from 'vitest';
import { PRESENCE_STATES } from '../contracts/realtime.js';
import { ROUTING_SKILLS, type Skill } from '../contracts/routing.js';
import { ManualClock } from './clock.js';
import { exclusionFor } from './decisions.js';
import { RoutingEngine } from './engine.js';

function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe('engine invariants under random operations', () => {
  it.each([1, 2, 3])('seed %i: 2,000 steps', (seed) => {
    const random = prng(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const clock = new ManualClock(Date.UTC(2026, 2, 2, 15));
    const engine = new RoutingEngine({
      clock,
      scheduler: clock,
      config: {
        offerTimeoutMs: 5000,
        queues: [
          { id: 'general', name: 'General', skills: ['general'] },
          { id: 'billing', name: 'Billing', skills: ['billing'], overflowTo: 'general', overflowAfterMs: 8000 },
          { id: 'spanish', name: 'Spanish', skills: ['spanish'] },
        ],
      },
    });
    const agents = Array.from({ length: 8 }, (_, i) => `agent-${i}`);
    const agentSkills = new Map<string, Skill[]>();
    let next = 0;

    for (let step = 0; step < 2000; step++) {
      const roll = random();
      const live = [...engine.snapshot().conversations];
      if (roll < 0.25) {
        engine.enqueue({ conversationId: `c${next++}`, queueId: pick(['general', 'billing', 'spanish']), priority: Math.floor(random() * 4), skills: random() < 0.1 ? ['spanish'] : [] });
      } else if (roll < 0.45) {
        const skills = ROUTING_SKILLS.filter(() => random() < 0.5) as Skill[];
        const agentId = pick(agents);
        if (engine.setAgentState(agentId, { presence: pick(PRESENCE_STATES), skills, capacity: Math.floor(random() * 4) }).ok) agentSkills.set(agentId, skills);
      } else if (roll < 0.6) {
        const offered = live.filter((c) => c.state === 'offered');
        if (offered.length > 0) engine.accept(engine.conversation(pick(offered).conversationId)!.offerId!);
      } else if (roll < 0.67) {
        const offered = live.filter((c) => c.state === 'offered');
        if (offered.length > 0) engine.decline(engine.conversation(pick(offered).conversationId)!.offerId!);
      } else if (roll < 0.8) {
        const assigned = live.filter((c) => c.state === 'assigned');
        if (assigned.length > 0) {
          const c = pick(assigned);
          engine.released(c.agentId!, c.conversationId);
        }
      } else if (roll < 0.87) {
        if (live.length > 0) engine.conversationEnded(pick(live).conversationId);
      } else if (roll < 0.89) {
        engine.agentUnresponsive(pick(agents), { reassignActive: random() < 0.5 });
      } else {
        clock.advance(Math.floor(random() * 3000));
      }

      const snapshot = engine.snapshot();
      const problems: string[] = [];
      for (const agent of snapshot.agents) {
        if (agent.load !== agent.offers + agent.conversations) problems.push(`${agent.agentId}: load ${agent.load} ≠ offers + conversations`);
      }
      const waiting = new Set<string>();
      for (const queue of snapshot.queues) {
        const positions = engine.positions(queue.queueId);
        if (positions.ok) for (const p of positions.value) waiting.add(p.conversationId);
      }
      const free = snapshot.agents
        .filter((a) => a.presence === 'available' && a.load < a.capacity)
        .map((a) => ({ ...a, skills: new Set(agentSkills.get(a.agentId) ?? []), idleSince: 0, availableStamp: engine.agent(a.agentId)!.availableStamp }));
      for (const c of snapshot.conversations) {
        if (waiting.has(c.conversationId) !== (c.state === 'waiting')) problems.push(`${c.conversationId} is ${c.state} but ${waiting.has(c.conversationId) ? '' : 'not '}in line`);
        if (c.state !== 'waiting') continue;
        // Nobody of its own queue who is free may take it (overflow has its own timer).
        const conversation = engine.conversation(c.conversationId)!;
        const queue = engine.config.queues.find((q) => q.id === c.queueId)!;
        const required = [...new Set([...queue.skills, ...conversation.skills])];
        for (const agent of free) {
          if (exclusionFor(agent, required, conversation, clock.now()) === null) problems.push(`${c.conversationId} waits while ${agent.agentId} is free`);
        }
      }
      if (problems.length > 0) expect({ step, problems }).toEqual({ step, problems: [] });
    }
  });
});
