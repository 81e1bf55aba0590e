/**
 * The bench's text report: what was run and how, the two tables, and the checks that must be read
 * first (engine state counts that differ, domain verdicts that disagree) under banners.
 */

import type { DomainRow } from './domain.ts';
import { surprising } from './domain.ts';
import type { EngineRow } from './engine.ts';
import type { Machine } from './machine.ts';
import { TIMEOUT } from './measure.ts';
import { type Column, count, countOrCut, fixed, formatTable, times } from './table.ts';

export interface Results {
  machine: Machine;
  options: {
    quick: boolean;
    runs: number;
    timeoutSeconds: number;
    gcc: string;
    gccReductionsOff: string;
    pan: string;
    svmsim: string;
    svmsimReductionsOn: string;
  };
  engine: EngineRow[];
  /**
   * With --only, the other table is carried over from the results file the run replaces, and this
   * names the machine reading (date, commit, load) it was measured under.
   */
  carriedOver?: { table: 'engine' | 'domain'; machine: Machine };
  domain: DomainRow[];
}

export function formatReport(r: Results): string {
  const m = r.machine;
  const o = r.options;
  const lines = [
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, node ${m.node}, ${m.spin}`,
    `svmsim at ${m.svmsim.commit ?? '?'}${m.svmsim.uncommittedChanges ? ' with uncommitted changes in src/' : ''}`,
    `Load average (1 min): ${m.loadAverage.start.toFixed(2)} at the start, ${m.loadAverage.end?.toFixed(2)} at the end`,
    `pan: gcc ${o.gcc} [${o.gccReductionsOff} when reductions are off]; ./pan ${o.pan}`,
    `svmsim: explore(model, { order: 'dfs' }) [${o.svmsimReductionsOn} when reductions are on], a child process per run`,
    `${o.runs} run(s) per row, svmsim and SPIN taking turns; times are medians; ` +
      `a run that hits the ${o.timeoutSeconds} s cap is not repeated.`,
    'Ratios are svmsim / SPIN: a time ratio of 20.00 means svmsim took 20 times as long.',
  ];
  const c = r.carriedOver;
  if (c) {
    lines.push(
      `The ${c.table} table is carried over from an earlier run (${c.machine.date}, svmsim at ` +
        `${c.machine.svmsim.commit ?? '?'}, load ${c.machine.loadAverage.start.toFixed(2)}): --only measured the other.`,
    );
  }
  if (r.engine.length > 0) {
    lines.push(
      '',
      'Engine: classic models, same states and atomicity in both tools',
      '',
      engineTable(r.engine),
      '',
    );
    lines.push(...engineChecks(r.engine));
  }
  if (r.domain.length > 0) {
    lines.push(
      '',
      "Domain: svmsim's SVM model against svm.pml, DFS, first violation; red. off: pan -DNOREDUCE and " +
        "svmsim unreduced, on: pan's partial-order reduction, svmsim's symmetry and partial-order reduction (as svmsim check runs)",
      '',
    );
    lines.push(domainTable(r.domain), '', ...domainChecks(r.domain));
  }
  return `${lines.join('\n')}\n`;
}

function engineChecks(rows: EngineRow[]): string[] {
  const off = rows.filter((r) => r.reductions === 'off');
  const differ = off.filter((r) => r.statesAgree === false).map((r) => r.model);
  const unchecked = off.filter((r) => r.statesAgree === null).map((r) => r.model);
  const lines =
    differ.length === 0
      ? [
          `State counts, reductions off: ${off.length - unchecked.length} of ${off.length} models checked, all agree.`,
        ]
      : [`!!! STATE COUNTS DIFFER, so the two models are not the same: ${differ.join(', ')}`];
  if (unchecked.length > 0) lines.push(`Not checked (a side hit the cap or failed): ${unchecked.join(', ')}`);
  return lines;
}

function domainChecks(rows: DomainRow[]): string[] {
  const odd = rows.filter(surprising);
  if (odd.length === 0) {
    return [
      'Verdicts: svmsim and SPIN agree, and match the reference (leak for BUGGY with mmap, else verified).',
    ];
  }
  return [
    `!!! VERDICTS DISAGREE on ${odd.length} of ${rows.length} rows (tool against tool, or against the reference):`,
    ...odd.map(
      (r) =>
        `!!!   ${r.config} ${r.policy}: svmsim ${r.svmsimVerdict}, SPIN ${r.spinVerdict}, expected ${r.expectedVerdict}`,
    ),
  ];
}

/** A side that ran to the end: its count is exact, not a cut-off. */
const finished = (verdict: string): boolean =>
  verdict !== TIMEOUT && verdict !== 'FAILED' && verdict !== 'OUT OF MEMORY' && verdict !== 'INCOMPLETE';

function engineTable(rows: EngineRow[]): string {
  const columns: Column<EngineRow>[] = [
    { title: 'model', cell: (r) => r.model },
    { title: 'red.', cell: (r) => r.reductions },
    {
      title: 'svmsim states',
      cell: (r) => countOrCut(r.svmsimStates, finished(r.svmsimVerdict)),
      right: true,
    },
    { title: 'SPIN states', cell: (r) => countOrCut(r.spinStates, finished(r.spinVerdict)), right: true },
    { title: 'same', cell: (r) => (r.statesAgree === null ? '' : r.statesAgree ? 'yes' : 'NO'), right: true },
    { title: 'svmsim s', cell: (r) => fixed(r.svmsimSeconds), right: true },
    { title: 'SPIN s', cell: (r) => fixed(r.spinSeconds), right: true },
    { title: 'time x', cell: (r) => times(r.timeRatio), right: true },
    { title: 'svmsim st/s', cell: (r) => count(r.svmsimStatesPerSecond), right: true },
    { title: 'SPIN st/s', cell: (r) => count(r.spinStatesPerSecond), right: true },
    { title: 'svmsim B/st', cell: (r) => fixed(r.svmsimBytesPerState, 1), right: true },
    { title: 'SPIN B/st', cell: (r) => fixed(r.spinBytesPerState, 1), right: true },
    { title: 'svmsim MB', cell: (r) => fixed(r.svmsimPeakMB, 0), right: true },
    { title: 'SPIN MB', cell: (r) => fixed(r.spinPeakMB, 0), right: true },
  ];
  return formatTable(columns, rows);
}

function domainTable(rows: DomainRow[]): string {
  const columns: Column<DomainRow>[] = [
    { title: 'config', cell: (r) => r.config },
    { title: 'policy', cell: (r) => `${r.policy} (${r.svmsimPolicy})` },
    { title: 'red.', cell: (r) => r.reductions ?? 'off' },
    { title: 'expected', cell: (r) => r.expectedVerdict },
    { title: 'svmsim', cell: (r) => r.svmsimVerdict },
    { title: 'SPIN', cell: (r) => r.spinVerdict },
    { title: 'agree', cell: (r) => (r.verdictsAgree === null ? '?' : r.verdictsAgree ? 'yes' : 'NO') },
    {
      title: 'svmsim states',
      cell: (r) => countOrCut(r.svmsimStates, finished(r.svmsimVerdict)),
      right: true,
    },
    { title: 'SPIN states', cell: (r) => countOrCut(r.spinStates, finished(r.spinVerdict)), right: true },
    { title: 'states x', cell: (r) => times(r.stateRatio), right: true },
    { title: 'svmsim s', cell: (r) => fixed(r.svmsimSeconds), right: true },
    { title: 'SPIN s', cell: (r) => fixed(r.spinSeconds), right: true },
    { title: 'time x', cell: (r) => times(r.timeRatio), right: true },
    { title: 'svmsim +BFS s', cell: (r) => fixed(r.svmsimShortenSeconds), right: true },
    { title: 'svmsim st/s', cell: (r) => count(r.svmsimStatesPerSecond ?? null), right: true },
    { title: 'SPIN st/s', cell: (r) => count(r.spinStatesPerSecond ?? null), right: true },
    { title: 'words', cell: (r) => count(r.svmsimStateWords ?? null), right: true },
    { title: 'svmsim MB', cell: (r) => fixed(r.svmsimPeakMB, 0), right: true },
    { title: 'SPIN MB', cell: (r) => fixed(r.spinPeakMB, 0), right: true },
  ];
  return formatTable(columns, rows);
}
