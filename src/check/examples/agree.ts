/**
 * Runs the explorer on a model in every configuration (BFS and DFS, exact and hash-compacted, each
 * reduction), for tests that check the configurations agree with each other and with the brute-force
 * enumerator.
 */

import { explore, type ExploreOptions as SearchOptions } from '../explore.ts';
import type { Model } from '../model.ts';
import type { SearchResult } from '../result.ts';

export interface Configured {
  name: string;
  result: SearchResult;
}

export async function exploreEveryWay(model: Model, options: SearchOptions = {}): Promise<Configured[]> {
  const runs: Configured[] = [];
  for (const order of ['bfs', 'dfs'] as const) {
    for (const hashCompaction of [false, true]) {
      const result = await explore(model, { ...options, order, hashCompaction });
      runs.push({ name: `${order}${hashCompaction ? ' compacted' : ''}`, result });
    }
  }
  return runs;
}

export const REDUCTIONS = [
  { name: 'por', por: true, symmetry: false },
  { name: 'symmetry', por: false, symmetry: true },
  { name: 'por+symmetry', por: true, symmetry: true },
] as const;

/** Runs the explorer with each reduction (REDUCTIONS), in BFS and DFS order. */
export async function exploreEveryReduction(
  model: Model,
  options: SearchOptions = {},
): Promise<Configured[]> {
  const runs: Configured[] = [];
  for (const order of ['bfs', 'dfs'] as const) {
    for (const { name, por, symmetry } of REDUCTIONS) {
      const result = await explore(model, { ...options, order, por, symmetry });
      runs.push({ name: `${order} ${name}`, result });
    }
  }
  return runs;
}

/** Actor switches along a trace: how often the next step is by a different actor. */
export function switchesOf(trace: readonly { actor: number }[]): number {
  let switches = 0;
  for (let k = 1; k < trace.length; k++) if (trace[k].actor !== trace[k - 1].actor) switches++;
  return switches;
}
