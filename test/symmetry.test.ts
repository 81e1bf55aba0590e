/**
 * Symmetry reduction over identical processes, and the devices they bring along
 * (src/system/symmetry.ts), keeps every verdict: the same verdict, kind and code of violation, and
 * (breadth-first) the same shortest depth, on every built-in scenario and on the bench's
 * two-process configurations; its traces are concrete and replay to the violation; and it stores
 * fewer states.
 */
import { describe, expect, it } from 'vitest';
import { configLabel, domainRuns, policies, scenarioYaml } from '../bench/svm-configs.ts';
import { builtinPolicies, findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { builtinScenarios, loadScenario, parseScenario } from '../src/scenario/load.ts';
import type { Scenario } from '../src/scenario/types.ts';
import { exchangeGroups, symmetryGroups } from '../src/system/symmetry.ts';
import { SvmSystem } from '../src/system/system.ts';
import { sameVerdicts } from './reduced.ts';

/** Searches with and without symmetry; checks they agree, and that the reduced trace replays. */
async function agree(sc: Scenario, policy: string, order: 'bfs' | 'dfs') {
  const sys = new SvmSystem(sc, findPolicy(policy)!);
  const { on, off } = await sameVerdicts(sys, { order }, { order, symmetry: true });
  expect(on.stats.reduced?.symmetry).toBe(symmetryGroups(sc).length > 0);
  return { on: on.stats.states, off: off.stats.states };
}

describe('symmetry reduction keeps the verdicts', () => {
  // The two-process scenarios are the ones it reduces; the others check that it stays inert.
  const cases = builtinScenarios().flatMap((scenario) =>
    builtinPolicies
      .filter((p) => !scenario.startsWith('two-procs') || ['v4.4', 'e57e58bd'].includes(p.name))
      .map((p) => [scenario, p.name] as const),
  );
  // two-procs-one-device under e57e58bd verifies: both searches cover its whole state space
  // (349,160 and 698,285 states), about a minute and a half on an idle machine.
  it.each(cases)(
    '%s under %s: the same verdict, kind, code and depth (breadth-first)',
    async (scenario, policy) => {
      const { on, off } = await agree(loadScenario(scenario), policy, 'bfs');
      expect(on).toBeLessThanOrEqual(off);
    },
    600_000,
  );

  // P2 D1 F2 MMAP=3 is two-procs-one-device under another name; D2 configurations are below.
  // P2 D1 F1 MMAP=3 FIXED is measured below.
  const bench = domainRuns.filter(
    (r) =>
      r.config.P === 2 &&
      r.config.D === 1 &&
      r.config.F === 1 &&
      !(r.config.MMAP === 3 && r.policy === 'FIXED'),
  );
  it.each(bench.map((r) => [configLabel(r.config), r.policy, r] as const))(
    'bench %s %s: the same verdict, kind and code (depth-first)',
    async (_label, policy, r) => {
      const sc = parseScenario(scenarioYaml(r.config), 'bench.yaml');
      await agree(sc, policies[policy].svmsim, 'dfs');
    },
  );

  // Process p on device p: the processes are exchanged together with their devices. Under
  // e57e58bd these configurations verify, so a search covers the whole state space (2.47 M states
  // for F = 2 without symmetry): e57e58bd is compared on F = 1 below, where it also has to halve.
  const perDevice = [1, 2].map((F) => [configLabel({ P: 2, D: 2, F, MMAP: 3 }), 'v4.4', F] as const);
  it.each(perDevice)(
    'bench %s %s: the same verdict, kind, code and depth (breadth-first)',
    async (_label, policy, F) => {
      const sc = parseScenario(scenarioYaml({ P: 2, D: 2, F, MMAP: 3 }), 'bench.yaml');
      expect(exchangeGroups(sc)).toEqual([{ tasks: [0, 1], devices: [0, 1] }]);
      const { on, off } = await agree(sc, policy, 'bfs');
      expect(on).toBeLessThan(off);
    },
  );

  it('bench configurations with processes on devices configured apart have nothing to exchange', () => {
    for (const r of domainRuns.filter((x) => x.config.D > 1)) {
      // accel1 may do one DMA attempt more than accel0.
      const yaml = scenarioYaml(r.config).replace(
        /(name: accel1, client: accel, ats: true, dma: )(\d+)/,
        (_m, head, dma) => `${head}${Number(dma) + 1}`,
      );
      expect(yaml).not.toBe(scenarioYaml(r.config));
      expect(symmetryGroups(parseScenario(yaml, 'bench.yaml'))).toEqual([]);
    }
  });
});

describe('symmetry reduction reduces', () => {
  it('P2 D1 F1 MMAP=3 under e57e58bd: about half the states', async () => {
    const sc = parseScenario(scenarioYaml({ P: 2, D: 1, F: 1, MMAP: 3 }), 'bench.yaml');
    const { on, off } = await agree(sc, 'e57e58bd', 'dfs');
    expect(on).toBeLessThan(off);
    // Two processes: an orbit has at most two states, so at least half of them stay.
    expect(2 * on).toBeGreaterThanOrEqual(off);
    expect(on / off).toBeLessThan(0.51);
  });

  // Measured: it verifies in 318,580 of 637,140 states breadth-first (the whole state space): an
  // orbit of two states almost everywhere.
  it('P2 D2 F1 MMAP=3 under e57e58bd: the same verdict in about half the states, the devices exchanged with the processes', async () => {
    const sc = parseScenario(scenarioYaml({ P: 2, D: 2, F: 1, MMAP: 3 }), 'bench.yaml');
    expect(exchangeGroups(sc)).toEqual([{ tasks: [0, 1], devices: [0, 1] }]);
    const { on, off } = await agree(sc, 'e57e58bd', 'bfs');
    expect(2 * on).toBeGreaterThanOrEqual(off);
    expect(on / off).toBeLessThan(0.51);
  }, 600_000);
});
