/**
 * N independent counters, each counting from 0 to K: actor a's only move is s[a]++ while s[a] < K.
 *
 * No two actors share anything, so every combination of counter values is reachable and the state
 * space is exactly (K+1)^N, with N * K * (K+1)^(N-1) transitions. It is the explorer's speed test:
 * the model does almost nothing, so states per second measures hashing, storing and queueing.
 *
 * Promela: `active [N] proctype C() { byte c = 0; do :: c < K -> c++ :: else -> break od }` has the
 * same states once the loop's exit is folded away.
 */

import type { Model } from '../model.ts';

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
  };
}

/** (K+1)^N. */
export const countersStates = (n: number, k: number): number => (k + 1) ** n;
