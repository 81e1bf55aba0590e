import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { refcount } from './examples/refcount.ts';
import { type ModelSource, swarm } from './swarm.ts';
import { finalState } from './trace.ts';

const example = (name: string, exportName: string, args: unknown[]): ModelSource => ({
  module: fileURLToPath(new URL(`./examples/${name}.ts`, import.meta.url)),
  exportName,
  args,
});

describe('swarm', () => {
  it('reports the first violation, with a trace that replays here', async () => {
    const r = await swarm(example('refcount', 'refcount', [3, 2, 'check-then-get']), { workers: 3 });
    expect(r.verdict).toBe('violation');
    expect(r.searches.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(r.searches[r.violation!.worker].verdict).toBe('violation');
    const model = refcount(3, 2, 'check-then-get');
    expect(model.violation(finalState(model, r.violation!.trace))).toBe(r.violation!.code);
  });

  it('verifies when a search explores everything, and stops the others', async () => {
    const r = await swarm(example('counters', 'counters', [3, 4]), { workers: 2 });
    expect(r.verdict).toBe('verified');
    expect(r.searches.some((s) => s.verdict === 'verified' && s.states === 125)).toBe(true);
  });

  it('is incomplete when a limit cuts every search short', async () => {
    const r = await swarm(example('counters', 'counters', [4, 9]), { workers: 2, maxStates: 100 });
    expect([r.verdict, r.incompleteReason]).toEqual(['incomplete', 'max-states']);
    expect(r.searches.map((s) => s.states)).toEqual([100, 100]);
  });

  it('says what is wrong with a model source', async () => {
    await expect(swarm(example('counters', 'nothing', []), { workers: 1 })).rejects.toThrow(
      /no function export 'nothing'/,
    );
    await expect(swarm({ module: 'counters.ts', exportName: 'counters' }, { workers: 1 })).rejects.toThrow(
      /absolute path or a file: URL/,
    );
  });
});
