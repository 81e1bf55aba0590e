/**
 * States a second of one svmsim search, for measuring a change to the explorer before and after:
 *
 *   node --import tsx bench/speed.ts <scenario | P2D1F1M3> [policy] [bfs|dfs] [plain]
 *
 * The first argument is a built-in scenario or a bench configuration (P processes, D devices, F DMA
 * attempts, MMAP mask, as in svm-configs.ts). The search runs with symmetry and partial-order
 * reduction unless `plain` is given. Prints one line of JSON: states, transitions, the search's
 * seconds, states a second (of the clock, and of CPU time), the explorer's bytes a state, and the process's peak RSS.
 * To compare two versions, run each in its own process, alternating, and take medians (README.md).
 */

import { explore } from '../src/check/index.ts';
import { findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import { SvmSystem } from '../src/system/system.ts';
import { scenarioYaml } from './svm-configs.ts';

const [what = 'two-procs-one-device', policyName = 'e57e58bd', order = 'bfs', plain] = process.argv.slice(2);
const config = /^P(\d)D(\d)F(\d)M(\d)$/.exec(what);
const scenario = config
  ? parseScenario(
      scenarioYaml({ P: +config[1], D: +config[2], F: +config[3], MMAP: +config[4] }),
      'bench.yaml',
    )
  : loadScenario(what);
const policy = findPolicy(policyName);
if (policy === undefined) throw new Error(`no policy '${policyName}'`);
if (order !== 'bfs' && order !== 'dfs') throw new Error(`order is bfs or dfs, not '${order}'`);
const reduce = plain !== 'plain';
const model = new SvmSystem(scenario, policy);
let searchSeconds: number | null = null;
const cpu0 = process.cpuUsage();
const r = await explore(model, {
  order,
  por: reduce,
  symmetry: reduce,
  progressIntervalMs: 2 ** 31,
  onProgress: (p) => {
    searchSeconds ??= p.seconds;
  },
});
const seconds = searchSeconds ?? r.stats.seconds;
// CPU time (this process, all its threads: the collector's too) is less disturbed than the clock by
// the other jobs of a shared machine; it includes shortening a DFS trace, which `seconds` does not.
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(
  `${JSON.stringify({
    what,
    policy: policyName,
    order,
    reduced: reduce,
    verdict: r.verdict,
    states: r.stats.states,
    transitions: r.stats.transitions,
    seconds: Math.round(seconds * 1000) / 1000,
    statesPerSecond: Math.round(r.stats.states / seconds),
    cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
    statesPerCpuSecond: Math.round(r.stats.states / cpuSeconds),
    bytesPerState: Math.round(r.stats.bytesPerState),
    stateWords: model.stateWords,
    peakMB: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
