/**
 * The set of states already reached, giving each a dense index 0..n-1 in order of arrival.
 *
 * Our own structure on typed arrays because Node's Set and Map stop at 2^24 entries, and because the
 * explorer needs more than membership: for every index, the parent index and the transition that
 * first reached it, so that a counterexample can be rebuilt by walking parents back to the initial
 * state and replaying the transitions forward.
 *
 * The table is open addressing with linear probing over power-of-two slots. Each slot carries the
 * state's hash next to its index: a probe rejects most non-matching slots without touching the state,
 * and doubling the table re-places entries from their stored hash, never rehashing a state.
 *
 * Two modes:
 * - exact (default): states are kept in a StateArena as compressed records (compress.ts: about 30
 *   bytes of record and components for a 666-word svmsim state of 2 664 bytes) and compared record
 *   by record, which is exact because the encoding is canonical; a slot's hash is the arena's;
 * - hash compaction: only a 64-bit signature per state (murmur3 and xxhMix halves) is kept, as in
 *   SPIN's -DHC. Two different states with equal signatures are taken as one, and everything reachable
 *   only through the second is silently omitted; `omissionProbability` bounds the chance of that.
 */

import { type ArenaOptions, StateArena } from './arena.ts';
import { signatureWords } from './hash.ts';
import { IntVector } from './vector.ts';

export interface VisitedOptions extends ArenaOptions {
  /** Store a 64-bit signature per state instead of the state. */
  hashCompaction?: boolean;
  /** Slots to start with (rounded up to a power of two). */
  initialSlots?: number;
}

/** Doubling at 3/4 keeps linear-probe chains short (about 2.5 probes per hit at worst). */
const MAX_LOAD_NUM = 3;
const MAX_LOAD_DEN = 4;
/** 2^30 slots: with three words per slot this is already a 12 GiB table. */
const MAX_SLOTS = 1 << 30;
const DEFAULT_SLOTS = 1 << 12;
/** Marks "no transition": the initial state has no parent. */
export const NO_PARENT = -1;

export class VisitedSet {
  readonly stateWords: number;
  readonly compacted: boolean;
  /** The stored states (exact mode only). */
  readonly arena: StateArena | null;
  private readonly parents = new IntVector();
  private readonly transitions = new IntVector();
  /** Exact: [hash, index + 1] per slot. Compacted: [murmur3, xxhMix, index + 1]. Index 0 = empty. */
  private table: Int32Array;
  private readonly entryWords: number;
  private mask: number;
  private growAt: number;
  private count = 0;
  /** The 64-bit signature of the state being looked up (compacted mode). */
  private readonly signature = new Int32Array(2);

  constructor(stateWords: number, options: VisitedOptions = {}) {
    if (!Number.isInteger(stateWords) || stateWords < 1) {
      throw new Error(`a state must have at least one word, not ${stateWords}`);
    }
    this.stateWords = stateWords;
    this.compacted = options.hashCompaction === true;
    this.arena = this.compacted ? null : new StateArena(stateWords, { blockWords: options.blockWords });
    this.entryWords = this.compacted ? 3 : 2;
    let slots = DEFAULT_SLOTS;
    while (slots < (options.initialSlots ?? 0) && slots < MAX_SLOTS) slots *= 2;
    this.table = new Int32Array(slots * this.entryWords);
    this.mask = slots - 1;
    this.growAt = (slots * MAX_LOAD_NUM) / MAX_LOAD_DEN;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Adds `state` unless present. Returns its new index, or `~index` (negative) of the state already
   * stored, so that the caller learns both facts without a second probe or an allocation.
   * `parentState`, the parent's words when the caller has them, speeds up the encoding.
   */
  add(state: Int32Array, parent: number, transition: number, parentState: Int32Array | null = null): number {
    return this.compacted
      ? this.addSignature(state, parent, transition)
      : this.addState(state, parent, transition, parentState);
  }

  /** The index of `state`, or -1. */
  find(state: Int32Array): number {
    return this.compacted ? this.findSignature(state) : this.findState(state);
  }

  parentOf(index: number): number {
    return this.parents.get(index);
  }

  transitionOf(index: number): number {
    return this.transitions.get(index);
  }

  /** Records a better way to reach `index` (BFS prefers fewer actor switches at equal depth). */
  reparent(index: number, parent: number, transition: number): void {
    this.parents.set(index, parent);
    this.transitions.set(index, transition);
  }

  /** Copies stored state `index` into `out`; exact mode only. */
  copyState(index: number, out: Int32Array): void {
    if (this.arena === null) throw new Error('a hash-compacted visited set does not keep states');
    this.arena.copy(index, out);
  }

  /** Bytes the table's next doubling allocates (the old table is freed only after it). */
  get growthBytes(): number {
    return this.table.byteLength * 2;
  }

  /** States that can still be added before the table doubles. */
  get statesBeforeGrowth(): number {
    return Math.max(0, this.growAt - this.count);
  }

  get bytes(): number {
    return this.table.byteLength + (this.arena?.bytes ?? 0) + this.parents.bytes + this.transitions.bytes;
  }

  /**
   * Exact mode: 0. Compacted: an upper bound on the probability that any state was omitted, by the
   * birthday bound over the n(n-1)/2 pairs of stored states, each pair sharing a 64-bit signature with
   * probability 2^-64: p <= n(n-1)/2^65, i.e. n^2/2^(b+1) for b = 64. All 64 bits are compared (the slot
   * is chosen from them, not instead of them), so no table-size term enters as in Holzmann's bitstate
   * formula. The bound assumes signatures behave as independent uniform values.
   */
  omissionProbability(): number {
    if (!this.compacted) return 0;
    const n = this.count;
    return Math.min(1, (n * (n - 1)) / 2 ** 65);
  }

  private addState(
    state: Int32Array,
    parent: number,
    transition: number,
    parentState: Int32Array | null,
  ): number {
    const arena = this.arena!;
    arena.encode(state, parent, true, parentState);
    const e = this.stateSlot(arena.hash) << 1;
    const stored = this.table[e + 1];
    if (stored !== 0) return ~(stored - 1);
    const index = arena.commit();
    this.table[e] = arena.hash;
    this.table[e + 1] = index + 1;
    return this.stored(index, parent, transition);
  }

  private findState(state: Int32Array): number {
    // A state with a block never stored before is not here.
    if (!this.arena!.encode(state, -1, false)) return -1;
    return this.table[(this.stateSlot(this.arena!.hash) << 1) + 1] - 1;
  }

  /** Exact mode: the slot of the state the arena encoded last (hash h), or the empty slot for it. */
  private stateSlot(h: number): number {
    const arena = this.arena!;
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const e = slot << 1;
      const stored = table[e + 1];
      if (stored === 0 || (table[e] === h && arena.matches(stored - 1))) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private addSignature(state: Int32Array, parent: number, transition: number): number {
    const e = this.signatureSlot(state) * 3;
    const table = this.table;
    const stored = table[e + 2];
    if (stored !== 0) return ~(stored - 1);
    const index = this.count;
    table[e] = this.signature[0];
    table[e + 1] = this.signature[1];
    table[e + 2] = index + 1;
    return this.stored(index, parent, transition);
  }

  private findSignature(state: Int32Array): number {
    return this.table[this.signatureSlot(state) * 3 + 2] - 1;
  }

  /** Compacted mode: the slot of the state's signature (left in `signature`), or the empty slot for it. */
  private signatureSlot(state: Int32Array): number {
    const sig = this.signature;
    signatureWords(state, 0, this.stateWords, sig);
    const h1 = sig[0];
    const h2 = sig[1];
    const table = this.table;
    const mask = this.mask;
    let slot = h1 & mask;
    for (;;) {
      const e = slot * 3;
      if (table[e + 2] === 0 || (table[e] === h1 && table[e + 1] === h2)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private stored(index: number, parent: number, transition: number): number {
    this.parents.push(parent);
    this.transitions.push(transition);
    this.count = index + 1;
    if (this.count > this.growAt) this.grow();
    return index;
  }

  /** Doubles the table, placing each entry by the hash stored with it. */
  private grow(): void {
    const oldTable = this.table;
    const ew = this.entryWords;
    const slots = (this.mask + 1) * 2;
    if (slots > MAX_SLOTS) {
      throw new Error(
        `the visited table is full at ${this.count} states (${MAX_SLOTS} slots); ` +
          'bound the search with maxStates or shrink the model',
      );
    }
    let table: Int32Array;
    try {
      table = new Int32Array(slots * ew);
    } catch (err) {
      throw new Error(
        `cannot grow the visited table to ${slots} slots (${(slots * ew * 4) / 2 ** 20} MiB) at ` +
          `${this.count} states: ${(err as Error).message}; try hashCompaction or a maxStates bound`,
      );
    }
    const mask = slots - 1;
    const idxWord = ew - 1;
    for (let e = 0; e < oldTable.length; e += ew) {
      if (oldTable[e + idxWord] === 0) continue;
      let slot = oldTable[e] & mask;
      while (table[slot * ew + idxWord] !== 0) slot = (slot + 1) & mask;
      const d = slot * ew;
      for (let k = 0; k < ew; k++) table[d + k] = oldTable[e + k];
    }
    this.table = table;
    this.mask = mask;
    this.growAt = (slots * MAX_LOAD_NUM) / MAX_LOAD_DEN;
  }
}
