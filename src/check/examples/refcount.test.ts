import { describe, expect, it } from 'vitest';
import { replay } from '../trace.ts';
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
 */

const correctStates = (n: number, r: number): number => 2 * (2 * r + 1) ** n;
const buggyStates = (n: number, r: number): number => 2 * (3 * r + 1) ** n + n * r * (2 * r + 1) ** (n - 1);

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
