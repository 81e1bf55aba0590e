/**
 * Parallel breadth-first search (`svmsim check --workers N`): N worker threads expand the states of
 * one BFS level together and insert their successors into ONE visited table in shared memory.
 *
 * The scheme is level-synchronous parallel BFS with a shared hash table, as in Stern and Dill's
 * parallel Murphi (1997, where the table is partitioned by owner) and closest to SPIN's multicore
 * breadth-first mode (Holzmann and Bosnacki 2007; Holzmann 2012 "Parallelizing the Spin model
 * checker"), with the lock-free table of Laarman, van de Pol and Weber (2010, LTSmin's "Boosting
 * multi-core reachability performance with shared hash tables"):
 *
 * - The table keeps a 64-bit signature per state (murmur3Words and xxhMixWords halves, computed in
 *   one pass by signatureWords, as visited.ts does in its compacted mode and SPIN's -DHC): this is hash compaction, always on here, and the
 *   result reports the same omission bound n(n-1)/2^65. A slot is two Int32 words [h1, h2], 0 = empty
 *   (three with partial-order reduction, below). A worker claims a slot by compareExchange of its
 *   first word from 0 to h1, then stores h2; a reader that finds h1 in a slot whose h2 is still 0
 *   spins the few instructions until the owner's store lands. Both halves are remapped from 0 to 1 so that 0 can mean "empty" and "not yet written"; that
 *   makes one value in 2^32 twice as likely per half, and the bound (1 + 2^-30) n(n-1)/2^65, which we
 *   report rounded to n(n-1)/2^65. (A BigInt64Array slot claimed by one 64-bit compareExchange needs no
 *   second word, but it allocates a BigInt per probe and measured half as fast as the Int32 pair.)
 * - The table doubles as it fills, in a stop-the-world pause. Sizing it once, up front, from a memory
 *   budget (no growth, the first design) measured badly: a table's pages are only given memory when
 *   first written, a hashed table writes them all at random, and a first write costs about 18 us on
 *   this (virtual) machine, so a 512 MiB table spent 2.4 s in page faults on a million states (and
 *   held 512 MiB) where a table sized to fit took 0.2 s. So a worker whose insert takes the table past
 *   3/4 full raises PAUSE; every worker stops between two states and meets the others at the barrier,
 *   where the last one rehashes the signatures into a table twice the size, in a second growable
 *   buffer (the two alternate), and they carry on where they paused. The search still ends
 *   'incomplete' when it would pass maxStates ('max-states'), or when the budget (maxMemoryBytes, by
 *   default half of what the machine has left) allows no bigger table ('memory', with a message).
 *   The trace links are Int32Arrays of one entry per possible state, allocated whole: they are
 *   written in index order, so only the pages in use are ever given memory.
 * - Whoever wins the insert of a new state owns it: it takes the global index from a shared counter
 *   (Atomics.add) as soon as it has claimed the slot, writes the parent index and packed transition
 *   into shared Int32Arrays at that index
 *   (for traces), checks model.violation on it, and appends its index and state to its own
 *   next-level frontier.
 * - Each worker's frontier lives in a growable SharedArrayBuffer of its own, two per worker (the level
 *   being read and the level being written, swapped at each barrier). At a barrier every worker
 *   publishes how many states it appended; the next level is the concatenation of all the frontiers,
 *   cut into chunks of CHUNK states of one frontier each, and every worker claims chunks through a
 *   shared cursor. This balances the load without copying a state (the brief's alternative, a copy
 *   into one shared buffer per level, would move every state twice). Views on the growable buffers
 *   are fixed-length: V8's length-tracking views over them measured 17 times slower to index.
 * - A frontier holds its entries encoded (frontier.ts): each a delta against the entry before it in
 *   its chunk, so that a chunk decodes on its own, in any worker, from an offset its owner keeps in a
 *   second growable buffer. On the SVM model's P3 D1 F1 MMAP=7 with symmetry (639 words, 5.6 million
 *   states) an entry takes 134 bytes instead of 2 560, and two workers peaked at 381 MB of RSS
 *   instead of 1 376 (the sequential BFS: 300 MB), in 50.8 s instead of 53.6 (medians of three,
 *   alternated, on an idle two-core machine): decoding touches only the words that changed. On
 *   dining N=10 (20 words), 14 bytes instead of 84, and 1 % slower (2.77 s against 2.74).
 * - Levels end at a barrier (Atomics.wait/notify on a generation word; the last worker to arrive runs
 *   the serial step: end the search, grow the table, or set up the next level). A violation does not stop the search
 *   at once: as bfs.ts does, the level that found it is finished, and the search ends at the barrier.
 *   So the states and transitions counted are exactly those of a sequential BFS (explore with order
 *   'bfs'), and the trace reported is a shortest one, in steps.
 *
 * What differs from bfs.ts:
 * - which of several equally short violations is reported depends on the threads' timing (the
 *   verdict, the depth of the trace and, when only one kind and code is that short, the kind and code
 *   do not); the worker that found it rebuilds the trace by walking parent links back to the initial
 *   state, and the main thread replays it on its own model before it is reported;
 * - there is no preference for few actor switches among traces of equal length (bfs.ts moves a
 *   state's parent when it finds a cheaper one; here the first to insert a state keeps it);
 * - no findAll;
 * - with maxStates, exactly maxStates states are counted, but which ones depends on timing.
 *
 * With symmetry reduction (the option, on a model that canonicalizes), every worker canonicalizes each
 * successor, and the initial state, before it signs it, as bfs.ts does before it looks a state up:
 * the table holds one signature per orbit, and whichever worker inserts a state inserts the same
 * representative, so the levels, and the counts, are those of explore with order 'bfs' and symmetry.
 * The parent links then spell a path through representatives, which the worker that found the
 * violation makes concrete (symmetry.ts) with its own model. Not the main thread: a representative is
 * only defined by the model instance that chose it, and an instance built in a thread that has built
 * others may choose differently (svmsim's system numbers its routines in the order a thread defines
 * them, and orders processes by keys that include those numbers), while the workers each build one
 * model from the same source and agree. The concrete trace is a path in every instance.
 *
 * With partial-order reduction (the option, on a model that declares footprints), every worker
 * expands a state as bfs.ts does, with an AmpleSets of its own: through the ample set of the first
 * actor that can move, and fully when there is none or when one of its successors was stored before
 * the level began (bfs.ts's proviso: index below levelEnd, a state of this level or an earlier one).
 * The proviso is what makes this depend on the table: a state found there was either stored before
 * the level began, or inserted during it by some worker, and which is settled by the barrier, not by
 * the threads' timing. So each slot gets a third word, the state's index + 1, written by its owner
 * right after it takes the index (0: not yet written, and a reader that needs it spins, as for h2),
 * and carried by the doubling; the serial step publishes the count at the level's start (LEVEL_END).
 * Whether a state is reduced then depends only on the set of states of the levels so far, so by
 * induction every level holds the states of explore with order 'bfs' and por (and symmetry, when
 * asked), and the counts, ample and fallback states included, are its counts. (With symmetry, ample
 * sets are chosen on representatives, so that holds of a sequential search whose model picks the
 * representatives the workers pick, as the counts of canonicalized successors do.) Only a search
 * asked for por pays for the word: 4 bytes a slot, 5 to 11 a state at the table's load of 3/8 to
 * 3/4 (and a model without footprints pays it for nothing: the table is laid out before any thread
 * has built the model, and building it first would delay the start).
 *
 * The main thread only coordinates: it keeps its event loop, so that Ctrl-C (shouldStop), the time
 * limit, the memory guard and onProgress are served from a timer while the workers search. Making it
 * one of the searchers would block that loop for a level at a time, and with N workers on N cores
 * its timer wakes up too rarely to cost anything.
 *
 * Workers build their own model from a ModelSource (source.ts), through boot.mjs, which
 * registers tsx in the worker (see swarm.ts for why execArgv does not do it on Node 20).
 */

import { availableParallelism, totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Model } from '../../model.ts';
import { declaresFootprints } from '../../reduce/por.ts';
import type { IncompleteReason, SearchResult } from '../../result.ts';
import type { Progress } from '../../search/control.ts';
import { systemMemory } from '../../search/memory.ts';
import { finalState } from '../../trace/trace.ts';
import { buildModel, type ModelSource, workerModule } from '../source.ts';
import {
  ABORT,
  BAR_GEN,
  CHUNK_STARTS_INITIAL_BYTES,
  CHUNK_STARTS_MAX_BYTES,
  COUNT,
  CUT,
  controlWords,
  DEPTH,
  FRONTIER_INITIAL_BYTES,
  FRONTIER_MAX_BYTES,
  GrowableBuffer,
  LOAD,
  MAX_DEPTH,
  type ParallelOutcome,
  type ParallelTask,
  POR_SLOT_WORDS,
  SLOT_WORDS,
  SLOTS,
  STAT_STRIDE,
  STOP,
  STOP_FRONTIER,
  STOP_MACHINE,
  STOP_MAX_STATES,
  STOP_SECONDS,
  STOP_STOPPED,
  STOP_TABLE,
} from './layout.ts';

export interface ParallelOptions {
  /** Worker threads searching; the machine's parallelism by default. */
  workers?: number;
  /** Stop, incomplete, rather than store more states than this. */
  maxStates?: number;
  /** Do not store states deeper than this (the initial state is at depth 0). */
  maxDepth?: number;
  /** Stop every worker, incomplete, after this long (start-up included). */
  maxSeconds?: number;
  /**
   * Bytes for the shared table (which doubles as it fills) and the trace links: at most about
   * maxMemoryBytes / 40 states (/ 56 with por), and the search ends 'memory' there. By default half
   * of what the machine has left. Frontiers are not counted; the machine's memory guard watches them.
   */
  maxMemoryBytes?: number;
  /** Polled every 50 ms; returning true stops every worker, incomplete ('stopped'). */
  shouldStop?: () => boolean;
  onProgress?: (p: Progress) => void;
  /** Least time between two onProgress calls; 1 s by default. */
  progressIntervalMs?: number;
  /**
   * Symmetry reduction, as explore's option: one state per orbit, as the model's canonicalize maps
   * it. A model without canonicalize is explored unreduced; stats.reduced says which ran.
   */
  symmetry?: boolean;
  /**
   * Partial-order reduction, as explore's option (por.ts), with bfs.ts's cycle proviso: the states
   * and counts of explore with order 'bfs' and por. A model without footprints is explored
   * unreduced; stats.reduced says which ran.
   */
  por?: boolean;
  /**
   * Threads kept from one search to the next (ParallelPool), for a caller that runs many small
   * searches: a thread's start-up (its modules loaded) is most of a small search's time.
   */
  pool?: ParallelPool;
}

/**
 * Worker threads that serve one search after another: each loads its modules once, and builds the
 * model of each search it is given from that search's source. Every thread of a pool builds the
 * same models in the same order, so they number what they define alike, as fresh threads would.
 * Idle threads do not keep the process alive; close() ends them.
 */
export class ParallelPool {
  private readonly threads: (Worker | undefined)[] = [];

  /** Worker `id`, started on first use (again, after a search that ended it). */
  thread(id: number): Worker {
    let w = this.threads[id];
    if (w === undefined) {
      w = new Worker(workerModule(import.meta.url), { workerData: { pooled: true } });
      w.unref();
      this.threads[id] = w;
    }
    return w;
  }

  /** Ends worker `id` (it failed, or its search was abandoned): the next search starts another. */
  drop(id: number): void {
    void this.threads[id]?.terminate();
    this.threads[id] = undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((w) => w?.terminate()));
    this.threads.length = 0;
  }
}

export interface ParallelResult extends SearchResult {
  workers: number;
  /** The most states the search could store: maxStates, or what maxMemoryBytes allows. */
  capacity: number;
  /** From the call to the moment every worker had built its model and the search began. */
  startupSeconds: number;
}

const INITIAL_SLOTS = 1 << 16;
/** A 4 GiB table, the most a growable SharedArrayBuffer holds on Node 20. */
const MAX_TABLE_BYTES = 2 ** 32;
/** Parent index and transition, per state. */
const LINK_BYTES = 8;
/**
 * Budget bytes per state at the most: the table at LOAD just after a doubling (2 / LOAD slots a
 * state), the other table buffer still holding the half-size table, and the links.
 */
const budgetBytesPerState = (slotBytes: number): number => (3 / LOAD) * slotBytes + LINK_BYTES;
/** What the main thread's memory guard leaves the machine, as memory.ts does. */
const RESERVE_MIN = 256 * 2 ** 20;
const RESERVE_FRACTION = 1 / 20;
const POLL_MS = 50;
const DEFAULT_PROGRESS_MS = 1000;
const stopReasons: Record<number, IncompleteReason> = {
  [STOP_STOPPED]: 'stopped',
  [STOP_SECONDS]: 'max-seconds',
  [STOP_TABLE]: 'memory',
  [STOP_MAX_STATES]: 'max-states',
  [STOP_FRONTIER]: 'memory',
  [STOP_MACHINE]: 'memory',
};

/**
 * Runs the parallel search. `built`, when given, is this thread's instance of the model `source`
 * builds (a caller that has one saves building another): it confirms the trace the workers report.
 */
export async function exploreParallel(
  source: ModelSource,
  options: ParallelOptions = {},
  built?: Model,
): Promise<ParallelResult> {
  const started = performance.now();
  const n = options.workers ?? availableParallelism();
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new Error(`workers must be an integer in 1..256, not ${n}`);
  }
  const limit = (name: string, value: number | undefined, least: number): number => {
    if (value === undefined) return Number.POSITIVE_INFINITY;
    if (Number.isNaN(value) || value < least)
      throw new Error(`${name} must be a number >= ${least}, not ${value}`);
    return value;
  };
  const maxStates = limit('maxStates', options.maxStates, 1);
  const maxDepth = limit('maxDepth', options.maxDepth, 0);
  const maxSeconds = limit('maxSeconds', options.maxSeconds, 0);
  limit('maxMemoryBytes', options.maxMemoryBytes, 1);
  const reserve = Math.max(RESERVE_MIN, totalmem() * RESERVE_FRACTION);
  const budget = options.maxMemoryBytes ?? Math.max(0, systemMemory.available() - reserve) / 2;
  const slotWords = options.por === true ? POR_SLOT_WORDS : SLOT_WORDS;
  const size = plan(maxStates, budget, n, slotWords * 4);

  const control = new Int32Array(new SharedArrayBuffer(controlWords(n) * 4));
  const stats = new Float64Array(new SharedArrayBuffer((n + 1) * STAT_STRIDE * 8));
  const maxTableBytes = size.maxSlots * size.slotBytes;
  const tables = [
    new GrowableBuffer(size.initialSlots * size.slotBytes, { maxByteLength: maxTableBytes }),
    new GrowableBuffer(0, { maxByteLength: maxTableBytes }),
  ];
  Atomics.store(control, SLOTS, size.initialSlots);
  // Allocated whole, but their pages are only touched (and only then take memory) as indices grow.
  const parents = new Int32Array(new SharedArrayBuffer(size.capacity * 4));
  const links = new Int32Array(new SharedArrayBuffer(size.capacity * 4));
  const frontiers = Array.from(
    { length: 2 * n },
    () => new GrowableBuffer(FRONTIER_INITIAL_BYTES, { maxByteLength: FRONTIER_MAX_BYTES }),
  );
  const chunkStarts = Array.from(
    { length: 2 * n },
    () => new GrowableBuffer(CHUNK_STARTS_INITIAL_BYTES, { maxByteLength: CHUNK_STARTS_MAX_BYTES }),
  );
  const task = (id: number): ParallelTask => ({
    source,
    id,
    workers: n,
    control: control.buffer as SharedArrayBuffer,
    stats: stats.buffer as SharedArrayBuffer,
    tables,
    slotWords,
    maxSlots: size.maxSlots,
    parents: parents.buffer as SharedArrayBuffer,
    links: links.buffer as SharedArrayBuffer,
    frontiers,
    chunkStarts,
    capacity: size.capacity,
    fullCode: size.byMaxStates ? STOP_MAX_STATES : STOP_TABLE,
    maxDepth,
    symmetry: options.symmetry === true,
    por: options.por === true,
  });

  const stopWith = (code: number): void => {
    Atomics.compareExchange(control, STOP, 0, code);
  };
  const states = (): number => Math.min(Atomics.load(control, COUNT), size.capacity);
  const transitions = (): number => {
    let t = 0;
    for (let w = 0; w < n; w++) t += stats[w * STAT_STRIDE];
    return t;
  };
  const sum = (buffers: SharedArrayBuffer[]): number => buffers.reduce((total, b) => total + b.byteLength, 0);
  /** The structures' memory: the growable buffers never shrink, so this is their peak. */
  const bytes = (): number => sum(tables) + sum(frontiers) + sum(chunkStarts) + states() * LINK_BYTES;
  const progressMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_MS;
  let lastProgress = started;
  const report = (force: boolean): void => {
    if (options.onProgress === undefined) return;
    const now = performance.now();
    if (!force && now - lastProgress < progressMs) return;
    lastProgress = now;
    const seconds = (now - started) / 1000;
    options.onProgress({
      states: states(),
      transitions: transitions(),
      depth: Atomics.load(control, DEPTH),
      maxDepth: Atomics.load(control, MAX_DEPTH),
      statesPerSecond: seconds > 0 ? states() / seconds : 0,
      memoryBytes: bytes(),
      seconds,
    });
  };
  const poll = setInterval(() => {
    if (options.shouldStop?.()) stopWith(STOP_STOPPED);
    if (performance.now() - started >= maxSeconds * 1000) stopWith(STOP_SECONDS);
    if (systemMemory.available() < reserve) stopWith(STOP_MACHINE);
    report(false);
  }, POLL_MS);

  const workers = Array.from({ length: n }, (_, id) => startWorker(task(id), options.pool));
  let model: Model;
  let outcomes: ParallelOutcome[];
  try {
    [model, outcomes] = await Promise.all([
      built ?? buildModel(source),
      Promise.all(workers.map((w) => w.outcome)),
    ]);
  } catch (err) {
    // Wake and end every worker: one failed (or the model here did), and the others would wait for it
    // at the next barrier forever.
    Atomics.store(control, ABORT, 1);
    Atomics.notify(control, BAR_GEN);
    for (const w of workers) w.terminate();
    throw err;
  } finally {
    clearInterval(poll);
  }
  report(true);
  // The first barrier's serial step stamped the start of the search, in the epoch's milliseconds.
  const searchStart = stats[n * STAT_STRIDE];
  const startupSeconds = searchStart > 0 ? (searchStart - performance.timeOrigin - started) / 1000 : 0;

  const count = states();
  const stopCode = Atomics.load(control, STOP);
  // Each worker decided the same from its own copy of the model.
  const symmetric = options.symmetry === true && model.canonicalize !== undefined;
  const reduces = options.por === true && declaresFootprints(model);
  const summed = (count: (o: ParallelOutcome) => number): number =>
    outcomes.reduce((total, o) => total + count(o), 0);
  const result: ParallelResult = {
    verdict: 'verified',
    stats: {
      states: count,
      transitions: summed((o) => o.transitions),
      maxDepth: Atomics.load(control, MAX_DEPTH),
      seconds: (performance.now() - started) / 1000,
      bytes: bytes(),
      bytesPerState: bytes() / Math.max(1, count),
      omissionProbability: Math.min(1, (count * (count - 1)) / 2 ** 65),
      ...(options.symmetry === true || options.por === true
        ? {
            reduced: {
              por: reduces,
              symmetry: symmetric,
              ampleStates: summed((o) => o.ampleStates),
              provisoFallbacks: summed((o) => o.provisoFallbacks),
              canonicalized: summed((o) => o.canonicalized),
            },
          }
        : {}),
    },
    engine: { kind: 'workers', workers: n, capacity: size.capacity, startupSeconds },
    workers: n,
    capacity: size.capacity,
    startupSeconds,
  };
  let found: ParallelOutcome['finding'] = null;
  for (const o of outcomes.sort((a, b) => a.id - b.id)) {
    if (o.finding !== null && (found === null || o.finding.depth < found.depth)) found = o.finding;
  }
  const reason: IncompleteReason | null =
    stopCode !== 0 ? stopReasons[stopCode] : Atomics.load(control, CUT) !== 0 ? 'max-depth' : null;
  if (found !== null) {
    result.verdict = 'violation';
    result.violation = confirm(model, found);
  } else if (reason !== null) {
    result.verdict = 'incomplete';
    result.incompleteReason = reason;
  }
  const message = memoryMessage(stopCode, size, budget, count, n);
  if (message !== null) result.memoryMessage = message;
  return result;
}

/**
 * How far the table may grow, and how many states may be stored: maxStates when the budget holds
 * them, or else what it holds, less one state per worker, as each may insert one past the capacity
 * before it stops.
 */
function plan(maxStates: number, budget: number, n: number, slotBytes: number) {
  const perState = budgetBytesPerState(slotBytes);
  const fits = (slots: number): boolean =>
    slots * slotBytes <= MAX_TABLE_BYTES && slots * LOAD * perState <= budget;
  let maxSlots = INITIAL_SLOTS;
  while (fits(maxSlots * 2)) maxSlots *= 2;
  const byBudget = Math.floor(maxSlots * LOAD) - n;
  const byMaxStates = maxStates <= byBudget;
  return {
    initialSlots: INITIAL_SLOTS,
    maxSlots,
    slotBytes,
    capacity: byMaxStates ? maxStates : byBudget,
    byMaxStates,
  };
}

function memoryMessage(
  code: number,
  size: ReturnType<typeof plan>,
  budget: number,
  states: number,
  n: number,
): string | null {
  const mib = (b: number): string => `${Math.round(b / 2 ** 20)} MiB`;
  if (code === STOP_TABLE) {
    return (
      `stopped: the parallel search's shared table is full at ${states} states, the most that fit in ` +
      `${mib(budget)} (a ${mib(size.maxSlots * size.slotBytes)} table of ${size.maxSlots} slots, with ` +
      'trace links); to go further, give exploreParallel a larger maxMemoryBytes, or bound the search ' +
      'with --max-states'
    );
  }
  if (code === STOP_FRONTIER) {
    return (
      `stopped at ${states} states: one worker's share of the next BFS level passed ` +
      `${mib(FRONTIER_MAX_BYTES)}, the most a growable shared buffer holds; with ${n} workers a level ` +
      'this wide needs more of them, or search without --workers'
    );
  }
  if (code === STOP_MACHINE) {
    return (
      `stopped before memory runs out: ${states} states, and this machine has less than ` +
      `${mib(Math.max(RESERVE_MIN, totalmem() * RESERVE_FRACTION))} left; bound the search with ` +
      '--max-states, or search without --workers (a BFS keeps whole levels of states)'
    );
  }
  return null;
}

/** Replays a worker's trace here, to confirm it ends in the violation the worker found. */
function confirm(
  model: Model,
  f: NonNullable<ParallelOutcome['finding']>,
): NonNullable<SearchResult['violation']> {
  const { trace } = f;
  const end = finalState(model, trace);
  const code = f.kind === 'state' ? model.violation(end) : model.quiescent(end);
  if (code !== f.code) {
    throw new Error(
      `the trace to ${f.kind} violation ${f.code} ends, on replay, in a state whose code is ${code}: ` +
        'the model must be built the same way in every thread and compute init, step, violation and ' +
        'quiescent from the state vector alone (or a hash-compaction collision occurred)',
    );
  }
  return { code: f.code, kind: f.kind, trace, depth: trace.length };
}

/**
 * Starts one worker. Its outcome is what it posts; one that fails rejects with its error, and one
 * that exits without posting (terminated) rejects too.
 */
function startWorker(
  task: ParallelTask,
  pool?: ParallelPool,
): { outcome: Promise<ParallelOutcome>; terminate: () => void } {
  if (pool !== undefined) return startPooled(task, pool);
  const worker = new Worker(workerModule(import.meta.url), { workerData: task });
  const outcome = new Promise<ParallelOutcome>((resolve, reject) => {
    let posted: ParallelOutcome | null = null;
    worker.on('message', (m: ParallelOutcome) => {
      posted = m;
    });
    worker.on('error', (err) => reject(new Error(`parallel search worker ${task.id}: ${err.message}`)));
    worker.on('exit', (code) => {
      if (posted !== null) resolve(posted);
      else reject(new Error(`parallel search worker ${task.id} exited (code ${code}) without a result`));
    });
  });
  return { outcome, terminate: () => void worker.terminate() };
}

/** startWorker on a pool's thread: the task is posted, and the outcome is its one answer. */
function startPooled(
  task: ParallelTask,
  pool: ParallelPool,
): { outcome: Promise<ParallelOutcome>; terminate: () => void } {
  const worker = pool.thread(task.id);
  const outcome = new Promise<ParallelOutcome>((resolve, reject) => {
    const done = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: ParallelOutcome): void => {
      done();
      resolve(m);
    };
    const onError = (err: Error): void => {
      done();
      pool.drop(task.id);
      reject(new Error(`parallel search worker ${task.id}: ${err.message}`));
    };
    const onExit = (code: number): void => {
      done();
      pool.drop(task.id);
      reject(new Error(`parallel search worker ${task.id} exited (code ${code}) without a result`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  worker.postMessage(task);
  return { outcome, terminate: () => pool.drop(task.id) };
}
