import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dining } from '../../examples/dining.ts';
import { refcount } from '../../examples/refcount.ts';
import type { Model } from '../../model.ts';
import { finalState } from '../../trace/trace.ts';
import type { ModelSource } from '../source.ts';
import { searchInOrder, swarm } from './swarm.ts';

const example = (name: string, exportName: string, args: unknown[]): ModelSource => ({
  module: fileURLToPath(new URL(`../../examples/${name}.ts`, import.meta.url)),
  exportName,
  args,
});

/** Search `index` of a swarm over `model`, run here to its end. */
const searchAlone = (
  model: Model,
  source: ModelSource,
  index: number,
  reductions: { symmetry: boolean; por: boolean },
) =>
  searchInOrder(model, {
    source,
    index,
    seed: 1_000_003 + index,
    stop: new SharedArrayBuffer(4),
    limits: {},
    ...reductions,
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

  it('with symmetry reduction, stores one state per orbit in every search', async () => {
    const source = example('counters', 'counters', [3, 4]);
    const [on, off] = await Promise.all([
      swarm(source, { workers: 2, symmetry: true }),
      swarm(source, { workers: 2, symmetry: false }),
    ]);
    // C(7, 3) multisets of three counters' values from 0..4, against 5^3 states.
    expect([on.verdict, on.symmetry]).toEqual(['verified', true]);
    expect(on.searches.some((s) => s.verdict === 'verified' && s.states === 35)).toBe(true);
    expect([off.symmetry, off.searches.every((s) => s.canonicalized === 0)]).toEqual([false, true]);
    // The classic dining table is not symmetric (the last philosopher differs): nothing to reduce.
    const ordered = await swarm(example('dining', 'dining', [4, 'ordered']), { workers: 1, symmetry: true });
    expect([ordered.verdict, ordered.symmetry, ordered.searches[0].states]).toEqual(['verified', false, 320]);
  });

  it('with symmetry reduction, reports a concrete trace in the model numbering from every order', async () => {
    const models: [string, unknown[], Model][] = [
      ['refcount', [3, 2, 'check-then-get'], refcount(3, 2, 'check-then-get')],
      ['dining', [5, 'left-first'], dining(5, 'left-first')],
    ];
    for (const [name, args, model] of models) {
      const source = example(name, name, args);
      let moved = 0;
      // Search 0 follows the model's own order; the others a diversified one, whose moves are
      // numbered differently and whose trace is made concrete before it is translated back.
      for (let index = 0; index < 6; index++) {
        const o = await searchAlone(model, source, index, { symmetry: true, por: false });
        const v = o.violation!;
        const end = finalState(model, v.trace);
        expect(v.kind === 'state' ? model.violation(end) : model.quiescent(end), `${name} ${index}`).toBe(
          v.code,
        );
        moved += o.canonicalized;
      }
      // Some searches went through representatives other than the concrete states.
      expect(moved, name).toBeGreaterThan(0);
    }
  });

  it('with partial-order reduction, every search stores fewer states to the same verdict', async () => {
    const source = example('dining', 'dining', [6, 'ordered']);
    const [on, off] = await Promise.all([
      swarm(source, { workers: 3, por: true }),
      swarm(source, { workers: 3, por: false }),
    ]);
    expect([on.verdict, on.por, off.verdict, off.por]).toEqual(['verified', true, 'verified', false]);
    // Every search, whatever its order of actors, reduces (each run to its end here).
    const model = dining(6, 'ordered');
    for (let index = 0; index < 4; index++) {
      const r = await searchAlone(model, source, index, { symmetry: false, por: true });
      const full = await searchAlone(model, source, index, { symmetry: false, por: false });
      expect([r.violation, full.violation]).toEqual([undefined, undefined]);
      expect(r.states, `order ${index}`).toBeLessThan(full.states);
    }
  });

  it('with partial-order reduction, finds the deadlock from every order, with a trace that replays', async () => {
    const model = dining(5, 'left-first');
    const source = example('dining', 'dining', [5, 'left-first']);
    for (let index = 0; index < 6; index++) {
      const o = await searchAlone(model, source, index, { symmetry: false, por: true });
      const v = o.violation!;
      expect(v.kind, `order ${index}`).toBe('quiescent');
      expect(model.quiescent(finalState(model, v.trace)), `order ${index}`).toBe(v.code);
    }
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
