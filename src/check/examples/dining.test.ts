import { describe, expect, it } from 'vitest';
import { replay } from '../trace/trace.ts';
import { exploreEveryWay } from './agree.ts';
import { DINING_DEADLOCK, type DiningVariant, dining } from './dining.ts';
import { enumerate } from './enumerate.ts';

/*
 * Counting by reasoning. The forks are functions of the pcs (fork f is held by philosopher f when f is
 * its left fork and its pc says it holds it, or by f - 1 likewise as its right fork), so a state is a pc
 * vector in {0..4}^N, and a consistent one has no fork claimed by both neighbours. Consistent vectors
 * are counted by a transfer matrix per fork, T_f[x][y] = 0 when philosopher f-1 at pc x and philosopher
 * f at pc y would both hold fork f, and the count is trace(T_1 T_2 ... T_{N-1} T_0).
 *
 * All consistent vectors are reachable but one: with left-first, "everybody at pc 3" (eaten, holding
 * the left fork) cannot happen. The last to go from pc 2 to pc 3 held its right fork then, so its right
 * neighbour had not yet taken that fork as its left, yet has eaten since: it was not the last.
 * With ordered, that vector is not even consistent (fork 0 is first for two philosophers).
 *
 * For left-first every T_f is J - e2 (e1 + e2 + e3)^T, of rank 2 with eigenvalues 2 +- sqrt(6), so
 * the count is (2 + sqrt 6)^N + (2 - sqrt 6)^N - 1: 19, 87, 391, 1743 for N = 2..5.
 */

const HOLDS_FIRST = [false, true, true, true, false];
const HOLDS_SECOND = [false, false, true, false, false];

function consistentVectors(n: number, variant: DiningVariant): number {
  const ordered = (i: number): boolean => variant === 'ordered' && i === n - 1;
  // Does philosopher i at pc hold its left fork (fork i), or its right fork (fork i + 1)?
  const holdsLeft = (i: number, pc: number): boolean => (ordered(i) ? HOLDS_SECOND[pc] : HOLDS_FIRST[pc]);
  const holdsRight = (i: number, pc: number): boolean => (ordered(i) ? HOLDS_FIRST[pc] : HOLDS_SECOND[pc]);
  const fork = (f: number): number[][] => {
    const left = (f - 1 + n) % n;
    return Array.from({ length: 5 }, (_, x) =>
      Array.from({ length: 5 }, (_, y) => (holdsRight(left, x) && holdsLeft(f, y) ? 0 : 1)),
    );
  };
  const times = (a: number[][], b: number[][]): number[][] =>
    a.map((row) => b[0].map((_, j) => row.reduce((sum, v, k) => sum + v * b[k][j], 0)));
  let product = fork(1 % n);
  for (let f = 2; f <= n; f++) product = times(product, fork(f % n));
  return product.reduce((sum, row, i) => sum + row[i], 0);
}

const closedForm = (n: number): number => {
  let [a, b] = [2, 4]; // (2 + sqrt 6)^N + (2 - sqrt 6)^N for N = 0, 1; then a_N = 4 a_N-1 + 2 a_N-2.
  for (let i = 1; i < n; i++) [a, b] = [b, 4 * b + 2 * a];
  return b - 1;
};

describe('dining philosophers', () => {
  it('counts states by transfer matrix, closed form and brute force alike', () => {
    for (let n = 2; n <= 5; n++) {
      const leftFirst = enumerate(dining(n));
      expect(leftFirst.states).toBe(consistentVectors(n, 'left-first') - 1);
      expect(leftFirst.states).toBe(closedForm(n));
      expect(enumerate(dining(n, 'ordered')).states).toBe(consistentVectors(n, 'ordered'));
    }
    expect([2, 3, 4, 5].map(closedForm)).toEqual([19, 87, 391, 1743]);
  });

  it('deadlocks with left-first, found as a quiescent violation by a shortest trace', async () => {
    const n = 4;
    const model = dining(n);
    const brute = enumerate(model);
    expect(brute.shortestViolation).toBe(n);
    for (const { name, result } of await exploreEveryWay(model)) {
      expect(result.verdict, name).toBe('violation');
      const v = result.violation!;
      expect([v.kind, v.code, v.depth], name).toEqual(['quiescent', DINING_DEADLOCK, n]);
      const end = replay(model, v.trace).at(-1)!;
      expect([...end.subarray(0, n)], name).toEqual([1, 1, 1, 1]);
      expect(model.quiescent(end), name).toBe(DINING_DEADLOCK);
    }
  });

  it('explores every state with findAll, agreeing with brute force', async () => {
    const model = dining(4);
    const brute = enumerate(model);
    for (const { name, result } of await exploreEveryWay(model, { findAll: true })) {
      expect(result.stats.states, name).toBe(391);
      expect(result.stats.transitions, name).toBe(brute.transitions);
      expect(
        result.violations?.map((v) => v.depth),
        name,
      ).toEqual([4]);
    }
  });

  it('cannot deadlock when the last philosopher takes its right fork first', async () => {
    for (const { name, result } of await exploreEveryWay(dining(5, 'ordered'))) {
      expect(result.verdict, name).toBe('verified');
      expect(result.stats.states, name).toBe(consistentVectors(5, 'ordered'));
    }
  });
});
