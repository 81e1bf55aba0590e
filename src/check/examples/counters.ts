/**
 * N independent counters, each counting from 0 to K: actor a's only move is s[a]++ while s[a] < K.
 *
 * No two actors share anything, so every combination of counter values is reachable and the state
 * space is exactly (K+1)^N, with N * K * (K+1)^(N-1) transitions. It is the explorer's speed test:
 * the model does almost nothing, so states per second measures hashing, storing and queueing.
 *
 * Promela: `active [N] proctype C() { byte c = 0; do :: c < K -> c++ :: else -> break od }` has the
 * same states once the loop's exit is folded away.
 *
 * Both reductions apply in full. Counter a is resource a, touched by actor a alone and read by no
 * property, so every move is independent of every other actor's: partial-order reduction runs the
 * counters one after another, N K + 1 states on a single path (counters.test.ts). The counters are
 * interchangeable, so a state's orbit representative is its values sorted: symmetry reduction keeps
 * one state per multiset of N values from 0..K, C(N+K, N) of them.
 */

import { type Model, markResource } from '../model.ts';
import { sortBlocks } from '../reduce/symmetry.ts';

export function counters(n: number, k: number): Model {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 1) {
    throw new Error(`counters: n and k must be positive integers, not n=${n}, k=${k}`);
  }
  return {
    stateWords: n,
    actorCount: n,
    init(out) {
      out.fill(0);
    },
    choices(s, a) {
      return s[a] < k ? 1 : 0;
    },
    step(src, a, _choice, out) {
      if (src[a] >= k) return false;
      out.set(src);
      out[a] = src[a] + 1;
      return true;
    },
    violation: () => 0,
    quiescent: () => 0,
    isDaemon: () => false,
    resourceCount: n,
    observed: [],
    footprint(_s, a, reads, writes) {
      markResource(reads, a);
      markResource(writes, a);
    },
    couldTouch(s, a, reads, writes) {
      if (s[a] >= k) return;
      markResource(reads, a);
      markResource(writes, a);
    },
    canonicalize: (s) => sortBlocks(s, 0, 1, n),
  };
}

/** (K+1)^N. */
export const countersStates = (n: number, k: number): number => (k + 1) ** n;
