/**
 * What the reduction tests (symmetry.test.ts, por.test.ts) check of a search with a reduction
 * against the same search without it, on svmsim's own model.
 */
import { expect } from 'vitest';
import { explore, finalState, type SearchOptions, type SearchResult } from '../src/check/index.ts';
import type { SvmSystem } from '../src/system/system.ts';

/**
 * Searches `sys` with `off` and with `on`; checks the same verdict, kind and code of violation (and
 * depth, breadth-first), and that the reduced search's trace replays to its violation. Returns both.
 */
export async function sameVerdicts(
  sys: SvmSystem,
  off: SearchOptions,
  on: SearchOptions,
): Promise<{ off: SearchResult; on: SearchResult }> {
  const without = await explore(sys, off);
  const withIt = await explore(sys, on);
  const summary = (r: SearchResult) => ({
    verdict: r.verdict,
    kind: r.violation?.kind,
    code: r.violation?.code,
    ...(on.order === 'bfs' ? { depth: r.violation?.depth } : {}),
  });
  expect(summary(withIt)).toEqual(summary(without));
  if (withIt.violation) {
    // A trace through representatives is made concrete by the search (check/reduce/symmetry.ts concretize).
    const end = finalState(sys, withIt.violation.trace);
    const code = withIt.violation.kind === 'quiescent' ? sys.quiescent(end) : sys.violation(end);
    expect(code).toBe(withIt.violation.code);
  }
  return { off: without, on: withIt };
}
