/**
 * Swarm verification (Holzmann, Joshi and Groce 2011, SPIN's swarm tool): N independent depth-first
 * searches of one model, each offering the moves in its own order (diversify.ts), in worker threads.
 *
 * Searches that differ in order reach different parts of a state space first, so when a bug exists
 * one of them often meets it long before a single search would; when none exists, they all end up
 * exploring everything, each on its own, which costs N times the memory and gains nothing. The swarm
 * is therefore a bug hunter: its first violation ends every search, and it reports 'verified' only
 * when some search explored the whole space without a limit cutting it short.
 *
 * With symmetry reduction (on a model that canonicalizes) each search stores one state per orbit, as
 * explore does; a search's trace then runs through representatives, and the search makes it concrete
 * (symmetry.ts) in its own numbering of moves before it translates it into the model's. With
 * partial-order reduction (on a model that declares footprints) each search expands ample sets, as
 * explore's DFS does, with the stack proviso, choosing among the actors in its own order.
 *
 * Models cannot be sent to a worker, so each worker builds its own from a module: `source` names the
 * module, the function it exports, and the (structured-cloneable) arguments to call it with. The main
 * thread builds one too: it runs search 0, in the model's own order, itself, so that the swarm is
 * under way while the workers are still loading (about a second each for svmsim's system), and it
 * replays the reported violation's trace before reporting it.
 *
 * Compiled, a worker starts from worker.js. Run from the TypeScript sources (the tests), it needs
 * tsx, and on Node 20 a worker does not take loader hooks from `execArgv: ['--import', 'tsx']`
 * (nodejs/node#47747: it fails on the first .ts import), so its first module, boot.mjs, registers
 * tsx's hooks in the worker itself and then imports worker.ts (source.ts, workerModule).
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Model, Transition } from '../../model.ts';
import { declaresFootprints } from '../../reduce/por.ts';
import { concretize } from '../../reduce/symmetry.ts';
import type { IncompleteReason, SwarmSearch, Violation } from '../../result.ts';
import { RunControl, type StopReason } from '../../search/control.ts';
import { DepthFirst } from '../../search/dfs.ts';
import type { ReductionCounts } from '../../search/engine.ts';
import type { ViolationKind } from '../../search/findings.ts';
import { finalState, traceTo } from '../../trace/trace.ts';
import { buildModel, type ModelSource, moduleUrl, workerModule } from '../source.ts';
import { diversify } from './diversify.ts';

export interface SwarmOptions {
  /** How many searches: one in this thread, the others in workers; the machine's parallelism by default. */
  workers?: number;
  /** Seeds the orders of moves; the same seed gives the same orders. */
  seed?: number;
  /** Per search: stop, incomplete, rather than store more states than this. */
  maxStates?: number;
  maxDepth?: number;
  /** Stop every search, incomplete, after this long. */
  maxSeconds?: number;
  hashCompaction?: boolean;
  /** For the whole swarm: each search gets its share. */
  maxMemoryBytes?: number;
  /** Polled every 50 ms; returning true stops every search, incomplete ('stopped'). */
  shouldStop?: () => boolean;
  /** Symmetry reduction in every search (explore's option); a model without canonicalize is unreduced. */
  symmetry?: boolean;
  /** Partial-order reduction in every search (explore's option); a model without footprints is unreduced. */
  por?: boolean;
}

export interface SwarmResult {
  verdict: 'verified' | 'violation' | 'incomplete';
  /** The first violation reported, its trace in the model's own numbering, confirmed by replay. */
  violation?: Violation & { worker: number };
  /** When incomplete: the reason of the search that got furthest. */
  incompleteReason?: IncompleteReason;
  /** The searches, by index. */
  searches: SwarmSearch[];
  /** From the start to the verdict, workers' start-up included. */
  seconds: number;
  /** Symmetry reduction ran: asked for, and the model canonicalizes. */
  symmetry: boolean;
  /** Partial-order reduction ran: asked for, and the model declares footprints. */
  por: boolean;
}

/** What swarm.ts sends a worker. */
export interface WorkerTask {
  source: ModelSource;
  index: number;
  seed: number;
  /** Int32 0 while the swarm runs; set to stop every search. */
  stop: SharedArrayBuffer;
  limits: Pick<SwarmOptions, 'maxStates' | 'maxDepth' | 'maxSeconds' | 'hashCompaction' | 'maxMemoryBytes'>;
  /** Symmetry reduction asked for: the search canonicalizes when its model can. */
  symmetry: boolean;
  /** Partial-order reduction asked for: the search reduces when its model declares footprints. */
  por: boolean;
}

/** What a worker sends back, once, when its search ends. */
export interface WorkerOutcome extends ReductionCounts {
  index: number;
  states: number;
  transitions: number;
  maxDepth: number;
  seconds: number;
  bytes: number;
  stopped: StopReason | null;
  cutBy: 'max-states' | 'max-depth' | null;
  memoryMessage?: string;
  violation?: { kind: ViolationKind; code: number; trace: Transition[] };
}

const POLL_MS = 50;
/** How long the other searches get to report after the swarm's question is settled. */
const GRACE_MS = 200;

/**
 * Runs the swarm. `built`, when given, is this thread's instance of the model `source` builds (a
 * caller that has one saves building another); search 0 runs on it.
 */
export async function swarm(
  source: ModelSource,
  options: SwarmOptions = {},
  built?: Model,
): Promise<SwarmResult> {
  const started = performance.now();
  moduleUrl(source);
  const n = options.workers ?? availableParallelism();
  if (!Number.isInteger(n) || n < 1) throw new Error(`workers must be a positive integer, not ${n}`);
  const seed = options.seed ?? 1;
  const stopBuffer = new SharedArrayBuffer(4);
  const stop = new Int32Array(stopBuffer);
  const limits: WorkerTask['limits'] = {
    maxStates: options.maxStates,
    maxDepth: options.maxDepth,
    maxSeconds: options.maxSeconds,
    hashCompaction: options.hashCompaction,
    maxMemoryBytes: options.maxMemoryBytes === undefined ? undefined : options.maxMemoryBytes / n,
  };
  const poll = setInterval(() => {
    if (options.shouldStop?.()) Atomics.store(stop, 0, 1);
  }, POLL_MS);

  let first: WorkerOutcome | null = null;
  let model: Model | undefined;
  const outcomes: WorkerOutcome[] = [];
  const task = (index: number): WorkerTask => ({
    source,
    index,
    seed: seed * 1_000_003 + index,
    stop: stopBuffer,
    limits,
    symmetry: options.symmetry === true,
    por: options.por === true,
  });
  const workers = Array.from({ length: n - 1 }, (_, k) => startWorker(task(k + 1)));
  const terminateAll = () => {
    for (const w of workers) w.terminate();
  };
  let grace: NodeJS.Timeout | undefined;
  const settle = (o: WorkerOutcome): void => {
    outcomes.push(o);
    // A violation, or one search that saw everything, settles the question for all. The others see
    // the stop flag between slices of work; a worker still loading its model does not, and is ended
    // after a grace period.
    if (o.violation !== undefined || complete(o)) {
      if (first === null && o.violation !== undefined) first = o;
      Atomics.store(stop, 0, 1);
      grace ??= setTimeout(terminateAll, GRACE_MS);
    }
  };
  try {
    const here = (async () => {
      model = built ?? (await buildModel(source));
      settle(await searchInOrder(model, task(0)));
    })();
    await Promise.all([here, ...workers.map(({ outcome }) => outcome.then(settle))]);
  } catch (err) {
    Atomics.store(stop, 0, 1);
    terminateAll();
    throw err;
  } finally {
    clearInterval(poll);
    clearTimeout(grace);
  }

  const searches = outcomes.sort((a, b) => a.index - b.index).map(searchOf);
  const result: SwarmResult = {
    verdict: 'incomplete',
    searches,
    seconds: 0,
    // Every search decided the same from its own copy of the model.
    symmetry: options.symmetry === true && model?.canonicalize !== undefined,
    por: options.por === true && model !== undefined && declaresFootprints(model),
  };
  const found = first as WorkerOutcome | null;
  if (found?.violation !== undefined) {
    result.verdict = 'violation';
    result.violation = { ...confirm(model!, found.violation, found.index), worker: found.index };
  } else if (outcomes.some(complete)) {
    result.verdict = 'verified';
  } else {
    const furthest = [...searches].sort((a, b) => b.states - a.states)[0];
    result.incompleteReason = furthest.incompleteReason;
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/**
 * One search of the swarm: depth-first, in the order of moves drawn for `task.index` (search 0 in
 * the model's own), until it finds a violation, explores everything, hits a limit or sees the stop
 * flag. The trace it reports is concrete, and in the model's own numbering.
 */
export async function searchInOrder(original: Model, task: WorkerTask): Promise<WorkerOutcome> {
  const stop = new Int32Array(task.stop);
  const diversified = task.index === 0 ? null : diversify(original, task.seed);
  const model = diversified ?? original;
  const symmetric = task.symmetry && model.canonicalize !== undefined;
  const engine = new DepthFirst(model, {
    maxStates: task.limits.maxStates ?? Number.POSITIVE_INFINITY,
    maxDepth: task.limits.maxDepth ?? Number.POSITIVE_INFINITY,
    findAll: false,
    hashCompaction: task.limits.hashCompaction === true,
    target: null,
    // DFS with the stack proviso, as explore runs it (por.ts); the diversified model's footprints.
    por: task.por && declaresFootprints(model),
    symmetry: symmetric,
  });
  const control = new RunControl({
    maxSeconds: task.limits.maxSeconds,
    maxMemoryBytes: task.limits.maxMemoryBytes,
    shouldStop: () => Atomics.load(stop, 0) !== 0,
  });
  const stopped = await control.drive(engine);
  engine.settle();
  const [found] = engine.findings.list();
  const outcome: WorkerOutcome = {
    index: task.index,
    states: engine.visited.size,
    transitions: engine.transitions,
    maxDepth: engine.maxDepth,
    seconds: control.seconds,
    bytes: control.peakBytes,
    ...engine.reduced,
    stopped,
    cutBy: engine.cutBy,
  };
  if (control.memoryMessage !== null) outcome.memoryMessage = control.memoryMessage;
  if (found !== undefined) {
    // Concrete first: originalTrace replays the moves, and a move taken from a representative need not
    // apply to the concrete state.
    const stored = traceTo(engine.visited, found.index);
    const trace = symmetric ? concretize(model, stored) : stored;
    outcome.violation = {
      kind: found.kind,
      code: found.code,
      trace: diversified === null ? trace : diversified.originalTrace(trace),
    };
  }
  return outcome;
}

/**
 * Starts one worker. Its outcome is what it posts; a worker terminated before it could post counts as
 * stopped with nothing explored, and one that fails rejects with its error.
 */
function startWorker(task: WorkerTask): { outcome: Promise<WorkerOutcome>; terminate: () => void } {
  const worker = new Worker(workerModule(import.meta.url), { workerData: task });
  let terminated = false;
  const outcome = new Promise<WorkerOutcome>((resolve, reject) => {
    let posted: WorkerOutcome | null = null;
    worker.on('message', (m: WorkerOutcome) => {
      posted = m;
    });
    worker.on('error', (err) => reject(new Error(`swarm search ${task.index}: ${err.message}`)));
    worker.on('exit', (code) => {
      if (posted !== null) resolve(posted);
      else if (terminated) resolve(unstarted(task.index));
      else reject(new Error(`swarm search ${task.index} exited (code ${code}) without a result`));
    });
  });
  const terminate = () => {
    terminated = true;
    void worker.terminate();
  };
  return { outcome, terminate };
}

const unstarted = (index: number): WorkerOutcome => ({
  index,
  states: 0,
  transitions: 0,
  maxDepth: 0,
  seconds: 0,
  bytes: 0,
  canonicalized: 0,
  ampleStates: 0,
  provisoFallbacks: 0,
  stopped: 'stopped',
  cutBy: null,
});

/** Explored everything: ended on its own, with no violation and no limit cutting it short. */
const complete = (o: WorkerOutcome): boolean =>
  o.stopped === null && o.cutBy === null && o.violation === undefined;

function searchOf(o: WorkerOutcome): SwarmSearch {
  const reason = o.stopped ?? o.cutBy;
  return {
    index: o.index,
    verdict: o.violation !== undefined ? 'violation' : reason === null ? 'verified' : 'incomplete',
    ...(o.violation === undefined && reason !== null ? { incompleteReason: reason } : {}),
    states: o.states,
    transitions: o.transitions,
    maxDepth: o.maxDepth,
    seconds: o.seconds,
    bytes: o.bytes,
    canonicalized: o.canonicalized,
    ampleStates: o.ampleStates,
    provisoFallbacks: o.provisoFallbacks,
    ...(o.memoryMessage === undefined ? {} : { memoryMessage: o.memoryMessage }),
  };
}

/** Replays a worker's trace on this thread's model: it must end in the violation reported. */
function confirm(model: Model, v: NonNullable<WorkerOutcome['violation']>, worker: number): Violation {
  const end = finalState(model, v.trace);
  const code = v.kind === 'state' ? model.violation(end) : model.quiescent(end);
  if (code !== v.code) {
    throw new Error(
      `swarm search ${worker} reported ${v.kind} violation ${v.code}, but its trace ends in code ${code} ` +
        'here: the model must be built the same way in every thread, from its arguments alone',
    );
  }
  return { code: v.code, kind: v.kind, trace: v.trace, depth: v.trace.length };
}
