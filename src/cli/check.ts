/**
 * `svmsim check [scenario...] [--policy P...]`: exhaustive search of every interleaving, per
 * scenario and policy; a verdict with its state count, or the shortest trace to a violation.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import {
  type ExploreOptions,
  explore,
  type ModelSource,
  type Progress,
  type SearchResult,
  stateGraph,
  type Transition,
  type Violation,
} from '../check/index.ts';
import type { SvmPolicy } from '../drivers/iommu/intel/svm.ts';
import {
  describeLivelock,
  describeViolation,
  type StepView,
  type ViolationView,
} from '../report/describe.ts';
import { stateGraphDot } from '../report/dot.ts';
import { renderHtml } from '../report/html/render.ts';
import { reportData } from '../report/snapshot.ts';
import { colorsFor, formatTable, formatTrace, formatViolation, traceSteps } from '../report/text.ts';
import { withSpeculativeCaching } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import { SvmSystem } from '../system/system.ts';
import { type GuardedCheckOptions, guarded, isUserPolicy } from './guard.ts';
import { loadModelScenario } from './input.ts';
import { policyIdentity } from './policy.ts';
import { makeTraceFile, tracePath, writeTraceFile } from './tracefile.ts';
import { type ValkeyOptions, valkeySearch } from './valkey.ts';
import { VERSION } from './version.ts';

export interface CheckOptions {
  /** Overrides the scenario's speculative_caching (scenario/load.ts withSpeculativeCaching). */
  speculativeCaching?: boolean;
  policies: SvmPolicy[];
  /** Breadth-first unless 'dfs'; a swarm's searches are depth-first. */
  order?: 'bfs' | 'dfs';
  maxStates?: number;
  maxSeconds?: number;
  hashCompaction?: boolean;
  json?: boolean;
  traceOut?: string;
  /** Write the reachable state graph of the reported configuration as Graphviz DOT, up to dotMaxStates states. */
  dumpDot?: string;
  dotMaxStates?: number;
  /** No progress on stderr (--quiet). */
  quiet?: boolean;
  /** Least time between two progress reports (the progress display sets it). */
  progressIntervalMs?: number;
  /** Go on past the first violation: one shortest trace per kind of violation. */
  all?: boolean;
  /** Write an HTML report of the first violation (or of the first result) and the table. */
  report?: string;
  /** Partial-order and symmetry reduction (on unless turned off; inert for a model without hooks). */
  por?: boolean;
  symmetry?: boolean;
  /** N diversified searches in worker threads instead of one search (symmetry and partial-order reduction). */
  swarm?: number;
  /** A breadth-first search by N worker threads sharing one visited table (symmetry and partial-order reduction). */
  workers?: number;
  /** The policy argument as the user gave it (a worker must load the same policy). */
  policyArgs?: string[];
  /** One breadth-first search by worker processes through a Valkey/Redis store (cli/valkey.ts). */
  valkey?: ValkeyOptions;
  /** Polled by the search: true asks it to stop (default: Ctrl-C was pressed). */
  shouldStop?: () => boolean;
  /** Also look for livelocks (check/liveness): breadth-first, with the reductions off. */
  liveness?: boolean;
  /** The step watch (stepwatch.ts) every search thread writes into, in a guarded check of a user's policy. */
  stepWatch?: SharedArrayBuffer;
}

export interface CheckResult {
  scenario: string;
  policy: string;
  verdict: 'verified' | 'violation' | 'incomplete';
  incompleteReason?: string;
  /** A policy step that did not return when the search was stopped (guard.ts): the search was ended there. */
  stuck?: string[];
  /** With incompleteReason 'memory': how many states would fit, and what to do. */
  memoryMessage?: string;
  violation: ViolationView | null;
  trace: StepView[];
  /** With --all: every other kind of violation found, each with its own shortest trace. */
  more?: { violation: ViolationView; trace: StepView[] }[];
  stats: {
    states: number;
    transitions: number;
    maxDepth: number;
    seconds: number;
    bytesPerState: number;
    omissionProbability?: number;
    /** Which reductions ran, and what they did (explore's stats.reduced). */
    reduced?: SearchResult['stats']['reduced'];
    /** With --liveness: the graph's edges, states on cycles and with a waiting actor. */
    liveness?: SearchResult['stats']['liveness'];
    /**
     * When symmetry reduction ran: the groups of interchangeable processes, by name, and for a
     * group whose processes each bring their own device into an exchange, those devices (in the
     * order of the processes; null when the processes share theirs).
     */
    symmetry?: { groups: string[][]; devices: (string[] | null)[] };
    /** With --workers: how many threads searched. */
    workers?: number;
    /** With --valkey: the level the search resumed at. */
    resumedAt?: number;
  };
}

/** States drawn by --dump-dot unless --dot-max-states says otherwise: Graphviz lays out a few hundred readably. */
export const DOT_MAX_STATES = 500;

let interrupted = false;

/** Checks one scenario under one policy. */
export async function checkOne(
  sc: Scenario,
  policy: SvmPolicy,
  o: Omit<CheckOptions, 'policies'>,
  onProgress?: (p: Progress) => void,
  policyArg?: string,
  sys = new SvmSystem(sc, policy),
): Promise<{ result: CheckResult; sys: SvmSystem; raw: SearchResult; trace: Transition[] }> {
  // --swarm 0 or 1: one search, as without it.
  const swarm = o.swarm !== undefined && o.swarm > 1 ? o.swarm : undefined;
  const options: ExploreOptions = {
    order: o.order,
    workers: o.workers,
    swarm,
    source: systemSource(sc, policyArg ?? policy.name, o.stepWatch),
    maxStates: o.maxStates,
    maxSeconds: o.maxSeconds,
    hashCompaction: o.hashCompaction,
    // A cycle and its fairness need the unreduced graph.
    por: o.liveness ? false : (o.por ?? true),
    symmetry: o.liveness ? false : (o.symmetry ?? true),
    liveness: o.liveness,
    findAll: o.all,
    shouldStop: o.shouldStop ?? (() => interrupted),
    // A swarm's searches report only at their end: no progress to show.
    ...(swarm === undefined ? { onProgress, progressIntervalMs: o.progressIntervalMs ?? 250 } : {}),
  };
  const raw =
    o.valkey !== undefined
      ? await valkeySearch(sys, sc, policyArg ?? policy.name, o.valkey, options)
      : await explore(sys, options);
  const explain = (v: Violation) => {
    const { steps, final } = traceSteps(sys, v.trace);
    const violation =
      v.lasso === undefined
        ? describeViolation(sys, final, v.code, v.trace)
        : describeLivelock(sys, final, v.lasso.waiting, v.lasso.stem.length);
    return { violation, trace: steps };
  };
  const first = raw.violation ? explain(raw.violation) : null;
  const more = (raw.violations ?? []).slice(1).map(explain);
  const st = raw.stats;
  return {
    sys,
    raw,
    trace: raw.violation?.trace ?? [],
    result: {
      scenario: sc.name,
      policy: policy.name,
      verdict: raw.verdict,
      ...(raw.incompleteReason ? { incompleteReason: raw.incompleteReason } : {}),
      ...(raw.memoryMessage ? { memoryMessage: raw.memoryMessage } : {}),
      violation: first?.violation ?? null,
      trace: first?.trace ?? [],
      ...(more.length ? { more } : {}),
      stats: {
        states: st.states,
        transitions: st.transitions,
        maxDepth: st.maxDepth,
        seconds: Math.round(st.seconds * 1000) / 1000,
        bytesPerState: Math.round(st.bytesPerState),
        ...(st.omissionProbability === undefined ? {} : { omissionProbability: st.omissionProbability }),
        ...(st.reduced === undefined ? {} : { reduced: st.reduced }),
        ...(st.liveness === undefined ? {} : { liveness: st.liveness }),
        ...(st.reduced?.symmetry && sys.symmetry
          ? {
              symmetry: {
                groups: sys.symmetry.exchange.map((g) => g.tasks.map((t) => sc.tasks[t].name)),
                devices: sys.symmetry.exchange.map((g) => g.devices?.map((d) => sc.devices[d].name) ?? null),
              },
            }
          : {}),
        ...(raw.engine.kind === 'swarm' ? { searches: raw.engine.searches.length } : {}),
        ...(raw.engine.kind === 'workers' ? { workers: raw.engine.workers } : {}),
        ...(raw.engine.kind === 'valkey' && raw.engine.resumedAt !== undefined
          ? { resumedAt: raw.engine.resumedAt }
          : {}),
      },
    },
  };
}

/** The exchanged groups as the text report names them: `proc0 ≡ proc1`, `proc0+accel0 ≡ proc1+accel1`. */
function symmetryText(sym: { groups: string[][]; devices?: (string[] | null)[] }): string {
  return sym.groups
    .map((g, i) => g.map((t, r) => (sym.devices?.[i] ? `${t}+${sym.devices[i]![r]}` : t)).join(' ≡ '))
    .join('; ');
}

export async function checkCommand(scenarioArgs: string[], o: CheckOptions): Promise<number> {
  const scenarios = scenarioArgs.map((a) =>
    withSpeculativeCaching(loadModelScenario(a), o.speculativeCaching),
  );
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const c = colorsFor(process.stdout);
  const err = colorsFor(process.stderr);
  const results: CheckResult[] = [];
  let reported:
    | { sys: SvmSystem; trace: Transition[]; violation: ViolationView | null; result: CheckResult }
    | undefined;
  try {
    for (const sc of scenarios) {
      for (const [i, policy] of o.policies.entries()) {
        const bar = progressDisplay(o, `${sc.name} ${policy.name}`);
        const shown = { ...o, progressIntervalMs: bar?.intervalMs };
        const policyArg = o.policyArgs?.[i];
        // A user's policy module runs in a worker thread that Ctrl-C and --max-seconds can stop
        // even inside a step that never returns (guard.ts), --swarm's and --workers' threads started
        // from there. With --valkey its steps run in worker processes, which the search stops
        // (SIGTERM) when it is stopped, a step looping or not.
        const { result, sys, trace } =
          isUserPolicy(policyArg) && o.valkey === undefined
            ? await guardedCheckOne(sc, policy, policyArg, withoutPolicies(shown), bar?.update)
            : await checkOne(sc, policy, shown, bar?.update, policyArg);
        bar?.stop();
        results.push(result);
        if (!reported || (!reported.violation && result.violation))
          reported = { sys, trace, violation: result.violation, result };
        if (o.traceOut && result.violation && !results.slice(0, -1).some((r) => r.violation)) {
          const id = policyIdentity(o.policyArgs?.[i] ?? policy.name, policy);
          writeTraceFile(o.traceOut, makeTraceFile('check', sys, id, trace, result.violation));
        }
        if (!o.json) process.stdout.write(`${describeResult(result, c)}\n\n`);
        if (interrupted) break;
      }
      if (interrupted) break;
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (o.dumpDot && reported) {
    const graph = stateGraph(reported.sys, o.dotMaxStates ?? DOT_MAX_STATES);
    writeFileSync(o.dumpDot, stateGraphDot(reported.sys, graph, reported.trace));
    if (graph.truncated)
      process.stderr.write(
        `svmsim: ${o.dumpDot}: the state graph was cut at ${graph.states.length} states (--dot-max-states); the trace alone: svmsim replay --dump-dot\n`,
      );
  }
  if (o.report && reported) {
    const data = reportData(reported.sys, 'check', reported.trace, reported.violation, VERSION);
    const r = reported.result;
    data.outcome = {
      verdict: r.verdict,
      states: r.stats.states,
      ...(r.incompleteReason ? { stoppedBy: r.incompleteReason } : {}),
    };
    data.results = results.map((r) => ({
      scenario: r.scenario,
      policy: r.policy,
      verdict: r.verdict,
      violation: r.violation?.kind ?? '-',
      trace: r.trace.length,
      states: r.stats.states,
      transitions: r.stats.transitions,
      seconds: r.stats.seconds,
    }));
    writeFileSync(o.report, renderHtml(data));
  }
  if (o.traceOut && !results.some((r) => r.violation)) {
    // An older counterexample left in place would be taken for this check's.
    const path = tracePath(o.traceOut);
    const stale = existsSync(path);
    if (stale) rmSync(path);
    process.stderr.write(
      `svmsim: no counterexample, so no trace file${stale ? `: removed the older ${path}` : ` written to ${path}`}\n`,
    );
  }
  if (o.json) process.stdout.write(`${JSON.stringify({ results }, null, 1)}\n`);
  else process.stdout.write(`${table(results, c)}\n`);
  if (interrupted)
    process.stderr.write(
      `${err.yellow('interrupted: the search was stopped; results above are what was found')}\n`,
    );
  if (results.some((r) => r.verdict === 'violation')) return 1;
  if (results.some((r) => r.verdict === 'incomplete') || interrupted) return 3;
  return 0;
}

const withoutPolicies = ({
  policies: _p,
  policyArgs: _a,
  shouldStop: _s,
  stepWatch: _w,
  ...rest
}: CheckOptions) => rest;

/**
 * checkOne in the guard's worker thread (guard.ts). A search ended inside a step that did not
 * return is incomplete, stopped by the limit or by Ctrl-C, with what it had reported and the step.
 */
async function guardedCheckOne(
  sc: Scenario,
  policy: SvmPolicy,
  policyArg: string,
  o: GuardedCheckOptions,
  onProgress?: (p: Progress) => void,
): Promise<{ result: CheckResult; sys: SvmSystem; trace: Transition[] }> {
  const g = await guarded({ kind: 'check', text: sc.text, source: sc.source, options: o }, policyArg, {
    maxSeconds: o.maxSeconds,
    interrupted: () => interrupted,
    onProgress,
  });
  // This thread's own system, to describe the trace: its steps returned in the worker.
  const sys = new SvmSystem(sc, policy);
  if ('done' in g) return { ...g.done, sys };
  process.stderr.write(`svmsim: ${g.hung.message}\n`);
  const p = g.hung.progress as Progress | undefined;
  const result: CheckResult = {
    scenario: sc.name,
    policy: policy.name,
    verdict: 'incomplete',
    incompleteReason: g.hung.reason,
    stuck: g.hung.steps,
    violation: null,
    trace: [],
    stats: {
      states: p?.states ?? 0,
      transitions: p?.transitions ?? 0,
      maxDepth: p?.maxDepth ?? 0,
      seconds: Math.round(g.hung.seconds * 1000) / 1000,
      bytesPerState: p && p.states > 0 ? Math.round(p.memoryBytes / p.states) : 0,
    },
  };
  return { result, sys, trace: [] };
}

function describeResult(r: CheckResult, c: ReturnType<typeof colorsFor>): string {
  const head = `${c.bold(r.scenario)} under ${c.bold(r.policy)}: `;
  const sym = r.stats.symmetry ? `, one state per exchange of ${symmetryText(r.stats.symmetry)}` : '';
  const omission =
    r.stats.omissionProbability === undefined
      ? ''
      : `, omission probability ${r.stats.omissionProbability.toExponential(1)}`;
  // Partial-order reduction: moves that touch only their own actor's words taken alone (system/footprint.ts).
  const por = r.stats.reduced?.por ? ', partial-order reduced' : '';
  const stats = `${r.stats.states.toLocaleString('en-US')} states, ${r.stats.transitions.toLocaleString('en-US')} transitions, ${r.stats.seconds.toFixed(2)} s${por}${sym}${omission}`;
  const livelock = r.stats.liveness ? ', livelock' : '';
  if (r.verdict === 'verified')
    return `${head}${c.green('verified')} (${stats}): no leak, use-after-free, refcount misuse, kernel warning, NULL dereference, disturbance${livelock} or deadlock in any interleaving`;
  if (r.verdict === 'incomplete')
    return `${head}${c.yellow(`incomplete (${r.incompleteReason})`)} after ${stats}: nothing found so far${r.stuck ? `; ended inside ${r.stuck.length ? r.stuck.join(' and ') : 'the policy'}, which did not return` : ''}`;
  const all = [{ violation: r.violation as ViolationView, trace: r.trace }, ...(r.more ?? [])];
  // --all cut short by a limit: what it found stands, but other kinds may lie past the cut.
  const cut = r.incompleteReason
    ? `\n\n${c.yellow(`--all was cut short (${r.incompleteReason}) after ${r.stats.states.toLocaleString('en-US')} states: other kinds of violation may lie beyond`)}`
    : '';
  return `${all
    .map(
      (x) =>
        `${head}${c.red(x.violation.kind)} in ${x.trace.length} steps (${stats})\n\n${formatTrace(x.trace, x.violation.cycleStart, c)}\n\n${formatViolation(x.violation, c)}`,
    )
    .join('\n\n')}${cut}`;
}

export function table(results: readonly CheckResult[], c: ReturnType<typeof colorsFor>): string {
  const rows = [
    ['scenario', 'policy', 'verdict', 'violation', 'trace', 'states', 'time'],
    ...results.map((r) => [
      r.scenario,
      r.policy,
      r.verdict === 'incomplete' || r.incompleteReason
        ? `${r.verdict} (${r.verdict === 'incomplete' ? '' : 'cut short: '}${r.incompleteReason})`
        : r.verdict,
      r.violation
        ? [r.violation, ...(r.more ?? []).map((m) => m.violation)].map((v) => v.kind).join(', ')
        : '-',
      r.violation ? `${r.trace.length} steps` : '-',
      r.stats.states.toLocaleString('en-US'),
      `${r.stats.seconds.toFixed(2)} s`,
    ]),
  ];
  return formatTable(rows, c);
}

/** Where a worker thread builds the same system: cli/factory.ts, from the scenario's text and the policy argument. */
const systemSource = (sc: Scenario, policyArg: string, watch?: SharedArrayBuffer): ModelSource => ({
  // factory.ts beside this module, or factory.js once compiled.
  module: new URL(`./factory.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href,
  exportName: 'buildSystem',
  args: [sc.text, sc.source, policyArg, ...(watch ? [watch] : [])],
});

/** Seconds between two progress lines off a terminal: 10, or SVMSIM_PROGRESS_SECONDS (for tests). */
export function progressSeconds(): number {
  const v = Number(process.env.SVMSIM_PROGRESS_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : 10;
}

/**
 * Progress on stderr: on a terminal, a bar redrawn in place (none with --json); off one (CI, a
 * pipe), a plain line every 10 s, so that a log shows a long search going on. None with --quiet.
 */
function progressDisplay(o: CheckOptions, label: string) {
  if (o.quiet) return undefined;
  if (process.stderr.isTTY) return o.json ? undefined : progressBar(label);
  const every = progressSeconds();
  let next = every;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return {
    intervalMs: every * 1000,
    update: (p: Progress) => {
      // The search also reports once at its end: a line only when a whole interval has passed.
      if (p.seconds < next) return;
      next = p.seconds + every;
      const queue = p.queued === undefined ? '' : `, queue ${n(p.queued)}`;
      process.stderr.write(
        `svmsim: ${label}: ${n(p.states)} states, ${n(p.statesPerSecond)} states/s, depth ${p.depth}${queue}, ${n(p.memoryBytes / 2 ** 20)} MiB, ${p.seconds.toFixed(0)} s\n`,
      );
    },
    stop: () => {},
  };
}

function progressBar(label: string) {
  const bar = new SingleBar({
    format: `${label}  {states} states  {rate}/s  depth {depth}  {mem}  {secs}s`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(0, 0, { states: 0, rate: 0, depth: 0, mem: '', secs: 0 });
  return {
    intervalMs: 250,
    update: (p: Progress) =>
      bar.update(0, {
        states: p.states.toLocaleString('en-US'),
        rate: Math.round(p.statesPerSecond).toLocaleString('en-US'),
        depth: p.depth,
        mem: `${Math.round(p.memoryBytes / 2 ** 20)} MiB`,
        secs: p.seconds.toFixed(1),
      }),
    stop: () => bar.stop(),
  };
}
