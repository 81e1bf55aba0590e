import { describe, expect, it } from 'vitest';
import { counters } from '../examples/counters.ts';
import { REFCOUNT_USE_AFTER_FREE, refcount } from '../examples/refcount.ts';
import { explore } from '../explore.ts';
import { finalState } from '../trace/trace.ts';
import { simulate } from './simulate.ts';

describe('simulate', () => {
  it('finds the check-then-get use after free, with a trace as short as the BFS one', async () => {
    const model = refcount(3, 2, 'check-then-get');
    const r = await simulate(model, { seed: 1, samples: 500, maxSteps: 100 });
    expect(r.verdict).toBe('violation');
    const v = r.violation!;
    expect(v.code).toBe(REFCOUNT_USE_AFTER_FREE);
    expect(model.violation(finalState(model, v.trace))).toBe(REFCOUNT_USE_AFTER_FREE);
    const bfs = await explore(model, { order: 'bfs' });
    expect(v.depth).toBe(bfs.violation!.depth);
    expect(v.shortenedBy).toBe(v.sampledDepth > v.depth ? 'bfs' : 'none');
  });

  it('keeps the sampled trace, cycles cut, when the shortening search has no budget', async () => {
    const model = refcount(3, 2, 'check-then-get');
    const r = await simulate(model, { seed: 1, samples: 500, maxSteps: 100, shortenStates: 1 });
    const v = r.violation!;
    expect(v.shortenedBy).not.toBe('bfs');
    expect(model.violation(finalState(model, v.trace))).toBe(REFCOUNT_USE_AFTER_FREE);
  });

  it('finds nothing in a correct model, and says it ran every sample', async () => {
    const r = await simulate(refcount(3, 2, 'correct'), { seed: 3, samples: 200, maxSteps: 100 });
    expect(r.verdict).toBe('none-found');
    expect(r.stats.samples).toBe(200);
    expect(r.stats.finished + r.stats.cut).toBe(200);
  });

  it('gives the same samples for the same seed, and other samples for another', async () => {
    const model = counters(4, 6);
    const run = (seed: number, bias = false) =>
      simulate(model, { seed, samples: 20, maxSteps: 7, bias }).then((r) => r.stats);
    expect(await run(5)).toMatchObject({ samples: 20, cut: 20, steps: 140 });
    const a = await simulate(refcount(3, 2, 'check-then-get'), { seed: 9, samples: 300 });
    const b = await simulate(refcount(3, 2, 'check-then-get'), { seed: 9, samples: 300 });
    const c = await simulate(refcount(3, 2, 'check-then-get'), { seed: 10, samples: 300 });
    expect(a.violation?.sample).toBe(b.violation?.sample);
    expect(a.violation?.trace).toEqual(b.violation?.trace);
    expect([a.violation?.sample, a.violation?.sampledDepth]).not.toEqual([
      c.violation?.sample,
      c.violation?.sampledDepth,
    ]);
    expect(await run(5, true)).toMatchObject({ samples: 20 });
  });

  it('stops at the time it is given', async () => {
    const r = await simulate(refcount(4, 3, 'correct'), { seed: 0, samples: 1e9, maxSeconds: 0.2 });
    expect(r.verdict).toBe('incomplete');
    expect(r.incompleteReason).toBe('max-seconds');
    expect(r.stats.samples).toBeGreaterThan(0);
  });
});
