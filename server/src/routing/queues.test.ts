import { describe, expect, it } from 'vitest';
import { ROUTING_SKILLS, routingConfigSchema } from '../contracts/routing.js';
import { DEFAULT_ROUTING_CONFIG, DEFAULT_ROUTING_CONFIG_INPUT } from './queues.js';

describe('default routing configuration', () => {
  it('has one queue per skill, each needing its own skill', () => {
    expect(DEFAULT_ROUTING_CONFIG.queues.map((q) => [q.id, q.skills])).toEqual(
      expect.arrayContaining(ROUTING_SKILLS.map((skill) => [skill, [skill]])),
    );
    expect(DEFAULT_ROUTING_CONFIG.queues).toHaveLength(6);
  });

  it('applies the documented defaults', () => {
    expect(DEFAULT_ROUTING_CONFIG).toMatchObject({ offerTimeoutMs: 30_000, defaultCapacity: 4, unresponsiveAfterTimeouts: 2, positionUpdateIntervalMs: 1000 });
    expect(routingConfigSchema.parse({ queues: [{ id: 'a', name: 'A', skills: ['general'] }] })).toMatchObject({
      offerTimeoutMs: 30_000,
      defaultCapacity: 4,
      queues: [{ businessHours: null }],
    });
  });

  it('keeps the nurse line open around the clock and never overflows clinical work to non-clinical staff', () => {
    const nurse = DEFAULT_ROUTING_CONFIG.queues.find((q) => q.id === 'nurse-line')!;
    expect(nurse.businessHours).toBeNull();
    expect(nurse.overflowTo).toBeUndefined();
    for (const q of DEFAULT_ROUTING_CONFIG.queues) if (q.overflowTo) expect(q.overflowTo === 'general' || q.overflowTo === 'nurse-line').toBe(true);
  });

  it('round-trips through the schema unchanged', () => {
    expect(routingConfigSchema.parse(DEFAULT_ROUTING_CONFIG_INPUT)).toEqual(DEFAULT_ROUTING_CONFIG);
  });
});
