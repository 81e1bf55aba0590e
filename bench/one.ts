/**
 * One svmsim measurement, in a process of its own so that its peak RSS is its own:
 *
 *   node --import tsx bench/one.ts '<spec as JSON>'
 *
 * prints one line of JSON, a SvmsimResult. The search is DFS, as pan's, and stops itself at the
 * spec's timeout (an 'incomplete' verdict, with the counts at the cut-off). With `reductions`, the
 * explorer's partial-order reduction is asked for (`por`, the counterpart of pan's); the result
 * says whether it ran, since a model without footprints is explored unreduced.
 */

import { explore, type Model } from '../src/check/index.ts';
import { findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { violationKind } from '../src/properties/violations.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { SvmSystem } from '../src/system/system.ts';
import { findFamily, type Params } from './classic.ts';
import { type SvmConfig, scenarioYaml } from './svm-configs.ts';

export type SvmsimSpec = {
  timeout: number;
  reductions?: boolean /** with reductions: false for symmetry alone */;
  por?: boolean;
} & (
  | { kind: 'classic'; family: string; params: Params }
  | { kind: 'svm'; config: SvmConfig; policy: string }
);

export interface SvmsimResult {
  verdict: 'verified' | 'violation' | 'incomplete';
  /** For the SVM model: the violation's kind (leak, use-after-free, ...). */
  violation: string | null;
  incompleteReason: string | null;
  states: number;
  transitions: number;
  /**
   * The search proper: to the end of the state space, or to the first violation, as pan's time.
   * After a DFS violation explore() also runs a bounded BFS for a shorter trace; `seconds` has both.
   */
  searchSeconds: number;
  seconds: number;
  bytes: number;
  bytesPerState: number;
  stateWords: number;
  /** Partial-order reduction ran (asked for, and the model declares footprints). */
  por: boolean;
  /** Symmetry reduction ran (asked for, and the model has a canonical form). */
  symmetry: boolean;
  peakMB: number;
}

async function measure(spec: SvmsimSpec): Promise<SvmsimResult> {
  let model: Model;
  let kindOf: (code: number) => string | null = () => null;
  if (spec.kind === 'classic') {
    model = findFamily(spec.family).build(spec.params);
  } else {
    const policy = findPolicy(spec.policy);
    if (policy === undefined) throw new Error(`no svmsim policy '${spec.policy}'`);
    model = new SvmSystem(parseScenario(scenarioYaml(spec.config), 'bench.yaml'), policy);
    kindOf = (code) => violationKind[code] ?? `code ${code}`;
  }
  // explore() reports progress once, forced, when the search proper ends; with an interval no run
  // reaches, that is the only report, and its clock is the search's own.
  let searchSeconds: number | null = null;
  const r = await explore(model, {
    order: 'dfs',
    maxSeconds: spec.timeout,
    // Reductions on: what `svmsim check` does by default. POR reduces a model that declares
    // footprints (the classic ones), symmetry one that has interchangeable processes (the SVM
    // model's identical processes; the classic ones with a canonical form).
    ...(spec.reductions ? { por: spec.por ?? true, symmetry: spec.kind === 'svm' } : {}),
    progressIntervalMs: 2 ** 31,
    onProgress: (p) => {
      searchSeconds ??= p.seconds;
    },
  });
  return {
    verdict: r.verdict,
    violation: r.violation ? kindOf(r.violation.code) : null,
    incompleteReason: r.incompleteReason ?? null,
    states: r.stats.states,
    transitions: r.stats.transitions,
    searchSeconds: searchSeconds ?? r.stats.seconds,
    seconds: r.stats.seconds,
    bytes: r.stats.bytes,
    bytesPerState: r.stats.bytesPerState,
    stateWords: model.stateWords,
    por: r.stats.reduced?.por === true,
    symmetry: r.stats.reduced?.symmetry === true,
    peakMB: process.resourceUsage().maxRSS / 1024,
  };
}

const arg = process.argv[2];
if (arg === undefined) {
  process.stderr.write("usage: node --import tsx bench/one.ts '<spec as JSON>'\n");
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(await measure(JSON.parse(arg) as SvmsimSpec))}\n`);
