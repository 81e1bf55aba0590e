/**
 * The one entry: every search answers the same SearchResult, `engine` says which ran, and options a
 * search cannot honour are refused with a message that says why.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { counters } from './examples/counters.ts';
import { refcount } from './examples/refcount.ts';
import { explore } from './explore.ts';
import type { SearchResult } from './result.ts';
import type { ModelSource } from './threads/source.ts';
import { finalState } from './trace/trace.ts';

const example = (name: string, exportName: string, args: unknown[]): ModelSource => ({
  module: fileURLToPath(new URL(`./examples/${name}.ts`, import.meta.url)),
  exportName,
  args,
});

const counts = (r: SearchResult) => [r.verdict, r.stats.states, r.stats.transitions, r.stats.maxDepth];

describe('explore', () => {
  it('runs the sequential search in this thread by default, and says which order', async () => {
    const bfs = await explore(counters(3, 4));
    const dfs = await explore(counters(3, 4), { order: 'dfs' });
    expect([bfs.engine, dfs.engine]).toEqual([
      { kind: 'sequential', order: 'bfs' },
      { kind: 'sequential', order: 'dfs' },
    ]);
    expect(counts(bfs)).toEqual(['verified', 125, 300, 12]);
  });

  it('with workers, stores what the sequential BFS stores, and says how many threads searched', async () => {
    const model = counters(3, 4);
    const seq = await explore(model, { symmetry: true, por: true });
    const par = await explore(model, {
      workers: 2,
      symmetry: true,
      por: true,
      source: example('counters', 'counters', [3, 4]),
    });
    expect(counts(par)).toEqual(counts(seq));
    expect(par.stats.reduced).toMatchObject({ por: seq.stats.reduced!.por, symmetry: true });
    expect(par.engine).toMatchObject({ kind: 'workers', workers: 2 });
    expect(par.stats.omissionProbability).toBeGreaterThan(0);
  });

  it('with swarm, answers its first violation as a plain Violation, and names the search that found it', async () => {
    const model = refcount(3, 2, 'check-then-get');
    const r = await explore(model, {
      swarm: 2,
      source: example('refcount', 'refcount', [3, 2, 'check-then-get']),
    });
    expect(r.verdict).toBe('violation');
    expect(model.violation(finalState(model, r.violation!.trace))).toBe(r.violation!.code);
    expect(r.violation!.depth).toBe(r.violation!.trace.length);
    if (r.engine.kind !== 'swarm') throw new Error(`ran ${r.engine.kind}`);
    expect(r.engine.searches.map((s) => s.index)).toEqual([0, 1]);
    expect(r.engine.searches[r.engine.foundBy!].verdict).toBe('violation');
    expect(r.stats.states).toBe(r.engine.searches.reduce((n, s) => n + s.states, 0));
  });

  it('refuses what the chosen search cannot do, saying why', async () => {
    const model = counters(2, 2);
    const source = example('counters', 'counters', [2, 2]);
    const refused = async (options: Parameters<typeof explore>[1]) =>
      explore(model, options).then(
        () => 'accepted',
        (e: Error) => e.message,
      );
    expect(await refused({ workers: 2 })).toMatch(
      /workers: worker threads build their own .* options\.source/,
    );
    expect(await refused({ swarm: 2, workers: 2, source })).toMatch(/two different searches/);
    expect(await refused({ workers: 2, source, order: 'dfs' })).toMatch(/order 'dfs' is not supported/);
    expect(await refused({ workers: 2, source, findAll: true })).toMatch(/findAll is not supported/);
    expect(await refused({ swarm: 2, source, order: 'bfs' })).toMatch(/swarm: order 'bfs' is not supported/);
    expect(await refused({ seed: 3 })).toMatch(/seed orders the searches of a swarm/);
  });
});
