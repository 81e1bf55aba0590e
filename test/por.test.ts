/**
 * Partial-order reduction on the SVM model (src/system/footprint.ts: a kernel actor's move that
 * touches only its own stack and task_struct goes first, alone) keeps every verdict: the same
 * verdict, kind, code and depth of violation on the oracle scenarios, with symmetry reduction and
 * without, and the reduced trace replays to the same violation.
 */
import { describe, expect, it } from 'vitest';
import { configLabel, domainRuns, policies, scenarioYaml } from '../bench/svm-configs.ts';
import { explore, type SearchOptions } from '../src/check/index.ts';
import { builtinPolicies, findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { builtinScenarios, loadScenario, parseScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/types.ts';
import { SvmSystem } from '../src/system/system.ts';
import { sameVerdicts } from './reduced.ts';

async function agree(sc: Scenario, policy: string, o: SearchOptions) {
  const sys = new SvmSystem(sc, findPolicy(policy)!);
  const { on, off } = await sameVerdicts(sys, { ...o, por: false }, { ...o, por: true });
  expect(on.stats.reduced?.por).toBe(true);
  expect(on.stats.states).toBeLessThanOrEqual(off.stats.states);
  return { on: on.stats.states, off: off.stats.states };
}

describe('partial-order reduction keeps the verdicts of the SVM model', () => {
  const cases = builtinScenarios().flatMap((scenario) =>
    builtinPolicies.map((p) => [scenario, p.name] as const),
  );
  it.each(cases)(
    '%s under %s: the same verdict, kind, code and depth (breadth-first, with symmetry, as svmsim check)',
    async (scenario, policy) => {
      await agree(loadScenario(scenario), policy, { order: 'bfs', symmetry: true });
    },
    // two-procs-one-device under e57e58bd verifies: 299,736 and 349,160 states, the whole space.
    600_000,
  );

  const seeds = builtinScenarios().filter((s) => s.startsWith('seed-'));
  it.each(seeds.flatMap((scenario) => builtinPolicies.map((p) => [scenario, p.name] as const)))(
    '%s under %s: the same verdict, kind and code (depth-first, no symmetry)',
    async (scenario, policy) => {
      await agree(loadScenario(scenario), policy, { order: 'dfs' });
    },
  );

  const bench = domainRuns.filter((r) => r.config.P === 2 && r.config.D === 1 && r.config.F === 1);
  it.each(bench.map((r) => [configLabel(r.config), r.policy, r] as const))(
    'bench %s %s: the same verdict, kind and code (depth-first, with symmetry)',
    async (_label, policy, r) => {
      await agree(parseScenario(scenarioYaml(r.config), 'bench.yaml'), policies[policy].svmsim, {
        order: 'dfs',
        symmetry: true,
      });
    },
  );
});

describe('partial-order reduction keeps every kind of violation (findAll)', () => {
  const seeds = builtinScenarios().filter((s) => s.startsWith('seed-'));
  it.each(seeds.flatMap((scenario) => builtinPolicies.map((p) => [scenario, p.name] as const)))(
    '%s under %s: the same kinds, codes and depths of violation, breadth-first',
    async (scenario, policy) => {
      const sys = new SvmSystem(loadScenario(scenario), findPolicy(policy)!);
      const all = async (por: boolean) => {
        const r = await explore(sys, { order: 'bfs', findAll: true, symmetry: true, por });
        return (r.violations ?? []).map((v) => `${v.kind}:${v.code}@${v.depth}`).sort();
      };
      expect(await all(true)).toEqual(await all(false));
    },
  );
});

describe('partial-order reduction reduces the SVM model', () => {
  it('seed-accel-dma under e57e58bd: fewer states to the same verdict', async () => {
    const { on, off } = await agree(loadScenario('seed-accel-dma'), 'e57e58bd', { order: 'bfs' });
    expect(on).toBeLessThan(off);
  });

  it('P2 D1 F1 MMAP=3 under e57e58bd, with symmetry: fewer states to the same verdict', async () => {
    const sc = parseScenario(scenarioYaml({ P: 2, D: 1, F: 1, MMAP: 3 }), 'bench.yaml');
    const { on, off } = await agree(sc, 'e57e58bd', { order: 'dfs', symmetry: true });
    expect(on).toBeLessThan(off);
  });
});
