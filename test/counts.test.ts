/**
 * Every built-in scenario under every built-in policy, searched three ways (BFS with symmetry and
 * partial-order reduction, BFS with neither, DFS with both): the verdict, the violation's kind, the
 * trace length and the number of states stored, against the numbers recorded at bdc81ca (main just
 * before the model's fields and frames were declared with their kinds, issue 15; its entries for
 * the scenarios and policies 6c1fb10 had are the same as there). A change to how the model is
 * written, not to what it models, keeps every one of them; a change to what it models records them
 * anew, in a commit of its own that says why.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from './verdict.ts';

const recorded: Record<string, { verdict: string; states: number; steps?: number; kind?: string }> =
  JSON.parse(readFileSync(new URL('./fixtures/counts-bdc81ca.json', import.meta.url), 'utf8'));
const configs = {
  reduced: { order: 'bfs', symmetry: true, por: true },
  plain: { order: 'bfs', symmetry: false, por: false },
  dfs: { order: 'dfs', symmetry: true, por: true },
} as const;

describe('state counts recorded before the open model (bdc81ca)', () => {
  for (const [key, want] of Object.entries(recorded)) {
    const [scenario, policy, config] = key.split(' ') as [string, string, keyof typeof configs];
    it(key, { timeout: 600_000 }, async () => {
      const r = await check(scenario, policy, configs[config]);
      expect({ verdict: r.verdict, states: r.states, steps: r.steps?.length, kind: r.v?.kind }).toEqual(want);
    });
  }
});
