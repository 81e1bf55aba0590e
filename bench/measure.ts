/**
 * Repeated measurements and their summaries: runs of the two tools alternate (svmsim, SPIN,
 * svmsim, SPIN, ...) so that a slow spell of the machine hurts both alike, and a row reports the
 * median. A run that hits the time cap is not repeated: its counts are at the cut-off, and a median
 * of cut-offs says nothing.
 */

import type { SvmsimResult } from './one.ts';
import type { PanResult } from './spin.ts';
import type { SvmsimFailure } from './svmsim.ts';

/** One tool's figures for a row. */
export interface Side {
  /** verified, a violation kind (or 'violation'), TIMEOUT, or FAILED. */
  verdict: string;
  complete: boolean;
  /** Stored states; at the cut-off when not complete. */
  states: number | null;
  /**
   * Median search time of the complete runs, by the tool's own clock (not process start-up): to the
   * end of the state space or to the first violation.
   */
  seconds: number | null;
  bytesPerState: number | null;
  peakMB: number | null;
  runs: number;
}

export const TIMEOUT = 'TIMEOUT';

/** A measurement of one tool, repeated until `runs` or until `repeatable` says a run should not be. */
export class Series<R> {
  readonly results: R[] = [];
  private stopped = false;

  constructor(
    private readonly measure: () => R,
    private readonly repeatable: (r: R) => boolean,
  ) {}

  next(): void {
    if (this.stopped) return;
    const r = this.measure();
    this.results.push(r);
    if (!this.repeatable(r)) this.stopped = true;
  }
}

/** Runs each series `runs` times, taking turns. */
export function alternate(runs: number, series: { next(): void }[]): void {
  for (let i = 0; i < runs; i++) for (const s of series) s.next();
}

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** a / b, or null when either is missing or b is zero. */
export const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || b === 0 ? null : a / b;

/**
 * pan's clock ticks every 10 ms, so a time ratio is only given when SPIN took at least this long:
 * below it the rows check state counts and verdicts, not speed.
 */
const LEAST_TIMED_SECONDS = 0.1;

export const timeRatio = (svmsim: Side, spin: Side): number | null =>
  svmsim.complete && spin.complete && spin.seconds !== null && spin.seconds >= LEAST_TIMED_SECONDS
    ? ratio(svmsim.seconds, spin.seconds)
    : null;

/** A finished svmsim run is repeated unless it took to the cap (a trace-shortening BFS can). */
export const svmsimRepeatable =
  (timeout: number) =>
  (r: SvmsimResult | SvmsimFailure): boolean =>
    r.verdict !== 'failed' && r.verdict !== 'incomplete' && r.seconds < timeout;

const incompleteVerdicts: Record<string, string> = { 'max-seconds': TIMEOUT, memory: 'OUT OF MEMORY' };

export function svmsimSide(results: (SvmsimResult | SvmsimFailure)[]): Side {
  const last = results[results.length - 1];
  if (last.verdict === 'failed') {
    return {
      verdict: 'FAILED',
      complete: false,
      states: null,
      seconds: null,
      bytesPerState: null,
      peakMB: null,
      runs: results.length,
    };
  }
  const done = results.filter((r): r is SvmsimResult => r.verdict !== 'failed');
  const complete = last.verdict !== 'incomplete';
  const verdict = !complete
    ? (incompleteVerdicts[last.incompleteReason ?? ''] ?? 'INCOMPLETE')
    : last.verdict === 'violation'
      ? (last.violation ?? 'violation')
      : 'verified';
  return {
    verdict,
    complete,
    states: last.states,
    seconds: complete ? median(done.map((r) => r.searchSeconds)) : last.searchSeconds,
    bytesPerState: last.bytesPerState,
    peakMB: median(done.map((r) => r.peakMB)),
    runs: results.length,
  };
}

/** Median time explore() spent after the search proper: shortening a DFS counterexample. */
export function shortenSeconds(results: (SvmsimResult | SvmsimFailure)[]): number | null {
  const done = results.filter((r): r is SvmsimResult => r.verdict !== 'failed');
  return median(done.map((r) => r.seconds - r.searchSeconds));
}

export const panRepeatable = (r: PanResult): boolean => r.complete;

/** `kind` names the violation behind a pan error line. */
export function spinSide(results: PanResult[], kind: (error: string) => string = () => 'violation'): Side {
  const last = results[results.length - 1];
  const verdict = !last.complete ? TIMEOUT : last.errors > 0 ? kind(last.error ?? '') : 'verified';
  return {
    verdict,
    complete: last.complete,
    states: last.states,
    seconds: last.complete ? median(results.map((r) => r.seconds)) : last.seconds,
    bytesPerState: last.stateBytes / last.states,
    peakMB: median(results.flatMap((r) => (r.peakMB === null ? [] : [r.peakMB]))),
    runs: results.length,
  };
}

/** States per second of a complete side. */
export const rate = (s: Side): number | null => (s.complete ? ratio(s.states, s.seconds) : null);
