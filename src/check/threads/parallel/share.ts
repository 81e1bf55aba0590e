/**
 * One worker's share of the parallel search (parallel.ts has the scheme): at each level it claims
 * chunks of the level's states, expands them, inserts their successors into the shared table and its
 * own frontier of the next level, then meets the others at the barrier, where the last to arrive
 * runs the serial step.
 */

import {
  MAX_CHOICES,
  type Model,
  packTransition,
  type Transition,
  transitionActor,
  transitionChoice,
} from '../../model.ts';
import { AmpleSets, declaresFootprints } from '../../reduce/por.ts';
import { concretize } from '../../reduce/symmetry.ts';
import { type ReductionCounts, tooManyChoices } from '../../search/engine.ts';
import type { ViolationKind } from '../../search/findings.ts';
import { FrontierReader, FrontierWriter, maxEntryBytes } from '../../store/frontier.ts';
import { signatureWords } from '../../store/hash.ts';
import {
  ABORT,
  BAR_COUNT,
  BAR_GEN,
  CHUNK,
  CHUNK_START_BYTES,
  CHUNK_STARTS_MAX_BYTES,
  COUNT,
  CURSOR,
  CUT,
  DEPTH,
  DONE,
  FOUND,
  type Found,
  FRONTIER_MAX_BYTES,
  type GrowableBuffer,
  LEVEL_END,
  LOAD,
  MAX_DEPTH,
  NO_PARENT,
  PAUSE,
  type ParallelOutcome,
  type ParallelTask,
  POR_SLOT_WORDS,
  prefixOf,
  SIZES,
  SLOTS,
  STAT_STRIDE,
  STOP,
  STOP_FRONTIER,
  STOP_MACHINE,
  STOP_TABLE,
  TABLE,
  TOTAL,
} from './layout.ts';

/** What an insert found. */
const PRESENT = 0;
const INSERTED = 1;
const FULL = 2;
/** Present, and stored before the level began (only told apart from PRESENT when asked). */
const EARLIER = 3;

/** Spins on the barrier's generation word before sleeping on it (a level's tail is often short). */
const BARRIER_SPINS = 2000;
/** A worker asleep at a barrier wakes this often to see whether the main thread has given up. */
const WAIT_MS = 100;

/**
 * One worker's share of the search, run synchronously in its thread (worker.ts) from the
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
