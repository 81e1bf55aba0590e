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
 * Workers build their own model from a ModelSource (swarm.ts's), through parallel-boot.mjs, which
 * registers tsx in the worker (see swarm.ts for why execArgv does not do it on Node 20).
 */

import { availableParallelism, totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  MAX_CHOICES,
  type Model,
  packTransition,
  type Transition,
  transitionActor,
  transitionChoice,
} from '../model.ts';
import { AmpleSets, declaresFootprints } from '../reduce/por.ts';
import { concretize } from '../reduce/symmetry.ts';
import type { Progress } from '../search/control.ts';
import { type ReductionCounts, tooManyChoices } from '../search/engine.ts';
import type { ViolationKind } from '../search/findings.ts';
import { systemMemory } from '../search/memory.ts';
import type { IncompleteReason, SearchResult } from '../search/search.ts';
import { FrontierReader, FrontierWriter, maxEntryBytes } from '../store/frontier.ts';
import { signatureWords } from '../store/hash.ts';
import { finalState } from '../trace/trace.ts';
import { buildModel, type ModelSource } from './swarm.ts';

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
}

export interface ParallelResult extends SearchResult {
  workers: number;
  /** The most states the search could store: maxStates, or what maxMemoryBytes allows. */
  capacity: number;
  /** From the call to the moment every worker had built its model and the search began. */
  startupSeconds: number;
}

/**
 * A growable SharedArrayBuffer (ES2024, in Node 20), typed here because the project's lib is ES2022.
 * Growing it in one thread grows it for every thread that shares it; it never shrinks.
 */
export interface GrowableBuffer extends SharedArrayBuffer {
  grow(bytes: number): void;
}
const GrowableBuffer = SharedArrayBuffer as unknown as new (
  bytes: number,
  options: { maxByteLength: number },
) => GrowableBuffer;

/** What parallel.ts sends a worker (parallel-worker.ts). Everything shared is a SharedArrayBuffer. */
export interface ParallelTask {
  source: ModelSource;
  id: number;
  workers: number;
  control: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  /** The table is tables[control[TABLE]], of control[SLOTS] slots; a doubling moves it to the other. */
  tables: GrowableBuffer[];
  /** Int32 words per slot: [h1, h2], and with por [h1, h2, index + 1]. */
  slotWords: number;
  maxSlots: number;
  /** Per state index: the parent's index and the packed transition from it. */
  parents: SharedArrayBuffer;
  links: SharedArrayBuffer;
  /**
   * Worker w's frontier for levels of parity p is frontiers[2 w + p], and the byte offsets of its
   * chunks chunkStarts[2 w + p].
   */
  frontiers: GrowableBuffer[];
  chunkStarts: GrowableBuffer[];
  capacity: number;
  /** The stop code set when the states reach the capacity. */
  fullCode: number;
  /** Infinity for none. */
  maxDepth: number;
  /** Symmetry reduction asked for: the worker canonicalizes when its model can. */
  symmetry: boolean;
  /** Partial-order reduction asked for: the worker reduces when its model declares footprints. */
  por: boolean;
}

/** A violation a worker met: its kind and code, and the state's index and depth. */
interface Found {
  kind: ViolationKind;
  code: number;
  index: number;
  depth: number;
}

/** What a worker posts, once, when the search is over; with its reductions' counts, as an engine's. */
export interface ParallelOutcome extends ReductionCounts {
  id: number;
  transitions: number;
  /** Its shortest violation, if it met one (the first found among equally short ones), and the trace. */
  finding: (Found & { trace: Transition[] }) | null;
}

/*
 * The control words, an Int32Array. Words written often by every worker each get a 64-byte cache line
 * of their own (16 words apart), so that polling STOP and PAUSE does not miss on every COUNT increment.
 */
const STOP = 0;
/** Set by a worker whose insert passed the table's load limit: every worker pauses for a doubling. */
const PAUSE = 1;
const COUNT = 16;
const CURSOR = 32;
const FOUND = 48;
const BAR_COUNT = 64;
const BAR_GEN = 80;
/** Read-mostly words, written by the serial step or rarely. */
const DEPTH = 96;
const DONE = 97;
/** The chunks in the level. */
const TOTAL = 98;
const MAX_DEPTH = 99;
const CUT = 100;
const ABORT = 101;
const TABLE = 102;
const SLOTS = 103;
/** The states stored before the level began (those of it and of the levels before): COUNT then. */
const LEVEL_END = 104;
/**
 * Per level parity p and worker w: SIZES + p n + w states appended, PREFIX + p n + w the number of
 * the first of its chunks in the level (the chunks of worker 0's frontier come first, then 1's, ...).
 */
const SIZES = 112;
const controlWords = (n: number): number => SIZES + 4 * n;
const prefixOf = (n: number): number => SIZES + 2 * n;

/** Why the workers stopped (STOP), first writer wins. */
const STOP_STOPPED = 1;
const STOP_SECONDS = 2;
const STOP_TABLE = 3;
const STOP_MAX_STATES = 4;
const STOP_FRONTIER = 5;
const STOP_MACHINE = 6;
const stopReasons: Record<number, IncompleteReason> = {
  [STOP_STOPPED]: 'stopped',
  [STOP_SECONDS]: 'max-seconds',
  [STOP_TABLE]: 'memory',
  [STOP_MAX_STATES]: 'max-states',
  [STOP_FRONTIER]: 'memory',
  [STOP_MACHINE]: 'memory',
};

/** What an insert found. */
const PRESENT = 0;
const INSERTED = 1;
const FULL = 2;
/** Present, and stored before the level began (only told apart from PRESENT when asked). */
const EARLIER = 3;

/** Float64 statistics: worker w's transitions at STAT_STRIDE w (a cache line each); then the start time. */
const STAT_STRIDE = 8;

/**
 * Entries of a frontier claimed at a time: few atomic operations, and a short tail at the barrier.
 * A chunk is also the unit of the frontier's encoding (frontier.ts), which decodes from a chunk's
 * start: its first entry costs about 450 bytes on the SVM model, its others about 90.
 */
export const CHUNK = 64;
/** Spins on the barrier's generation word before sleeping on it (a level's tail is often short). */
const BARRIER_SPINS = 2000;
/** A worker asleep at a barrier wakes this often to see whether the main thread has given up. */
const WAIT_MS = 100;

/**
 * The table doubles when this full, as visited.ts's does. It may fill a little beyond before every
 * worker has paused (each finishes the state it is expanding), which the quarter left absorbs.
 */
const LOAD = 3 / 4;
const INITIAL_SLOTS = 1 << 16;
/** A 4 GiB table, the most a growable SharedArrayBuffer holds on Node 20. */
const MAX_TABLE_BYTES = 2 ** 32;
/**
 * Int32 words per slot: the signature's halves, and with partial-order reduction the state's index
 * + 1, which tells the proviso whether a state found was stored before the level began. Only a
 * search with por pays for the third word.
 */
const SLOT_WORDS = 2;
const POR_SLOT_WORDS = 3;
/** Parent index and transition, per state. */
const LINK_BYTES = 8;
/**
 * Budget bytes per state at the most: the table at LOAD just after a doubling (2 / LOAD slots a
 * state), the other table buffer still holding the half-size table, and the links.
 */
const budgetBytesPerState = (slotBytes: number): number => (3 / LOAD) * slotBytes + LINK_BYTES;
const FRONTIER_MAX_BYTES = 2 ** 32;
export const FRONTIER_INITIAL_BYTES = 1 << 16;
/**
 * A frontier's chunk offsets, Uint32 (an offset is below FRONTIER_MAX_BYTES): an entry takes two
 * bytes at the least, so a full frontier has at most 2^31 entries, 2^25 chunks.
 */
export const CHUNK_START_BYTES = 4;
const CHUNK_STARTS_MAX_BYTES = (FRONTIER_MAX_BYTES / 2 / CHUNK) * CHUNK_START_BYTES;
export const CHUNK_STARTS_INITIAL_BYTES = 1 << 10;
/** What the main thread's memory guard leaves the machine, as memory.ts does. */
const RESERVE_MIN = 256 * 2 ** 20;
const RESERVE_FRACTION = 1 / 20;

const POLL_MS = 50;
const DEFAULT_PROGRESS_MS = 1000;
const NO_PARENT = -1;

export async function exploreParallel(
  source: ModelSource,
  options: ParallelOptions = {},
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

  const workers = Array.from({ length: n }, (_, id) => startWorker(task(id)));
  let model: Model;
  let outcomes: ParallelOutcome[];
  try {
    [model, outcomes] = await Promise.all([buildModel(source), Promise.all(workers.map((w) => w.outcome))]);
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
function startWorker(task: ParallelTask): { outcome: Promise<ParallelOutcome>; terminate: () => void } {
  const worker = new Worker(new URL('./parallel-boot.mjs', import.meta.url), { workerData: task });
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

/**
 * One worker's share of the search, run synchronously in its thread (parallel-worker.ts) from the
 * model it built; returns what it posts. Every worker runs the same loop: at each level it claims
 * chunks of the level's states, expands them, inserts the successors; then it meets the others at
 * the barrier.
 */
export function searchShare(model: Model, task: ParallelTask): ParallelOutcome {
  return new Share(model, task).run();
}

class Share {
  private readonly model: Model;
  private readonly id: number;
  private readonly n: number;
  private readonly words: number;
  /** The most bytes a frontier entry takes (frontier.ts). */
  private readonly maxEntry: number;
  private readonly control: Int32Array;
  private readonly stats: Float64Array;
  private readonly tables: GrowableBuffer[];
  private readonly slotWords: number;
  private readonly maxSlots: number;
  private readonly parents: Int32Array;
  private readonly links: Int32Array;
  private readonly buffers: GrowableBuffer[];
  private readonly startBuffers: GrowableBuffer[];
  private readonly capacity: number;
  private readonly fullCode: number;
  private readonly maxDepth: number;
  private readonly daemon: Uint8Array;
  private readonly cur: Int32Array;
  private readonly next: Int32Array;
  /** With symmetry reduction: canonicalize's scratch, one for the whole search. */
  private readonly symmetric: boolean;
  private readonly scratch: Int32Array;
  private readonly reduced: ReductionCounts = { ampleStates: 0, provisoFallbacks: 0, canonicalized: 0 };
  /** With partial-order reduction (the option, on a model that declares footprints): as bfs.ts's. */
  private readonly ample: AmpleSets | null;
  /**
   * Set while an ample set is expanded; `revisited` when one of its moves led to a state stored
   * before the level began (this level or an earlier one), which the cycle proviso forbids.
   */
  private ampleMode = false;
  private revisited = false;
  /** The states stored before this level began: an index below it is of this level or an earlier. */
  private levelEnd = 0;
  /** The signature of the state being inserted or looked up. */
  private readonly signature = new Int32Array(2);
  /** The index the last insert that returned INSERTED took. */
  private inserted = 0;
  /** The table as of the last barrier, and when to ask for its doubling. */
  private table: Int32Array = new Int32Array(0);
  private slots = 0;
  private mask = 0;
  private growAt = 0;
  /**
   * The frontiers of the level being expanded, one per worker: its bytes, its chunks' offsets, its
   * entries, and the level's chunk numbers it holds, [firstChunks[w], chunkEnds[w]).
   */
  private readonly views: Uint8Array[];
  private readonly startViews: Uint32Array[];
  private readonly sizes: Int32Array;
  private readonly firstChunks: Int32Array;
  private readonly chunkEnds: Int32Array;
  /** The chunk being expanded: the reader is at its next entry, and `chunkLeft` entries remain. */
  private readonly reader = new FrontierReader();
  private chunkLeft = 0;
  /** This worker's frontier of the next level: its bytes (the writer's), its chunks' offsets, entries. */
  private readonly writer: FrontierWriter;
  private outBuffer!: GrowableBuffer;
  private outStartsBuffer!: GrowableBuffer;
  private outStarts: Uint32Array = new Uint32Array(0);
  private outCount = 0;
  private depth = 0;
  private lookupOnly = false;
  /** Whether this worker has stored a state of the next level yet (then MAX_DEPTH says so). */
  private deeper = false;
  private cut = false;
  private transitions = 0;
  private finding: Found | null = null;

  constructor(model: Model, task: ParallelTask) {
    if (!Number.isInteger(model.stateWords) || model.stateWords < 1) {
      throw new Error(`model.stateWords must be a positive integer, not ${model.stateWords}`);
    }
    this.model = model;
    this.id = task.id;
    this.n = task.workers;
    this.words = model.stateWords;
    this.maxEntry = maxEntryBytes(model.stateWords);
    this.control = new Int32Array(task.control);
    this.stats = new Float64Array(task.stats);
    this.tables = task.tables;
    this.slotWords = task.slotWords;
    this.maxSlots = task.maxSlots;
    this.parents = new Int32Array(task.parents);
    this.links = new Int32Array(task.links);
    this.buffers = task.frontiers;
    this.startBuffers = task.chunkStarts;
    this.capacity = task.capacity;
    this.fullCode = task.fullCode;
    this.maxDepth = task.maxDepth;
    this.daemon = Uint8Array.from({ length: model.actorCount }, (_, a) => (model.isDaemon(a) ? 1 : 0));
    this.cur = new Int32Array(this.words);
    this.next = new Int32Array(this.words);
    this.symmetric = task.symmetry && model.canonicalize !== undefined;
    this.scratch = new Int32Array(this.symmetric ? this.words : 0);
    // The main thread sized the slots for the option; the table holds indices whether or not we reduce.
    this.ample = task.por && declaresFootprints(model) ? new AmpleSets(model) : null;
    this.views = Array.from({ length: this.n }, () => new Uint8Array(0));
    this.startViews = Array.from({ length: this.n }, () => new Uint32Array(0));
    this.sizes = new Int32Array(this.n);
    this.firstChunks = new Int32Array(this.n);
    this.chunkEnds = new Int32Array(this.n);
    this.writer = new FrontierWriter(this.words);
  }

  run(): ParallelOutcome {
    const { control } = this;
    this.openTable();
    // Level 0 is the initial state, in worker 0's frontier of even levels.
    this.openOut(0);
    if (this.id === 0) this.seed();
    if (!this.barrier(0, true)) return this.outcome();
    let level = -1;
    while (Atomics.load(control, DONE) === 0) {
      if (Atomics.load(control, SLOTS) !== this.slots) this.openTable();
      this.depth = Atomics.load(control, DEPTH);
      if (this.depth !== level) {
        level = this.depth;
        this.openLevel();
      }
      this.expandLevel();
      if (!this.barrier((this.depth + 1) & 1, false)) break;
    }
    return this.outcome();
  }

  private outcome(): ParallelOutcome {
    this.stats[this.id * STAT_STRIDE] = this.transitions;
    const f = this.finding;
    return {
      id: this.id,
      transitions: this.transitions,
      ...this.reduced,
      finding: f === null ? null : { ...f, trace: this.traceTo(f.index) },
    };
  }

  /**
   * The concrete trace to state `index`. Every link on the way was written before the barrier that
   * ended the search, the last one by this worker.
   */
  private traceTo(index: number): Transition[] {
    const stored: Transition[] = [];
    for (let i = index; i !== 0; i = this.parents[i]) {
      stored.push({ actor: transitionActor(this.links[i]), choice: transitionChoice(this.links[i]) });
    }
    stored.reverse();
    return this.symmetric ? concretize(this.model, stored) : stored;
  }

  /** Worker 0 stores the initial state, before the first barrier. */
  private seed(): void {
    const { model, cur } = this;
    model.init(cur);
    if (this.symmetric) model.canonicalize!(cur, this.scratch);
    // Index 0, from the counter.
    this.insert(cur, false);
    this.parents[0] = NO_PARENT;
    this.links[0] = NO_PARENT;
    this.append(0, cur);
    const v = model.violation(cur);
    if (v !== 0) this.record('state', v, 0, 0);
  }

  /** Views the table as the last barrier left it. */
  private openTable(): void {
    this.slots = Atomics.load(this.control, SLOTS);
    const words = this.slotWords * this.slots;
    this.table = new Int32Array(this.tables[Atomics.load(this.control, TABLE)], 0, words);
    this.mask = this.slots - 1;
    this.growAt = Math.floor(this.slots * LOAD);
  }

  /** Views every worker's frontier of the new level, and starts this worker's of the next afresh. */
  private openLevel(): void {
    const { control, n } = this;
    const parity = this.depth & 1;
    for (let w = 0; w < n; w++) {
      const states = Atomics.load(control, SIZES + parity * n + w);
      const chunks = Math.ceil(states / CHUNK);
      this.sizes[w] = states;
      this.firstChunks[w] = Atomics.load(control, prefixOf(n) + parity * n + w);
      this.chunkEnds[w] = this.firstChunks[w] + chunks;
      const buffer = this.buffers[2 * w + parity];
      this.views[w] = new Uint8Array(buffer, 0, buffer.byteLength);
      this.startViews[w] = new Uint32Array(this.startBuffers[2 * w + parity], 0, chunks);
    }
    this.openOut(parity ^ 1);
    this.levelEnd = Atomics.load(control, LEVEL_END);
    this.lookupOnly = this.depth >= this.maxDepth;
    this.deeper = false;
    this.chunkLeft = 0;
  }

  /**
   * Claims chunks of the level and expands their states until the level is used up, the search is
   * stopped, or the table is to grow (PAUSE: the chunk is resumed after the barrier that grows it).
   */
  private expandLevel(): void {
    const { control, reader, cur, chunkEnds } = this;
    const total = Atomics.load(control, TOTAL);
    for (;;) {
      if (this.chunkLeft === 0) {
        const chunk = Atomics.add(control, CURSOR, 1);
        if (chunk >= total) return;
        let owner = 0;
        while (chunk >= chunkEnds[owner]) owner++;
        const j = chunk - this.firstChunks[owner];
        this.chunkLeft = Math.min(CHUNK, this.sizes[owner] - j * CHUNK);
        reader.start(this.views[owner], this.startViews[owner][j], cur);
      }
      while (this.chunkLeft > 0) {
        if (Atomics.load(control, STOP) !== 0 || Atomics.load(control, PAUSE) !== 0) return;
        // Decoded into cur, which holds the chunk's entry before (expand leaves it as it was).
        reader.read(cur);
        this.chunkLeft--;
        if (!this.expand(reader.index)) return;
      }
      this.stats[this.id * STAT_STRIDE] = this.transitions;
    }
  }

  /**
   * Expands `cur`, the state of that index, as bfs.ts does: with partial-order reduction first
   * through an ample set, and fully when there is none or the proviso rejects it (the ample actor's
   * moves are not stepped twice). False when a limit ended the search.
   */
  private expand(index: number): boolean {
    const { model, cur, daemon } = this;
    const actors = model.actorCount;
    let expanded = -1;
    if (this.ample !== null) {
      expanded = this.expandAmple(index);
      if (expanded === -2) return false;
      if (expanded >= 0 && !this.revisited) {
        this.reduced.ampleStates++;
        return true;
      }
      if (expanded >= 0) this.reduced.provisoFallbacks++;
    }
    // An ample actor has moved, and it is no daemon: the state is not quiescent.
    let moved = expanded >= 0;
    for (let a = 0; a < actors; a++) {
      if (a === expanded) continue;
      const moves = this.expandActor(index, a);
      if (moves < 0) return false;
      if (moves > 0 && daemon[a] === 0) moved = true;
    }
    if (!moved) {
      const q = model.quiescent(cur);
      if (q !== 0) this.record('quiescent', q, index, this.depth);
    }
    return true;
  }

  /**
   * Expands `cur` through the first ample set whose actor can move. Returns that actor (with
   * `revisited` telling whether the proviso rejects the set), -1 when there is none, or -2 when a
   * limit ended the search.
   */
  private expandAmple(index: number): number {
    const ample = this.ample!;
    this.revisited = false;
    this.ampleMode = true;
    let a = ample.select(this.cur, 0);
    for (; a >= 0; a = ample.select(this.cur, a + 1)) {
      const moves = this.expandActor(index, a);
      if (moves < 0) a = -2;
      if (moves !== 0) break;
    }
    this.ampleMode = false;
    return a;
  }

  /**
   * Steps every choice of actor a in `cur`, inserting (or at maxDepth looking up) the successors.
   * Returns how many moves were enabled, or -1 when a limit ended the search.
   */
  private expandActor(index: number, a: number): number {
    const { model, cur, next } = this;
    const choices = model.choices(cur, a);
    if (choices > MAX_CHOICES) throw tooManyChoices(a, choices);
    let moves = 0;
    for (let c = 0; c < choices; c++) {
      if (!model.step(cur, a, c, next)) continue;
      moves++;
      this.transitions++;
      // Before the lookup, as bfs.ts does: the table and the frontiers hold representatives only.
      if (this.symmetric && model.canonicalize!(next, this.scratch)) this.reduced.canonicalized++;
      if (this.lookupOnly) {
        // Nothing is inserted at this level: a state found is of it or an earlier one.
        if (!this.cut || this.ampleMode) {
          if (!this.contains(next)) {
            if (!this.cut) {
              this.cut = true;
              Atomics.store(this.control, CUT, 1);
            }
          } else if (this.ampleMode) {
            this.revisited = true;
          }
        }
        continue;
      }
      const r = this.insert(next, this.ampleMode);
      if (r === INSERTED) {
        if (!this.own(index, packTransition(a, c))) return -1;
      } else if (r === EARLIER) {
        this.revisited = true;
      } else if (r === FULL) {
        Atomics.compareExchange(this.control, STOP, 0, STOP_TABLE);
        return -1;
      }
    }
    return moves;
  }

  /** `next` is new and this worker inserted it: links, frontier, violation. */
  private own(parent: number, transition: number): boolean {
    const { control } = this;
    const index = this.inserted;
    if (index >= this.capacity) {
      Atomics.compareExchange(control, STOP, 0, this.fullCode);
      return false;
    }
    if (index >= this.growAt && Atomics.load(control, PAUSE) === 0) Atomics.store(control, PAUSE, 1);
    this.parents[index] = parent;
    this.links[index] = transition;
    if (!this.append(index, this.next)) return false;
    if (!this.deeper) {
      this.deeper = true;
      Atomics.store(control, MAX_DEPTH, this.depth + 1);
    }
    const v = this.model.violation(this.next);
    if (v !== 0) this.record('state', v, index, this.depth + 1);
    return true;
  }

  /** The state's signature into `signature`, each half moved off 0 (0 marks an empty slot). */
  private sign(state: Int32Array): void {
    const sig = this.signature;
    signatureWords(state, 0, this.words, sig);
    if (sig[0] === 0) sig[0] = 1;
    if (sig[1] === 0) sig[1] = 1;
  }

  /**
   * Inserts the state's signature: INSERTED by this call (which takes the state's index from the
   * counter, `inserted`), PRESENT already, or FULL (no empty slot). With `age` (partial-order
   * reduction), a state present that was stored before the level began is EARLIER.
   */
  private insert(state: Int32Array, age: boolean): number {
    this.sign(state);
    const h1 = this.signature[0];
    const h2 = this.signature[1];
    const { table, mask, slotWords } = this;
    let slot = h1 & mask;
    for (let probes = 0; probes <= mask; probes++, slot = (slot + 1) & mask) {
      const e = slot * slotWords;
      let first = table[e];
      if (first === 0) {
        first = Atomics.compareExchange(table, e, 0, h1);
        if (first === 0) {
          Atomics.store(table, e + 1, h2);
          // Taken here, and written into the slot at once (even past the capacity, where the search
          // stops), so that a reader waiting for it waits only a few instructions.
          const index = Atomics.add(this.control, COUNT, 1);
          if (slotWords === POR_SLOT_WORDS) Atomics.store(table, e + 2, index + 1);
          this.inserted = index;
          return INSERTED;
        }
      }
      if (first === h1) {
        let second = Atomics.load(table, e + 1);
        // Claimed, its second half not yet stored: its owner is between two instructions.
        while (second === 0) second = Atomics.load(table, e + 1);
        if (second !== h2) continue;
        if (!age) return PRESENT;
        let stored = Atomics.load(table, e + 2);
        while (stored === 0) stored = Atomics.load(table, e + 2);
        // Whether it was stored before the level began does not depend on the threads' timing.
        return stored - 1 < this.levelEnd ? EARLIER : PRESENT;
      }
    }
    return FULL;
  }

  /** At maxDepth: whether the state is stored (no inserts happen at that level, so no spin). */
  private contains(state: Int32Array): boolean {
    this.sign(state);
    const h1 = this.signature[0];
    const h2 = this.signature[1];
    const { table, mask, slotWords } = this;
    let slot = h1 & mask;
    for (let probes = 0; probes <= mask; probes++, slot = (slot + 1) & mask) {
      const e = slot * slotWords;
      const first = table[e];
      if (first === 0) return false;
      if (first === h1 && table[e + 1] === h2) return true;
    }
    return false;
  }

  /**
   * Appends the entry of [index, state] to this worker's next frontier (frontier.ts), starting a chunk
   * every CHUNK entries, and growing the buffers; false when it cannot.
   */
  private append(index: number, state: Int32Array): boolean {
    const { writer } = this;
    if (this.outCount % CHUNK === 0) {
      const chunk = this.outCount / CHUNK;
      if (chunk >= this.outStarts.length) {
        const buffer = this.outStartsBuffer;
        if (!this.grown(buffer, (chunk + 1) * CHUNK_START_BYTES, CHUNK_STARTS_MAX_BYTES)) return false;
        this.outStarts = new Uint32Array(buffer, 0, buffer.byteLength / CHUNK_START_BYTES);
      }
      this.outStarts[chunk] = writer.at;
      writer.start();
    }
    if (writer.at + this.maxEntry > writer.out.length) {
      const buffer = this.outBuffer;
      if (!this.grown(buffer, writer.at + this.maxEntry, FRONTIER_MAX_BYTES)) return false;
      writer.out = new Uint8Array(buffer, 0, buffer.byteLength);
    }
    writer.write(index, state);
    this.outCount++;
    return true;
  }

  /**
   * Grows `buffer` to hold `need` bytes, doubling, to `max` at the most; false, and the search
   * stopped, when it cannot.
   */
  private grown(buffer: GrowableBuffer, need: number, max: number): boolean {
    if (need > max) {
      Atomics.compareExchange(this.control, STOP, 0, STOP_FRONTIER);
      return false;
    }
    let bytes = Math.max(buffer.byteLength, 1);
    while (bytes < need) bytes *= 2;
    bytes = Math.min(bytes, max);
    try {
      if (bytes > buffer.byteLength) buffer.grow(bytes);
    } catch {
      // The machine would not give the memory: end the search as the memory guard would have.
      Atomics.compareExchange(this.control, STOP, 0, STOP_MACHINE);
      return false;
    }
    return true;
  }

  /** Starts this worker's frontier of the levels of `parity` afresh (its old states are expanded). */
  private openOut(parity: number): void {
    const buffer = this.buffers[2 * this.id + parity];
    const starts = this.startBuffers[2 * this.id + parity];
    this.outBuffer = buffer;
    this.outStartsBuffer = starts;
    this.writer.out = new Uint8Array(buffer, 0, buffer.byteLength);
    this.writer.at = 0;
    this.outStarts = new Uint32Array(starts, 0, starts.byteLength / CHUNK_START_BYTES);
    this.outCount = 0;
  }

  /** Keeps the shortest violation this worker meets (the first among equally short ones). */
  private record(kind: ViolationKind, code: number, index: number, depth: number): void {
    if (this.finding === null || depth < this.finding.depth) this.finding = { kind, code, index, depth };
    Atomics.store(this.control, FOUND, 1);
  }

  /**
   * The barrier: publishes how many states this worker has appended to its frontier of the levels of
   * `parity`, waits for every worker, and the last to arrive runs the serial step. A worker arrives
   * when the level has no chunk left for it, or when the search stops or pauses for the table to grow.
   * Returns false when the main thread gave up on the search (ABORT).
   */
  private barrier(parity: number, initial: boolean): boolean {
    const { control, n } = this;
    this.stats[this.id * STAT_STRIDE] = this.transitions;
    Atomics.store(control, SIZES + parity * n + this.id, this.outCount);
    const generation = Atomics.load(control, BAR_GEN);
    if (Atomics.add(control, BAR_COUNT, 1) === n - 1) {
      Atomics.store(control, BAR_COUNT, 0);
      this.serial(parity, initial);
      Atomics.add(control, BAR_GEN, 1);
      Atomics.notify(control, BAR_GEN);
      return true;
    }
    for (let k = 0; k < BARRIER_SPINS; k++) if (Atomics.load(control, BAR_GEN) !== generation) return true;
    while (Atomics.load(control, BAR_GEN) === generation) {
      if (Atomics.load(control, ABORT) !== 0) return false;
      Atomics.wait(control, BAR_GEN, generation, WAIT_MS);
    }
    return true;
  }

  /**
   * In the last worker to arrive at a barrier, with every other one waiting: ends the search (a stop,
   * a violation in the level just finished, or nothing new), or grows the table (the level then goes
   * on where it paused), or sets up the next level, whose frontiers are those of `parity`.
   */
  private serial(parity: number, initial: boolean): void {
    const { control, n } = this;
    if (initial) this.stats[n * STAT_STRIDE] = performance.timeOrigin + performance.now();
    if (Atomics.load(control, STOP) !== 0) {
      Atomics.store(control, DONE, 1);
      return;
    }
    if (Atomics.load(control, PAUSE) !== 0) {
      this.grow();
      Atomics.store(control, PAUSE, 0);
      return;
    }
    let total = 0;
    let chunks = 0;
    for (let w = 0; w < n; w++) {
      Atomics.store(control, prefixOf(n) + parity * n + w, chunks);
      const states = Atomics.load(control, SIZES + parity * n + w);
      total += states;
      chunks += Math.ceil(states / CHUNK);
    }
    if (total === 0 || Atomics.load(control, FOUND) !== 0) {
      Atomics.store(control, DONE, 1);
      return;
    }
    Atomics.store(control, DEPTH, initial ? 0 : Atomics.load(control, DEPTH) + 1);
    Atomics.store(control, LEVEL_END, Atomics.load(control, COUNT));
    Atomics.store(control, TOTAL, chunks);
    Atomics.store(control, CURSOR, 0);
  }

  /**
   * Doubles the table into the other table buffer (the one before last), placing each slot by its
   * signature's first half (with its index, under partial-order reduction); ends the search,
   * 'memory', when the budget allows no bigger table.
   */
  private grow(): void {
    const { control, slotWords } = this;
    const slots = this.slots * 2;
    if (slots > this.maxSlots) {
      Atomics.compareExchange(control, STOP, 0, STOP_TABLE);
      Atomics.store(control, DONE, 1);
      return;
    }
    const which = Atomics.load(control, TABLE) ^ 1;
    const buffer = this.tables[which];
    // What the buffer held two doublings ago is stale; what growing adds comes zeroed.
    const stale = buffer.byteLength >>> 2;
    const bytes = slots * slotWords * 4;
    try {
      if (buffer.byteLength < bytes) buffer.grow(bytes);
    } catch {
      Atomics.compareExchange(control, STOP, 0, STOP_MACHINE);
      Atomics.store(control, DONE, 1);
      return;
    }
    const to = new Int32Array(buffer, 0, slotWords * slots);
    to.fill(0, 0, Math.min(stale, to.length));
    const from = this.table;
    const mask = slots - 1;
    // Every worker is at the barrier: each claimed slot has its second half (and index) written.
    for (let e = 0; e < from.length; e += slotWords) {
      const h1 = from[e];
      if (h1 === 0) continue;
      let slot = h1 & mask;
      while (to[slot * slotWords] !== 0) slot = (slot + 1) & mask;
      const at = slot * slotWords;
      for (let k = 0; k < slotWords; k++) to[at + k] = from[e + k];
    }
    Atomics.store(control, TABLE, which);
    Atomics.store(control, SLOTS, slots);
  }
}
