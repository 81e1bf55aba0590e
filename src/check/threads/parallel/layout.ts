/**
 * What the coordinator (parallel.ts) and the workers (share.ts) of the parallel search share: the
 * task a worker is given, the outcome it posts, and the layout of the shared memory, in particular
 * the control words every thread reads and writes with Atomics. See parallel.ts for the scheme.
 */

import type { Transition } from '../../model.ts';
import type { ReductionCounts } from '../../search/engine.ts';
import type { ViolationKind } from '../../search/findings.ts';
import type { ModelSource } from '../source.ts';

/**
 * A growable SharedArrayBuffer (ES2024, in Node 20), typed here because the project's lib is ES2022.
 * Growing it in one thread grows it for every thread that shares it; it never shrinks.
 */
export interface GrowableBuffer extends SharedArrayBuffer {
  grow(bytes: number): void;
}
export const GrowableBuffer = SharedArrayBuffer as unknown as new (
  bytes: number,
  options: { maxByteLength: number },
) => GrowableBuffer;

/** What parallel.ts sends a worker (worker.ts). Everything shared is a SharedArrayBuffer. */
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
export interface Found {
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
export const STOP = 0;
/** Set by a worker whose insert passed the table's load limit: every worker pauses for a doubling. */
export const PAUSE = 1;
export const COUNT = 16;
export const CURSOR = 32;
export const FOUND = 48;
export const BAR_COUNT = 64;
export const BAR_GEN = 80;
/** Read-mostly words, written by the serial step or rarely. */
export const DEPTH = 96;
export const DONE = 97;
/** The chunks in the level. */
export const TOTAL = 98;
export const MAX_DEPTH = 99;
export const CUT = 100;
export const ABORT = 101;
export const TABLE = 102;
export const SLOTS = 103;
/** The states stored before the level began (those of it and of the levels before): COUNT then. */
export const LEVEL_END = 104;
/**
 * Per level parity p and worker w: SIZES + p n + w states appended, PREFIX + p n + w the number of
 * the first of its chunks in the level (the chunks of worker 0's frontier come first, then 1's, ...).
 */
export const SIZES = 112;
export const controlWords = (n: number): number => SIZES + 4 * n;
export const prefixOf = (n: number): number => SIZES + 2 * n;

/** Why the workers stopped (STOP), first writer wins. */
export const STOP_STOPPED = 1;
export const STOP_SECONDS = 2;
export const STOP_TABLE = 3;
export const STOP_MAX_STATES = 4;
export const STOP_FRONTIER = 5;
export const STOP_MACHINE = 6;

/** Float64 statistics: worker w's transitions at STAT_STRIDE w (a cache line each); then the start time. */
export const STAT_STRIDE = 8;

/**
 * Entries of a frontier claimed at a time: few atomic operations, and a short tail at the barrier.
 * A chunk is also the unit of the frontier's encoding (frontier.ts), which decodes from a chunk's
 * start: its first entry costs about 450 bytes on the SVM model, its others about 90.
 */
export const CHUNK = 64;

/**
 * The table doubles when this full, as visited.ts's does. It may fill a little beyond before every
 * worker has paused (each finishes the state it is expanding), which the quarter left absorbs.
 */
export const LOAD = 3 / 4;
/**
 * Int32 words per slot: the signature's halves, and with partial-order reduction the state's index
 * + 1, which tells the proviso whether a state found was stored before the level began. Only a
 * search with por pays for the third word.
 */
export const SLOT_WORDS = 2;
export const POR_SLOT_WORDS = 3;
export const FRONTIER_MAX_BYTES = 2 ** 32;
export const FRONTIER_INITIAL_BYTES = 1 << 16;
/**
 * A frontier's chunk offsets, Uint32 (an offset is below FRONTIER_MAX_BYTES): an entry takes two
 * bytes at the least, so a full frontier has at most 2^31 entries, 2^25 chunks.
 */
export const CHUNK_START_BYTES = 4;
export const CHUNK_STARTS_MAX_BYTES = (FRONTIER_MAX_BYTES / 2 / CHUNK) * CHUNK_START_BYTES;
export const CHUNK_STARTS_INITIAL_BYTES = 1 << 10;
export const NO_PARENT = -1;
