import { describe, expect, it } from 'vitest';
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

  it('rejects sizes that are not positive integers', () => {
    expect(() => counters(0, 3)).toThrow(/positive integers/);
    expect(() => counters(2, 1.5)).toThrow(/positive integers/);
  });
});
