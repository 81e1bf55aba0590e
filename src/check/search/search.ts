/**
 * The sequential search, in this thread: exhaustive search of a Model's reachable states for
 * violations, breadth- or depth-first (explore.ts runs it when no threads are asked for).
 *
 * The answer is one of three: 'verified' (every reachable state was explored, none violates),
 * 'violation' (with a trace from the initial state), or 'incomplete' (a limit or a stop request ended
 * the search first; nothing is claimed about the rest).
 *
 * Counterexamples are made short, because a trace is what a user reads. BFS finds a shortest one
 * directly (and among those prefers few actor switches, see bfs.ts). A DFS trace is typically as deep
 * as the search went, so after DFS finds a violation a BFS bounded by that depth looks for the nearest
 * state with the same kind and code of violation, and its trace is reported instead; if that BFS is
 * itself cut short (a limit, a stop request), the DFS trace stands.
 *
 * Every search is deterministic: the same model and options give the same result and traces. Time
 * only decides where work is sliced, never its order (maxSeconds excepted, by nature).
 *
 * Two reductions, each off unless asked for and each used only on a model that supports it:
 * partial-order reduction (por.ts) on a model that declares footprints, and symmetry reduction
 * (symmetry.ts) on one that canonicalizes. Both keep every reachable kind and code of violation, and
 * traces stay replayable from the initial state; with POR a BFS trace is shortest among the explored
 * paths, which may be longer than the shortest path of the full graph.
 *
 * Liveness, off unless asked for: the BFS keeps every edge, and once the search is over the cycles of
 * the explored graph are searched for livelocks (liveness/cycles.ts): an actor waiting for ever while
 * the others move fairly. One is reported as a lasso, a stem then a cycle, shortest stem first. A
 * cycle needs the full graph: liveness runs breadth-first and without reductions.
 */

import { findLivelocks } from '../liveness/cycles.ts';
import { StateGraph } from '../liveness/graph.ts';
import { lassoOf } from '../liveness/lasso.ts';
import type { Model } from '../model.ts';
import { declaresFootprints } from '../reduce/por.ts';
import { concretize } from '../reduce/symmetry.ts';
import type { IncompleteReason, SearchOrder, SearchResult, SearchStats, Violation } from '../result.ts';
import { finalState, traceTo } from '../trace/trace.ts';
import { BreadthFirst } from './bfs.ts';
import { type ControlOptions, type Progress, RunControl, type StopReason } from './control.ts';
import { DepthFirst } from './dfs.ts';
import type { Engine, EngineConfig } from './engine.ts';
import type { Finding } from './findings.ts';

export interface SearchOptions extends ControlOptions {
  order?: SearchOrder;
  /** Stop, incomplete, rather than store more states than this. */
  maxStates?: number;
  /** Stop, incomplete, after this long (checked between slices of about 50 ms). */
  maxSeconds?: number;
  /** Do not store states deeper than this (the initial state is at depth 0). */
  maxDepth?: number;
  /** Keep a 64-bit signature per state instead of the state (see visited.ts). */
  hashCompaction?: boolean;
  /** Polled between slices; returning true ends the search, incomplete ('stopped'). */
  shouldStop?: () => boolean;
  onProgress?: (p: Progress) => void;
  /** Least time between two onProgress calls; 500 ms by default. */
  progressIntervalMs?: number;
  /**
   * Search on past violations (never expanding a violating state) and report one shortest trace per
   * distinct kind and code, instead of stopping at the first.
   */
  findAll?: boolean;
  /**
   * Partial-order reduction: where one actor's next move commutes with everything the others can
   * still do, explore only that actor's moves (por.ts). Needs the model's footprint members; a model
   * without them is explored unreduced. Reduced paths can be longer than the shortest ones, so a
   * maxDepth that bounds the full search may cut a reduced one (reported incomplete, never wrong).
   */
  por?: boolean;
  /**
   * Symmetry reduction: store one state per orbit, as the model's canonicalize maps it (symmetry.ts).
   * A model without canonicalize is explored unreduced.
   */
  symmetry?: boolean;
  /**
   * Look for livelocks too (Model.waiting): cycles along which an actor waits for ever while the
   * system moves on under weak fairness, reported as kind 'livelock' with a lasso. Only when the
   * safety search found nothing (with findAll, after what it found). Needs order 'bfs' and no
   * reductions, and keeps every edge: about 8 bytes per transition more.
   */
  liveness?: boolean;
}

export async function searchSequential(model: Model, options: SearchOptions = {}): Promise<SearchResult> {
  checkModel(model);
  const config = engineConfig(model, options);
  const order = options.order ?? 'bfs';
  const control = new RunControl(options);
  const { stats, stopped, cutBy, found } = await search(model, order, config, control);
  let violations = found;
  if (order === 'dfs' && stopped === null) {
    violations = [];
    for (const v of found) violations.push(await shorten(model, config, control, v));
  }
  stats.seconds = control.seconds;

  const reason: IncompleteReason | null = stopped ?? cutBy;
  const result: SearchResult = { verdict: 'verified', stats, engine: { kind: 'sequential', order } };
  if (violations.length > 0) {
    result.verdict = 'violation';
    result.violation = violations[0];
    if (config.findAll) {
      result.violations = violations;
      if (reason !== null) result.incompleteReason = reason;
    }
  } else if (reason !== null) {
    result.verdict = 'incomplete';
    result.incompleteReason = reason;
  }
  if (reason === 'memory' && control.memoryMessage !== null) result.memoryMessage = control.memoryMessage;
  return result;
}

/** The main search. Its own function so that its visited set can be freed before any shortening. */
async function search(model: Model, order: SearchOrder, config: Config, control: RunControl) {
  const engine = order === 'dfs' ? new DepthFirst(model, config) : new BreadthFirst(model, config);
  const stopped = await control.drive(engine);
  engine.settle();
  control.report(engine, true);
  const omission = config.hashCompaction ? engine.visited.omissionProbability() : undefined;
  const bytes = control.peakBytes;
  const stats: SearchStats = {
    states: engine.visited.size,
    transitions: engine.transitions,
    maxDepth: engine.maxDepth,
    seconds: 0,
    bytes,
    bytesPerState: bytes / engine.visited.size,
    ...(omission === undefined ? {} : { omissionProbability: omission }),
    ...(config.reductionAsked
      ? { reduced: { por: config.por, symmetry: config.symmetry, ...engine.reduced } }
      : {}),
  };
  const found = engine.findings.list().map((f) => violationOf(model, engine, f, config.symmetry));
  if (config.graph !== undefined && stopped === null && (found.length === 0 || config.findAll)) {
    const start = performance.now();
    const daemon = Uint8Array.from({ length: model.actorCount }, (_, a) => (model.isDaemon(a) ? 1 : 0));
    const { lassos, cyclicStates, waitingStates } = findLivelocks(config.graph, daemon);
    for (const l of config.findAll ? lassos : lassos.slice(0, 1)) {
      const lasso = lassoOf(model, engine.visited, l);
      const trace = [...lasso.stem, ...lasso.cycle];
      found.push({ code: l.waiter + 1, kind: 'livelock', trace, depth: trace.length, lasso });
    }
    const seconds = (performance.now() - start) / 1000;
    stats.liveness = { edges: config.graph.edges, cyclicStates, waitingStates, seconds };
  }
  return { stats, stopped, cutBy: engine.cutBy, found };
}

/** Looks, by BFS no deeper than the DFS trace, for a shorter trace to the same kind of violation. */
async function shorten(
  model: Model,
  config: Config,
  control: RunControl,
  found: Violation,
): Promise<Violation> {
  const bfs = new BreadthFirst(model, {
    ...config,
    findAll: false,
    maxDepth: Math.min(config.maxDepth, found.depth),
    graph: undefined,
    target: { kind: found.kind, code: found.code },
  });
  const stopped: StopReason | null = await control.drive(bfs);
  bfs.settle();
  const [nearest] = bfs.findings.list();
  if (stopped !== null || nearest === undefined || nearest.depth > found.depth) return found;
  return violationOf(model, bfs, nearest, config.symmetry);
}

/**
 * The trace to a finding, replayed to confirm it ends in that violation. It can only fail to when the
 * model is not a function of its state vector, or, with hash compaction, after a signature collision.
 * With symmetry reduction the stored trace runs through orbit representatives and is made concrete
 * first (symmetry.ts), which fails, saying so, when canonicalize is not a symmetry of the model.
 */
function violationOf(model: Model, engine: Engine, f: Finding, symmetry: boolean): Violation {
  const stored = traceTo(engine.visited, f.index);
  const trace = symmetry ? concretize(model, stored) : stored;
  const end = finalState(model, trace);
  const code = f.kind === 'state' ? model.violation(end) : model.quiescent(end);
  if (code !== f.code) {
    throw new Error(
      `the trace to ${f.kind} violation ${f.code} ends, on replay, in a state whose code is ${code}: ` +
        'the model must compute init, step, violation and quiescent from the state vector alone' +
        (engine.visited.compacted ? ' (or a hash-compaction collision occurred; rerun without it)' : ''),
    );
  }
  return { code: f.code, kind: f.kind, trace, depth: trace.length };
}

interface Config extends EngineConfig {
  /** Whether the options asked for a reduction, supported or not: stats then say what ran. */
  reductionAsked: boolean;
}

function engineConfig(model: Model, options: SearchOptions): Config {
  if (options.order !== undefined && options.order !== 'bfs' && options.order !== 'dfs') {
    throw new Error(`search order must be 'bfs' or 'dfs', not '${options.order}'`);
  }
  const limit = (name: string, value: number | undefined, least: number): number => {
    if (value === undefined) return Number.POSITIVE_INFINITY;
    if (Number.isNaN(value) || value < least)
      throw new Error(`${name} must be a number >= ${least}, not ${value}`);
    return value;
  };
  limit('maxSeconds', options.maxSeconds, 0);
  limit('progressIntervalMs', options.progressIntervalMs, 0);
  const liveness = options.liveness === true;
  if (liveness && options.order === 'dfs') {
    throw new Error(`liveness searches breadth-first, for the shortest stem; use order 'bfs', not 'dfs'`);
  }
  if (liveness && (options.por === true || options.symmetry === true)) {
    throw new Error(
      'liveness needs the full state graph: partial-order and symmetry reduction keep the safety ' +
        'verdict but not the cycles and their fairness; turn them off',
    );
  }
  return {
    maxStates: limit('maxStates', options.maxStates, 1),
    maxDepth: limit('maxDepth', options.maxDepth, 0),
    findAll: options.findAll === true,
    hashCompaction: options.hashCompaction === true,
    target: null,
    por: options.por === true && declaresFootprints(model),
    symmetry: options.symmetry === true && model.canonicalize !== undefined,
    reductionAsked: options.por === true || options.symmetry === true,
    ...(liveness ? { graph: new StateGraph(model) } : {}),
  };
}

function checkModel(model: Model): void {
  if (!Number.isInteger(model.stateWords) || model.stateWords < 1) {
    throw new Error(`model.stateWords must be a positive integer, not ${model.stateWords}`);
  }
  if (!Number.isInteger(model.actorCount) || model.actorCount < 0 || model.actorCount > 1 << 23) {
    throw new Error(`model.actorCount must be an integer in 0..${1 << 23}, not ${model.actorCount}`);
  }
}
