/**
 * The flow graph of the scenario being edited: steps as buttons laid out in layers (breadth-first
 * from the first step, `flow-graph.ts`), jumps as arrows drawn in SVG behind them with their labels
 * (next, true/false, case values, retries used up, on error). A click (or Enter) on a step jumps the
 * editor to it. Steps nothing reaches sit in the last row, dashed; a jump to a missing step is red.
 */
import { useId, useMemo } from 'react';
import { buildFlowGraph, type FlowNode } from './flow-graph.js';

const NODE_W = 168;
const NODE_H = 48;
const GAP_X = 28;
const GAP_Y = 56;
const PAD = 16;

export function FlowGraph({ steps, onSelect, stale }: { steps: readonly unknown[]; onSelect(stepId: string): void; stale: boolean }) {
  const headingId = useId();
  const markerId = useId().replace(/:/g, '');
  const graph = useMemo(() => buildFlowGraph(steps), [steps]);
  const counts = new Map<number, number>();
  for (const n of graph.nodes) counts.set(n.layer, (counts.get(n.layer) ?? 0) + 1);
  const width = PAD * 2 + Math.max(1, graph.widest) * NODE_W + Math.max(0, graph.widest - 1) * GAP_X;
  const height = PAD * 2 + graph.layers * NODE_H + Math.max(0, graph.layers - 1) * GAP_Y;
  const position = (n: FlowNode) => {
    const inLayer = counts.get(n.layer) ?? 1;
    const offset = ((graph.widest - inLayer) * (NODE_W + GAP_X)) / 2;
    return { x: PAD + offset + n.index * (NODE_W + GAP_X), y: PAD + n.layer * (NODE_H + GAP_Y) };
  };
  const at = new Map(graph.nodes.map((n) => [n.id, { node: n, ...position(n) }]));

  return (
    <section className="bot-flow card" aria-labelledby={headingId}>
      <h3 id={headingId} className="card-title">
        Flow graph <span className="muted small">— {graph.nodes.length} {graph.nodes.length === 1 ? 'step' : 'steps'}{stale ? '; showing the last valid JSON' : ''}. Choose a step to jump to it in the editor.</span>
      </h3>
      {graph.nodes.length === 0 ? (
        <p className="muted">No steps yet.</p>
      ) : (
        <div className="bot-flow-scroll">
          <div className="bot-flow-canvas" style={{ width, height }}>
            <svg width={width} height={height} aria-hidden="true" className="bot-flow-edges">
              <defs>
                <marker id={markerId} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                  <path d="M 0 0 L 10 5 L 0 10 z" className="bot-flow-arrow" />
                </marker>
              </defs>
              {graph.edges.map((e, i) => {
                const from = at.get(e.from);
                const to = at.get(e.to);
                if (!from) return null;
                const x1 = from.x + NODE_W / 2;
                const y1 = from.y + NODE_H;
                if (!to) {
                  return (
                    <g key={i} className="bot-flow-edge dangling">
                      <line x1={x1} y1={y1} x2={x1} y2={y1 + GAP_Y / 2} markerEnd={`url(#${markerId})`} />
                      <text x={x1 + 4} y={y1 + GAP_Y / 2}>
                        → {e.to} (missing)
                      </text>
                    </g>
                  );
                }
                const x2 = to.x + NODE_W / 2;
                const forward = to.node.layer > from.node.layer;
                // Forward jumps go down; jumps back (loops, retries) go round the right side.
                const d = forward
                  ? `M ${x1} ${y1} C ${x1} ${y1 + GAP_Y / 2}, ${x2} ${to.y - GAP_Y / 2}, ${x2} ${to.y}`
                  : `M ${from.x + NODE_W} ${from.y + NODE_H / 2} C ${from.x + NODE_W + GAP_X * 1.5} ${from.y + NODE_H / 2}, ${to.x + NODE_W + GAP_X * 1.5} ${to.y + NODE_H / 2}, ${to.x + NODE_W} ${to.y + NODE_H / 2}`;
                // Labels sit near the target, where the arrows of one switch have spread apart.
                const lx = forward ? x1 + (x2 - x1) * 0.78 : Math.max(from.x, to.x) + NODE_W + GAP_X * 0.6;
                const ly = forward ? y1 + (to.y - y1) * 0.72 : (from.y + to.y) / 2 + NODE_H / 2;
                return (
                  <g key={i} className={`bot-flow-edge${forward ? '' : ' back'}`}>
                    <path d={d} fill="none" markerEnd={`url(#${markerId})`} />
                    {e.label !== 'next' ? (
                      <text x={lx} y={ly} textAnchor={forward ? 'middle' : 'start'} className="bot-flow-label">
                        {e.label}
                      </text>
                    ) : null}
                  </g>
                );
              })}
            </svg>
            {graph.nodes.map((n) => {
              const p = at.get(n.id)!;
              return (
                <button
                  key={n.id}
                  type="button"
                  className={`bot-flow-node type-${n.type}${n.reachable ? '' : ' unreachable'}`}
                  style={{ left: p.x, top: p.y, width: NODE_W, height: NODE_H }}
                  onClick={() => onSelect(n.id)}
                  title={n.title || n.id}
                >
                  <span className="bot-flow-id">{n.id}</span>{' '}
                  <span className="bot-flow-type">{n.type}</span>
                  <span className="visually-hidden">
                    {n.title ? `: ${n.title}` : ''}
                    {n.reachable ? '' : ' (nothing leads here)'}
                  </span>
                </button>
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}
