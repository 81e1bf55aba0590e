import { describe, expect, it } from 'vitest';
import { explore } from '../index.ts';
import { exploreEveryWay } from './agree.ts';
import { counters, countersStates } from './counters.ts';
import { enumerate } from './enumerate.ts';

describe('counters', () => {
  it('has (K+1)^N states and N K (K+1)^(N-1) transitions, by reasoning and by brute force', () => {
    for (const [n, k] of [
      [1, 1],
      [2, 3],
      [3, 2],
      [4, 3],
    ]) {
      const brute = enumerate(counters(n, k));
      expect(brute.states).toBe(countersStates(n, k));
      expect(brute.transitions).toBe(n * k * (k + 1) ** (n - 1));
      expect(brute.violations.size).toBe(0);
    }
  });

  it('is verified with the same counts in every configuration', async () => {
    const n = 4;
    const k = 5;
    for (const { name, result } of await exploreEveryWay(counters(n, k))) {
      expect(result.verdict, name).toBe('verified');
      expect(result.stats.states, name).toBe(1296);
      expect(result.stats.transitions, name).toBe(n * k * (k + 1) ** (n - 1));
      expect(result.stats.maxDepth, name).toBe(n * k);
    }
  });

  /*
   * Partial-order reduction, by construction. In every state but the last, the lowest-numbered counter
   * a below K is an ample actor: its footprint {a} meets no other actor's future ({b} while b < K,
   * nothing after), and no property reads it. Its move raises the sum of the counters, so the successor
   * is new, one BFS level deeper, and not on the DFS stack (which holds only smaller sums): neither
   * cycle proviso fires. The reduced graph is the single path that counts counter 0 up to K, then
   * counter 1, and so on: N K + 1 states, N K transitions, depth N K, every state but the last ample.
   * With symmetry as well the counters are kept sorted, and the lowest counter below K is raised each
   * time: the path differs, its length does not.
   */
  it('is one path of N K + 1 states with partial-order reduction, with or without symmetry', async () => {
    for (const [n, k] of [
      [1, 1],
      [2, 3],
      [4, 5],
      [8, 9],
    ]) {
      for (const order of ['bfs', 'dfs'] as const) {
        for (const symmetry of [false, true]) {
          const r = await explore(counters(n, k), { order, por: true, symmetry });
          const name = `counters(${n}, ${k}) ${order}${symmetry ? ' symmetry' : ''}`;
          expect(r.verdict, name).toBe('verified');
          expect([r.stats.states, r.stats.transitions, r.stats.maxDepth], name).toEqual([
            n * k + 1,
            n * k,
            n * k,
          ]);
          expect([r.stats.reduced?.ampleStates, r.stats.reduced?.provisoFallbacks], name).toEqual([n * k, 0]);
        }
      }
    }
  });

  /* Symmetry: the counters are interchangeable, so an orbit is a multiset of N values from 0..K. */
  it('keeps C(N+K, N) states with symmetry reduction', async () => {
    const choose = (a: number, b: number): number => (b === 0 ? 1 : (choose(a - 1, b - 1) * a) / b);
    for (const [n, k] of [
      [2, 3],
      [4, 5],
      [6, 9],
    ]) {
      for (const order of ['bfs', 'dfs'] as const) {
        const r = await explore(counters(n, k), { order, symmetry: true });
        expect(r.stats.states, `counters(${n}, ${k}) ${order}`).toBe(choose(n + k, n));
      }
    }
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => counters(0, 3)).toThrow(/positive integers/);
    expect(() => counters(2, 1.5)).toThrow(/positive integers/);
  });
});
