/**
 * The flow graph of a scenario: steps as nodes, their jumps as edges, laid out in layers by
 * breadth-first search from the first step (a layer per distance), steps nothing reaches in a last
 * layer of their own. Pure; `FlowGraph.tsx` draws it as SVG.
 */
export interface FlowNode {
  id: string;
  type: string;
  /** What the node says: the step's label, else a short form of its text, condition or target. */
  title: string;
  layer: number;
  /** Position within its layer, from 0. */
  index: number;
  reachable: boolean;
}

export interface FlowEdge {
  from: string;
  to: string;
  /** `next`, `true`, `false`, a case value, `retries used up`, `on error`. */
  label: string;
  /** The target is no step of this scenario (the server refuses to save such a jump). */
  dangling: boolean;
}

export interface FlowGraphModel {
  nodes: FlowNode[];
  edges: FlowEdge[];
  layers: number;
  widest: number;
}

/** A step as the author typed it: checked by the server, so the graph reads every field defensively. */
export interface LooseStep {
  id?: unknown;
  type?: unknown;
  designer?: { next?: unknown };
  [key: string]: unknown;
}

/** The jumps out of a step, in the order the graph draws them. */
export function stepJumps(step: LooseStep): { to: string; label: string }[] {
  const out: { to: string; label: string }[] = [];
  const add = (to: unknown, label: string) => {
    if (typeof to === 'string' && to !== '') out.push({ to, label });
  };
  const branches = step.type === 'branch' || step.type === 'redFlag';
  if (branches) add(step.targetStepId, step.type === 'redFlag' ? 'red flag' : 'true');
  if (step.type === 'switch' && Array.isArray(step.cases)) for (const c of step.cases as { value?: unknown; targetStepId?: unknown }[]) add(c?.targetStepId, `= ${String(c?.value ?? '')}`);
  add(step.designer?.next, branches ? (step.type === 'redFlag' ? 'no red flag' : 'false') : step.type === 'switch' ? 'otherwise' : 'next');
  if (step.type === 'prompt') add(step.retryFailedStepId, 'retries used up');
  if (step.type === 'dataConnection') add(step.errorStepId, 'on error');
  return out;
}

function titleOf(step: LooseStep): string {
  const pick = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const text =
    pick(step.label) ??
    pick((step as { text?: unknown }).text) ??
    pick((step as { condition?: unknown }).condition) ??
    pick((step as { scenario?: unknown }).scenario) ??
    pick((step as { variable?: unknown }).variable) ??
    pick((step as { onInit?: unknown }).onInit) ??
    '';
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 39)}…` : flat;
}

export function buildFlowGraph(steps: readonly unknown[]): FlowGraphModel {
  const list = steps.filter((s): s is LooseStep => typeof s === 'object' && s !== null && typeof (s as LooseStep).id === 'string') as (LooseStep & { id: string })[];
  const byId = new Map<string, LooseStep & { id: string }>();
  for (const s of list) if (!byId.has(s.id)) byId.set(s.id, s);
  const edges: FlowEdge[] = [];
  for (const s of byId.values()) for (const j of stepJumps(s)) edges.push({ from: s.id, to: j.to, label: j.label, dangling: !byId.has(j.to) });

  const layerOf = new Map<string, number>();
  const first = list[0]?.id;
  if (first !== undefined) {
    layerOf.set(first, 0);
    const queue = [first];
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const j of stepJumps(byId.get(id)!)) {
        if (!byId.has(j.to) || layerOf.has(j.to)) continue;
        layerOf.set(j.to, layerOf.get(id)! + 1);
        queue.push(j.to);
      }
    }
  }
  const reachedLayers = Math.max(-1, ...layerOf.values()) + 1;
  const counts: number[] = [];
  const nodes: FlowNode[] = [];
  for (const s of byId.values()) {
    const reachable = layerOf.has(s.id);
    const layer = reachable ? layerOf.get(s.id)! : reachedLayers;
    const index = counts[layer] ?? 0;
    counts[layer] = index + 1;
    nodes.push({ id: s.id, type: typeof s.type === 'string' ? s.type : '?', title: titleOf(s), layer, index, reachable });
  }
  nodes.sort((a, b) => a.layer - b.layer || a.index - b.index);
  return { nodes, edges, layers: counts.length, widest: Math.max(0, ...counts.map((c) => c ?? 0)) };
}
