/**
 * The engine table: the classic models, each size measured with svmsim's explorer and with pan,
 * reductions off and on.
 *
 * "off" is the like-for-like row: pan compiled with -DNOREDUCE and svmsim's explorer without
 * reductions must store exactly the same states, and a mismatch means the two models differ.
 * "on" lets both use partial-order reduction: pan's own, and svmsim's `por: true`. Their state
 * counts then differ (each reduces in its own way). Where svmsim cannot reduce a model (it declares
 * no footprints), its "on" figures repeat its "off" run, as the row's note says.
 */

import { join } from 'node:path';
import { type ClassicFamily, classicLabel, type Params } from './classic.ts';
import {
  alternate,
  panRepeatable,
  rate,
  Series,
  type Side,
  spinSide,
  svmsimRepeatable,
  svmsimSide,
  timeRatio,
} from './measure.ts';
import { buildPan, runPan } from './spin.ts';
import { runSvmsim } from './svmsim.ts';

export interface EngineRow {
  model: string;
  reductions: 'off' | 'on';
  svmsimStates: number | null;
  spinStates: number | null;
  /**
   * Off rows: both complete and equal. Null on "on" rows (each tool reduces differently), and when a
   * side did not complete.
   */
  statesAgree: boolean | null;
  svmsimSeconds: number | null;
  spinSeconds: number | null;
  /** svmsim / SPIN: above 1, svmsim is slower by that factor. */
  timeRatio: number | null;
  svmsimStatesPerSecond: number | null;
  spinStatesPerSecond: number | null;
  svmsimBytesPerState: number | null;
  spinBytesPerState: number | null;
  svmsimPeakMB: number | null;
  spinPeakMB: number | null;
  svmsimVerdict: string;
  spinVerdict: string;
  runs: { svmsim: number; spin: number };
  note?: string;
}

export interface EngineOptions {
  runs: number;
  timeout: number;
  buildDir: string;
  promelaDir: string;
  log: (line: string) => void;
}

export function measureEngine(family: ClassicFamily, params: Params, o: EngineOptions): EngineRow[] {
  const label = classicLabel(family.name, params);
  const pml = join(o.promelaDir, family.pml);
  const dir = (red: string) => join(o.buildDir, `${label.replaceAll(' ', '_')}_${red}`);
  const off = buildPan(pml, params, false, dir('off'));
  const on = buildPan(pml, params, true, dir('on'));
  const svmsim = (reductions: boolean) =>
    runSvmsim({ kind: 'classic', family: family.name, params, timeout: o.timeout, reductions });
  const repeatable = svmsimRepeatable(o.timeout);
  const svmsimOff = new Series(() => svmsim(false), repeatable);
  const spinOff = new Series(() => runPan(off, o.timeout), panRepeatable);
  // Once a run shows the model cannot be reduced, repeating it would only measure "off" again.
  const svmsimOn = new Series(
    () => svmsim(true),
    (r) => repeatable(r) && r.verdict !== 'failed' && r.por,
  );
  const spinOn = new Series(() => runPan(on, o.timeout), panRepeatable);
  alternate(o.runs, [svmsimOff, spinOff, svmsimOn, spinOn]);

  const svOff = svmsimSide(svmsimOff.results);
  const first = svmsimOn.results[0];
  const reduced = first.verdict !== 'failed' && first.por;
  const svOn = reduced || first.verdict === 'failed' ? svmsimSide(svmsimOn.results) : svOff;
  const spOff = spinSide(spinOff.results);
  const spOn = spinSide(spinOn.results);
  const agree = svOff.complete && spOff.complete ? svOff.states === spOff.states : null;
  o.log(
    `engine ${label}: off: svmsim ${svOff.states} states ${fmt(svOff.seconds)} s, pan ${spOff.states} ` +
      `${fmt(spOff.seconds)} s${agree === false ? '  STATE COUNTS DIFFER' : ''}; on: svmsim ` +
      `${svOn.states} ${fmt(svOn.seconds)} s, pan ${spOn.states} ${fmt(spOn.seconds)} s`,
  );
  return [
    row(label, 'off', svOff, spOff, agree),
    row(
      label,
      'on',
      svOn,
      spOn,
      null,
      reduced || first.verdict === 'failed'
        ? "svmsim: explore with por: true; SPIN: pan's partial-order reduction"
        : "svmsim cannot reduce this model (it declares no footprints): its figures repeat the 'off' run",
    ),
  ];
}

function row(
  model: string,
  reductions: 'off' | 'on',
  sv: Side,
  spin: Side,
  agree: boolean | null,
  note?: string,
): EngineRow {
  return {
    model,
    reductions,
    svmsimStates: sv.states,
    spinStates: spin.states,
    statesAgree: agree,
    svmsimSeconds: sv.seconds,
    spinSeconds: spin.seconds,
    timeRatio: timeRatio(sv, spin),
    svmsimStatesPerSecond: rate(sv),
    spinStatesPerSecond: rate(spin),
    svmsimBytesPerState: sv.bytesPerState,
    spinBytesPerState: spin.bytesPerState,
    svmsimPeakMB: sv.peakMB,
    spinPeakMB: spin.peakMB,
    svmsimVerdict: sv.verdict,
    spinVerdict: spin.verdict,
    runs: { svmsim: sv.runs, spin: spin.runs },
    ...(note === undefined ? {} : { note }),
  };
}

const fmt = (x: number | null): string => (x === null ? '-' : x.toFixed(2));
