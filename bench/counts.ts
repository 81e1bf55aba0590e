/**
 * The counts a speed change must keep: every built-in scenario under every built-in policy, searched
 * three ways (reduced = BFS with symmetry and partial-order reduction, plain = BFS without
 * reductions, dfs = DFS with both), each as verdict, violation kind, trace length and states stored.
 *
 *   node --import tsx bench/counts.ts [--only <scenario>] > counts.json
 *
 * Keys are "<scenario> <policy> <config>", the format of test/fixtures/counts-*.json; compare two
 * runs (before and after a change) with `diff`. Seconds go to stderr, not into the JSON.
 */

import { explore } from '../src/check/index.ts';
import { builtinPolicies } from '../src/drivers/iommu/intel/policies/index.ts';
import { violationKind } from '../src/properties/violations.ts';
import { builtinScenarios, loadScenario } from '../src/scenario/load.ts';
import { SvmSystem } from '../src/system/system.ts';

const configs = {
  reduced: { order: 'bfs', por: true, symmetry: true },
  plain: { order: 'bfs', por: false, symmetry: false },
  dfs: { order: 'dfs', por: true, symmetry: true },
} as const;

const only = process.argv.indexOf('--only');
const scenarios = only >= 0 ? [process.argv[only + 1]] : builtinScenarios();
const out: Record<string, { verdict: string; kind: string | null; trace: number; states: number }> = {};
for (const name of scenarios) {
  const sc = loadScenario(name);
  for (const policy of builtinPolicies) {
    for (const [config, options] of Object.entries(configs)) {
      const sys = new SvmSystem(sc, policy);
      const t0 = performance.now();
      const r = await explore(sys, { ...options });
      const key = `${name} ${policy.name} ${config}`;
      out[key] = {
        verdict: r.verdict,
        kind: r.violation ? (violationKind[r.violation.code] ?? `code ${r.violation.code}`) : null,
        trace: r.violation?.trace.length ?? 0,
        states: r.stats.states,
      };
      process.stderr.write(
        `${key}: ${r.stats.states} states, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
      );
    }
  }
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
