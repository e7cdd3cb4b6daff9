import { describe, expect, it } from 'vitest';
import { panelsFor, type ContextPanel } from './context-panels.js';

const panel = (id: string, order: number, roles: ContextPanel['roles']) => ({ id, title: id, order, roles, Panel: null as unknown as ContextPanel['Panel'] });

describe('panelsFor', () => {
  const panels = [panel('sentiment', 60, ['supervisor']), panel('details', 10, ['agent', 'supervisor']), panel('scripts', 30, 'everyone'), panel('knowledge', 30, ['agent'])];
  it('keeps the panels of the role, in order (ties by id)', () => {
    expect(panelsFor(panels, 'agent').map((p) => p.id)).toEqual(['details', 'knowledge', 'scripts']);
    expect(panelsFor(panels, 'supervisor').map((p) => p.id)).toEqual(['details', 'scripts', 'sentiment']);
    expect(panelsFor(panels, 'outreach').map((p) => p.id)).toEqual(['scripts']);
  });
  it('does not reorder the registry itself', () => {
    panelsFor(panels, 'agent');
    expect(panels.map((p) => p.id)).toEqual(['sentiment', 'details', 'scripts', 'knowledge']);
  });
});
