/**
 * Storage for state vectors addressed by a dense index, each kept as a compressed record (compress.ts).
 *
 * Records are variable-length, so they are kept in pages of PAGE_STATES consecutive states: state i's
 * record is in page i >> PAGE_SHIFT at the offset `offsets[i]`. A page grows by doubling while its
 * states arrive and is cut to size when full; stored records never move once their page is full, and a
 * BFS frontier can free the pages of levels it has finished with. The component tables behind the
 * records are kept for the arena's life: they are small, and any later state may use them.
 *
 * The visited table drives the arena in two steps so that a duplicate costs no copy: `encode` a
 * candidate, compare it with stored records by `matches`, and `commit` it only when it is new.
 */

import { type CodecOptions, StateCodec } from './compress.ts';
import { IntVector } from './vector.ts';

const PAGE_SHIFT = 12;
const PAGE_STATES = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_STATES - 1;
/** Size of the first page; later ones start at their predecessor's size and a bit, doubling if needed. */
const PAGE_START_BYTES = 1 << 12;

export type ArenaOptions = CodecOptions;

export class StateArena {
  readonly stateWords: number;
  private readonly codec: StateCodec;
  private readonly pages: (Uint8Array | null)[] = [];
  private readonly offsets = new IntVector();
  /** Bytes used in the last page. */
  private used = 0;
  private count = 0;
  private pageBytes = 0;
  private nextPageBytes = PAGE_START_BYTES;
  private firstLive = 0;
  /** The state whose component numbers the codec holds as its hint, or -1. */
  private hintIndex = -1;

  constructor(stateWords: number, options: ArenaOptions = {}) {
    if (!Number.isInteger(stateWords) || stateWords < 1) {
      throw new Error(`a state must have at least one word, not ${stateWords}`);
    }
    this.stateWords = stateWords;
    this.codec = new StateCodec(stateWords, options);
  }

  get length(): number {
    return this.count;
  }

  /** The hash of the state last given to `encode` (see compress.ts: it is not a hash of the words). */
  get hash(): number {
    return this.codec.hash;
  }

  /**
   * Encodes `state` for `matches` and `commit`, taking stored state `near` (its parent, say; -1 for
   * none) as the hint; `nearState`, when given, must be that state's words. Without `intern` it returns false for a state that cannot be stored here.
   */
  encode(state: Int32Array, near: number, intern: boolean, nearState: Int32Array | null = null): boolean {
    if (near !== this.hintIndex && near < this.count && near >= this.firstLive << PAGE_SHIFT) {
      this.codec.hint(this.pages[near >>> PAGE_SHIFT]!, this.offsets.get(near));
      this.hintIndex = near;
    }
    return this.codec.encode(state, intern, near === this.hintIndex && near >= 0 ? nearState : null);
  }

  /** Whether stored state i is the one last encoded. */
  matches(i: number): boolean {
    return this.codec.matches(this.pages[i >>> PAGE_SHIFT]!, this.offsets.get(i));
  }

  /** Stores the state last encoded (with `intern`) under the next index, which it returns. */
  commit(): number {
    const i = this.count;
    const { record, recordLength } = this.codec;
    if ((i & PAGE_MASK) === 0) {
      this.pages.push(new Uint8Array(Math.max(this.nextPageBytes, recordLength)));
      this.pageBytes += this.pages.at(-1)!.byteLength;
      this.used = 0;
    }
    const p = i >>> PAGE_SHIFT;
    let page = this.pages[p]!;
    if (this.used + recordLength > page.length) {
      const grown = new Uint8Array(Math.max(page.length * 2, this.used + recordLength));
      grown.set(page);
      this.pageBytes += grown.byteLength - page.byteLength;
      this.pages[p] = page = grown;
    }
    const base = this.used;
    for (let k = 0; k < recordLength; k++) page[base + k] = record[k];
    this.offsets.push(base);
    this.used = base + recordLength;
    this.count = i + 1;
    if ((i & PAGE_MASK) === PAGE_MASK) {
      this.nextPageBytes = this.used + (this.used >>> 4);
      if (this.used < page.length) {
        this.pageBytes -= page.byteLength - this.used;
        this.pages[p] = page.slice(0, this.used);
      }
    }
    return i;
  }

  /** Stores a copy of `state` under the next index, which it returns. */
  append(state: Int32Array): number {
    this.codec.encode(state, true);
    return this.commit();
  }

  /**
   * Copies state i into `out`. It becomes the hint for the next encode: a search reads a state back
   * to expand it, and its successors share most of its blocks.
   */
  copy(i: number, out: Int32Array): void {
    this.codec.decode(this.pages[i >>> PAGE_SHIFT]!, this.offsets.get(i), out);
    this.hintIndex = i;
  }

  /**
   * As copy, into an `out` the caller has not written since the last copyOver into it: only the
   * blocks that differ are copied (StateCodec.decodeOver).
   */
  copyOver(i: number, out: Int32Array): void {
    this.codec.decodeOver(this.pages[i >>> PAGE_SHIFT]!, this.offsets.get(i), out);
    this.hintIndex = i;
  }

  equals(i: number, state: Int32Array): boolean {
    return this.codec.encode(state, false) && this.matches(i);
  }

  /** Frees the pages holding only states below index `i`; they must not be read again. */
  release(i: number): void {
    const end = Math.min(i >>> PAGE_SHIFT, this.pages.length);
    for (let p = this.firstLive; p < end; p++) {
      this.pageBytes -= this.pages[p]!.byteLength;
      this.pages[p] = null;
    }
    this.firstLive = Math.max(this.firstLive, end);
    this.offsets.release(this.firstLive << PAGE_SHIFT);
  }

  /** Bytes held: records, their offsets, and the component tables. */
  get bytes(): number {
    return this.pageBytes + this.offsets.bytes + this.codec.bytes;
  }
}
