/** --dump-dot output is DOT that Graphviz renders: the state graph, and a trace alone. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { explore, stateGraph } from '../check/index.ts';
import { findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import { loadScenario } from '../scenario/load.ts';
import { SvmSystem } from '../system/system.ts';
import { stateGraphDot, traceDot } from './dot.ts';

/** Graphviz's SVG of `dot` (Debian's graphviz; .ci/ensure-graphviz installs it). */
function render(dot: string): string {
  const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
  expect(r.error, 'Graphviz `dot` must be installed (.ci/ensure-graphviz)').toBeUndefined();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}
const nodes = (svg: string) => svg.match(/class="node"/g)?.length ?? 0;
const edges = (svg: string) => svg.match(/class="edge"/g)?.length ?? 0;

describe('DOT of the state graph', () => {
  const sys = new SvmSystem(loadScenario('seed-accel-mmap'), findPolicy('v4.4')!);

  it('renders every reachable state and transition, the leak states filled, the counterexample in red', async () => {
    const g = stateGraph(sys, 1000);
    expect(g.truncated).toBe(false);
    const r = await explore(sys, { order: 'bfs' });
    // The graph's own count: the unreduced BFS stores as many states.
    const unreduced = await explore(sys, { order: 'bfs', findAll: true });
    expect(g.states.length).toBeGreaterThanOrEqual(unreduced.stats.states);
    const svg = render(stateGraphDot(sys, g, r.violation!.trace));
    expect(nodes(svg)).toBe(g.states.length);
    expect(edges(svg)).toBe(g.edges.length);
    const leaks = [...g.violation].filter((c) => c !== 0).length;
    expect(leaks).toBeGreaterThan(0);
    expect(svg.match(/fill="orange"/g)?.length).toBe(leaks);
    expect(svg.match(/stroke="red"/g)?.length).toBeGreaterThanOrEqual(r.violation!.trace.length);
    expect(svg).toContain('violation: leak');
  });

  it('stops at the cap and says the graph is incomplete', () => {
    const g = stateGraph(sys, 5);
    expect([g.states.length, g.truncated]).toEqual([5, true]);
    const svg = render(stateGraphDot(sys, g));
    expect(nodes(svg)).toBe(5);
    expect(svg).toContain('the graph is incomplete');
  });

  it('draws a trace alone as a chain ending in its violation', async () => {
    const r = await explore(sys, { order: 'bfs' });
    const trace = r.violation!.trace;
    const svg = render(traceDot(sys, trace, { code: r.violation!.code, atEnd: true }));
    expect([nodes(svg), edges(svg)]).toEqual([trace.length + 1, trace.length]);
    expect(svg).toContain('violation: leak');
    expect(svg).toContain('do_exit:finish_task_switch');
  });
});
