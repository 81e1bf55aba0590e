/**
 * The domain table: svmsim's SVM model and the reference Promela abstraction (svm.pml) on the same
 * configuration and policy. pan runs with -DNOREDUCE, so both sides search a full state space
 * without reductions; svmsim's model is much richer (page tables, VT-d caches and queues, the
 * client driver), so its state counts are expected to differ, and the row says by how much.
 *
 * Both sides stop at the first violation (DFS): the counts of a violating row are the states stored
 * until then, and both times run to it. svmsim then shortens its counterexample by a bounded BFS,
 * which pan does not do; that time is reported beside, not in the ratio.
 */

import { join } from 'node:path';
import {
  alternate,
  panRepeatable,
  ratio,
  Series,
  shortenSeconds,
  spinSide,
  svmsimRepeatable,
  svmsimSide,
  TIMEOUT,
  timeRatio,
} from './measure.ts';
import type { SvmsimResult } from './one.ts';
import { buildPan, runPan } from './spin.ts';
import { configLabel, type DomainRun, policies, type SvmConfig, spinViolationKind } from './svm-configs.ts';
import { runSvmsim, type SvmsimFailure } from './svmsim.ts';

export interface DomainRow {
  config: string;
  policy: string;
  /** See DomainRun.reductions; rows of older results files have none (off). */
  reductions?: 'off' | 'on';
  svmsimPolicy: string;
  /** What the reference abstraction's README predicts: leak for BUGGY with an mmap, else verified. */
  expectedVerdict: string;
  svmsimVerdict: string;
  spinVerdict: string;
  /** Both finished and gave the same verdict; null when either hit the cap. */
  verdictsAgree: boolean | null;
  svmsimStates: number | null;
  spinStates: number | null;
  /** svmsim states / SPIN states. */
  stateRatio: number | null;
  /** To the end of the state space, or to the first violation (as pan's time). */
  svmsimSeconds: number | null;
  spinSeconds: number | null;
  timeRatio: number | null;
  /** What svmsim then spent shortening a DFS counterexample by a bounded BFS (pan has no such step). */
  svmsimShortenSeconds: number | null;
  /**
   * States stored per second of search, also for a run the cap cut short (its states by the cap):
   * how fast each tool goes through its own model, which the time ratio mixes with the models' sizes.
   */
  svmsimStatesPerSecond: number | null;
  spinStatesPerSecond: number | null;
  /** Words in svmsim's state vector for the configuration. */
  svmsimStateWords: number | null;
  /** With reductions on: whether svmsim's symmetry reduction ran (the processes are alike). */
  svmsimSymmetry?: boolean | null;
  svmsimPeakMB: number | null;
  spinPeakMB: number | null;
  runs: { svmsim: number; spin: number };
}

export interface DomainOptions {
  runs: number;
  timeout: number;
  buildDir: string;
  svmPml: string;
  log: (line: string) => void;
}

export function measureDomain(run: DomainRun, o: DomainOptions): DomainRow {
  const c = run.config;
  const policy = policies[run.policy];
  const label = configLabel(c);
  const reduced = run.reductions === 'on';
  const dir = join(o.buildDir, `svm_P${c.P}_D${c.D}_F${c.F}_M${c.MMAP}_${run.policy}_${run.reductions}`);
  buildPan(o.svmPml, { P: c.P, D: c.D, F: c.F, MMAP: c.MMAP, POLICY: policy.spin }, reduced, dir);
  const svmsim = new Series(
    () =>
      runSvmsim({ kind: 'svm', config: c, policy: policy.svmsim, timeout: o.timeout, reductions: reduced }),
    svmsimRepeatable(o.timeout),
  );
  const spin = new Series(() => runPan(dir, o.timeout), panRepeatable);
  alternate(o.runs, [svmsim, spin]);
  const sv = svmsimSide(svmsim.results);
  const sp = spinSide(spin.results, spinViolationKind);
  const agree = sv.complete && sp.complete ? sv.verdict === sp.verdict : null;
  o.log(
    `domain ${label} ${run.policy} reductions ${run.reductions}: svmsim ${sv.verdict} ${sv.states} states ${sv.seconds?.toFixed(2)} s, ` +
      `pan ${sp.verdict} ${sp.states} states ${sp.seconds?.toFixed(2)} s`,
  );
  return {
    config: label,
    policy: run.policy,
    reductions: run.reductions,
    svmsimPolicy: policy.svmsim,
    expectedVerdict: expectedVerdict(c, run.policy),
    svmsimVerdict: sv.verdict,
    spinVerdict: sp.verdict,
    verdictsAgree: agree,
    svmsimStates: sv.states,
    spinStates: sp.states,
    stateRatio: sv.complete && sp.complete ? ratio(sv.states, sp.states) : null,
    svmsimSeconds: sv.seconds,
    spinSeconds: sp.seconds,
    timeRatio: timeRatio(sv, sp),
    svmsimShortenSeconds: sv.complete && sv.verdict !== 'verified' ? shortenSeconds(svmsim.results) : null,
    svmsimStatesPerSecond: ratio(sv.states, sv.seconds),
    spinStatesPerSecond: ratio(sp.states, sp.seconds),
    svmsimStateWords: stateWords(svmsim.results),
    svmsimSymmetry: reduced
      ? (svmsim.results.find((r): r is SvmsimResult => r.verdict !== 'failed')?.symmetry ?? null)
      : null,
    svmsimPeakMB: sv.peakMB,
    spinPeakMB: sp.peakMB,
    runs: { svmsim: sv.runs, spin: sp.runs },
  };
}

function stateWords(results: (SvmsimResult | SvmsimFailure)[]): number | null {
  const done = results.find((r): r is SvmsimResult => r.verdict !== 'failed');
  return done?.stateWords ?? null;
}

export const expectedVerdict = (c: SvmConfig, policy: string): string =>
  policy === 'BUGGY' && c.MMAP !== 0 ? 'leak' : 'verified';

/** Rows where the tools disagree, or either differs from the reference's prediction. */
export const surprising = (r: DomainRow): boolean =>
  r.verdictsAgree === false ||
  (r.svmsimVerdict !== TIMEOUT && r.svmsimVerdict !== r.expectedVerdict) ||
  (r.spinVerdict !== TIMEOUT && r.spinVerdict !== r.expectedVerdict);
