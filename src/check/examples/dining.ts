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
 *
 * Reductions. Resources are the pcs (0..N-1) and the forks (N..2N-1); no property reads a word as a
 * step writes it (violation() is constant, and quiescent states are kept by partial-order reduction
 * anyway). A philosopher's move touches a fork its neighbour will still want, unless the neighbour is
 * done with it, so partial-order reduction only bites where neighbours have finished. Left-first is
 * symmetric under rotating the table: a state's representative is its least rotation. Ordered is not
 * (the last philosopher differs) and does not canonicalize.
 */

import { type Model, markResource } from '../model.ts';

export type DiningVariant = 'left-first' | 'ordered';

export const DINING_DEADLOCK = 1;

const DONE = 4;

export function dining(n: number, variant: DiningVariant = 'left-first'): Model {
  if (!Number.isInteger(n) || n < 2) throw new Error(`dining: need at least 2 philosophers, not ${n}`);
  const first = (i: number): number => (variant === 'ordered' && i === n - 1 ? 0 : i);
  const second = (i: number): number => (variant === 'ordered' && i === n - 1 ? i : (i + 1) % n);
  /** The fork philosopher i's move at `pc` touches. */
  const forkAt = (i: number, pc: number): number => n + (pc === 0 || pc === 3 ? first(i) : second(i));
  const model: Model = {
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

    resourceCount: 2 * n,
    observed: [],
    footprint(s, i, reads, writes) {
      markResource(reads, i);
      if (s[i] >= DONE) return;
      markResource(writes, i);
      markResource(reads, forkAt(i, s[i]));
      markResource(writes, forkAt(i, s[i]));
    },
    couldTouch(s, i, reads, writes) {
      const pc = s[i];
      if (pc >= DONE) return;
      // pc 0..2 will still touch both forks, pc 3 only the first.
      markResource(reads, i);
      markResource(writes, i);
      markResource(reads, n + first(i));
      markResource(writes, n + first(i));
      if (pc > 2) return;
      markResource(reads, n + second(i));
      markResource(writes, n + second(i));
    },
  };
  if (variant === 'left-first') model.canonicalize = (s, scratch) => leastRotation(s, n, scratch);
  return model;
}

/**
 * Rotates the table (philosopher and fork i+r become i) by the r that makes the state least, word by
 * word; returns whether r is not 0.
 */
function leastRotation(s: Int32Array, n: number, scratch: Int32Array): boolean {
  let best = 0;
  for (let r = 1; r < n; r++) {
    for (let k = 0; k < 2 * n; k++) {
      const d = rotated(s, n, r, k) - rotated(s, n, best, k);
      if (d < 0) best = r;
      if (d !== 0) break;
    }
  }
  if (best === 0) return false;
  for (let k = 0; k < 2 * n; k++) scratch[k] = rotated(s, n, best, k);
  for (let k = 0; k < 2 * n; k++) s[k] = scratch[k];
  return true;
}

/** Word k of state s rotated by r: pc k, or for k >= n fork k - n, of philosopher k + r. */
const rotated = (s: Int32Array, n: number, r: number, k: number): number =>
  k < n ? s[(k + r) % n] : s[n + ((k - n + r) % n)];
