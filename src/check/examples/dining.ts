/**
 * Dining philosophers, each eating once: N philosophers round a table of N forks, philosopher i with
 * fork i on the left and fork (i+1) mod N on the right.
 *
 * State: [pc_0 .. pc_N-1, fork_0 .. fork_N-1], a fork 1 when held. Philosopher i, with first and second
 * the forks it takes in that order:
 *   pc 0: when first is free, take it     pc 2: put second down
 *   pc 1: when second is free, take it    pc 3: put first down
 *   pc 4: done
 * 'left-first': every philosopher takes the left fork first, and when all have taken it, nobody can go
 * on: a quiescent state with someone not done, DINING_DEADLOCK. 'ordered': the last philosopher takes
 * its right fork (fork 0) first, so forks are taken in increasing order and no cycle of waits can form.
 *
 * A fork is held exactly when a neighbour's pc says so, so a state is its pc vector, and a pc vector is
 * reachable when no fork is claimed by both neighbours, with one exception for left-first (all at pc 3).
 * Left-first has (2 + sqrt 6)^N + (2 - sqrt 6)^N - 1 states: 19, 87, 391, 1743 for N = 2..5; ordered
 * 16, 72, 320, 1424. dining.test.ts derives both.
 */

import type { Model } from '../model.ts';

export type DiningVariant = 'left-first' | 'ordered';

export const DINING_DEADLOCK = 1;

const DONE = 4;

export function dining(n: number, variant: DiningVariant = 'left-first'): Model {
  if (!Number.isInteger(n) || n < 2) throw new Error(`dining: need at least 2 philosophers, not ${n}`);
  const first = (i: number): number => (variant === 'ordered' && i === n - 1 ? 0 : i);
  const second = (i: number): number => (variant === 'ordered' && i === n - 1 ? i : (i + 1) % n);
  return {
    stateWords: 2 * n,
    actorCount: n,
    init(out) {
      out.fill(0);
    },
    choices: (s, i) => (s[i] < DONE ? 1 : 0),
    step(src, i, _choice, out) {
      const pc = src[i];
      const fork = pc === 0 || pc === 3 ? n + first(i) : n + second(i);
      if ((pc === 0 || pc === 1) && src[fork] !== 0) return false;
      if (pc >= DONE) return false;
      out.set(src);
      out[fork] = pc <= 1 ? 1 : 0;
      out[i] = pc + 1;
      return true;
    },
    violation: () => 0,
    quiescent(s) {
      for (let i = 0; i < n; i++) if (s[i] !== DONE) return DINING_DEADLOCK;
      return 0;
    },
    isDaemon: () => false,
  };
}
