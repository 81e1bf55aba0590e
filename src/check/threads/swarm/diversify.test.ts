import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counters } from '../../examples/counters.ts';
import { dining } from '../../examples/dining.ts';
import { enumerate } from '../../examples/enumerate.ts';
import { refcount } from '../../examples/refcount.ts';
import { explore } from '../../index.ts';
import { finalState } from '../../trace/trace.ts';
import { diversify } from './diversify.ts';

describe('diversify', () => {
  it('keeps the states, transitions and violations, whatever the seed', () => {
    const model = dining(4);
    const plain = enumerate(model);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const e = enumerate(diversify(model, seed));
        expect([e.states, e.transitions, [...e.violations]]).toEqual([
          plain.states,
          plain.transitions,
          [...plain.violations],
        ]);
      }),
      { numRuns: 20 },
    );
  });

  it('keeps the model symmetries: the same representatives under symmetry reduction', async () => {
    for (const model of [counters(3, 4), dining(5, 'left-first')]) {
      const plain = await explore(model, { symmetry: true });
      for (const seed of [1, 2, 3]) {
        const r = await explore(diversify(model, seed), { symmetry: true });
        expect([r.stats.reduced?.symmetry, r.stats.states]).toEqual([true, plain.stats.states]);
      }
    }
    expect(diversify(dining(4, 'ordered'), 1).canonicalize).toBeUndefined();
  });

  it('translates a trace back into moves of the original model', async () => {
    const model = refcount(3, 2, 'check-then-get');
    const orders = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const d = diversify(model, seed);
      const r = await explore(d, { order: 'dfs' });
      const trace = d.originalTrace(r.violation!.trace);
      expect(model.violation(finalState(model, trace))).toBe(r.violation!.code);
      orders.add(JSON.stringify(trace));
    }
    // The seeds give different orders, and so different first traces.
    expect(orders.size).toBeGreaterThan(1);
  });
});
