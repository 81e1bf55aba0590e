import { describe, expect, it } from 'vitest';
import { explore } from '../index.ts';
import { replay } from '../trace/trace.ts';
import { exploreEveryWay } from './agree.ts';
import { enumerate } from './enumerate.ts';
import { REFCOUNT_USE_AFTER_FREE, refcount } from './refcount.ts';

/*
 * Correct: 2 (2R+1)^N, reasoned in refcount.ts.
 *
 * Check-then-get: a user is at one of 3R+1 places (R rounds of: before the check, checked, holding;
 * or done). With the owner holding, all (3R+1)^N placements; dropped and live, those with a holder,
 * (3R+1)^N - (2R+1)^N; freed, those without, (2R+1)^N. Add the violating states, reached from a freed
 * state by one checked user's increment and not expanded further: that user now holds (R places), the
 * others are placed as in a freed state: N R (2R+1)^(N-1). Total 2 (3R+1)^N + N R (2R+1)^(N-1).
 *
 * With W work steps each round has W more holding places, and nothing else changes: correct
 * 2 (R(W+2)+1)^N, check-then-get 2 (R(W+3)+1)^N + N R (2R+1)^(N-1) (the violating user holds at
 * the first of its holding places, the others hold nothing).
 *
 * Symmetry. The users are interchangeable, so an orbit is the multiset of the users' places, and the
 * reasoning above carries over with multisets of N places from P, C(P+N-1, N), for sequences, P^N.
 * Correct: 2 C(2R+N, N). Check-then-get: 2 C(3R+N, N), and for the violating states R choices of the
 * violating user's place times a multiset of N-1 non-holding places, R C(2R+N-1, N-1). That is not
 * the full count divided by N!: an orbit whose users share places has fewer than N! members. The
 * quotient approaches 1/N! of the states as places outnumber users.
 */

const correctStates = (n: number, r: number): number => 2 * (2 * r + 1) ** n;
const buggyStates = (n: number, r: number): number => 2 * (3 * r + 1) ** n + n * r * (2 * r + 1) ** (n - 1);
const choose = (a: number, b: number): number => (b === 0 ? 1 : (choose(a - 1, b - 1) * a) / b);

const sizes = [
  [1, 1],
  [2, 1],
  [2, 2],
  [3, 1],
  [3, 2],
];

describe('refcount', () => {
  it('counts states by formula and by brute force alike', () => {
    for (const [n, r] of sizes) {
      expect(enumerate(refcount(n, r)).states).toBe(correctStates(n, r));
      expect(enumerate(refcount(n, r, 'check-then-get')).states).toBe(buggyStates(n, r));
    }
  });

  it('counts states with work steps by formula and by brute force alike', () => {
    for (const [n, r, w] of [
      [1, 2, 1],
      [2, 1, 2],
      [2, 2, 1],
      [3, 1, 2],
    ]) {
      expect(enumerate(refcount(n, r, 'correct', w)).states).toBe(2 * (r * (w + 2) + 1) ** n);
      expect(enumerate(refcount(n, r, 'check-then-get', w)).states).toBe(
        2 * (r * (w + 3) + 1) ** n + n * r * (2 * r + 1) ** (n - 1),
      );
    }
  });

  it('keeps one state per multiset of places with symmetry reduction', async () => {
    for (const [n, r] of [...sizes, [4, 3], [6, 2]]) {
      const correct = await explore(refcount(n, r), { symmetry: true });
      expect(correct.stats.states, `${n} ${r}`).toBe(2 * choose(2 * r + n, n));
      const buggy = await explore(refcount(n, r, 'check-then-get'), { symmetry: true, findAll: true });
      expect(buggy.stats.states, `${n} ${r}`).toBe(
        2 * choose(3 * r + n, n) + r * choose(2 * r + n - 1, n - 1),
      );
    }
  });

  it('verifies kref_get_unless_zero-style gets in every configuration', async () => {
    const model = refcount(3, 2);
    const brute = enumerate(model);
    expect(brute.violations.size).toBe(0);
    for (const { name, result } of await exploreEveryWay(model)) {
      expect(result.verdict, name).toBe('verified');
      expect(result.stats.states, name).toBe(correctStates(3, 2));
      expect(result.stats.transitions, name).toBe(brute.transitions);
    }
  });

  it('finds the increment on a freed object by a shortest trace', async () => {
    const model = refcount(3, 2, 'check-then-get');
    const brute = enumerate(model);
    expect(brute.shortestViolation).toBe(3);
    for (const { name, result } of await exploreEveryWay(model)) {
      const v = result.violation!;
      expect([result.verdict, v.kind, v.code, v.depth], name).toEqual([
        'violation',
        'state',
        REFCOUNT_USE_AFTER_FREE,
        3,
      ]);
      expect(model.violation(replay(model, v.trace).at(-1)!), name).toBe(REFCOUNT_USE_AFTER_FREE);
    }
  });

  it('explores every state of the buggy variant with findAll, agreeing with brute force', async () => {
    const model = refcount(2, 2, 'check-then-get');
    const brute = enumerate(model);
    for (const { name, result } of await exploreEveryWay(model, { findAll: true })) {
      expect(result.stats.states, name).toBe(buggyStates(2, 2));
      expect(result.stats.transitions, name).toBe(brute.transitions);
      expect(
        result.violations?.map((v) => v.code),
        name,
      ).toEqual([REFCOUNT_USE_AFTER_FREE]);
    }
  });
});
