/**
 * Lossless compression of state vectors into short byte records, after SPIN's COLLAPSE (Holzmann,
 * "State compression in SPIN", 1997).
 *
 * A large state is cut into blocks of BLOCK_WORDS words. Each block position has its own table of the
 * distinct contents seen there (components), numbered 0, 1, 2, ... in order of arrival; a state is
 * stored as the sequence of its components' numbers, each as a LEB128 varint. States of a real system
 * share nearly all their blocks with many others (measured on svmsim's two-procs-one-device: 300 000
 * states of 666 words hold only 7 336 distinct 32-word blocks, so a state costs about 25 bytes of
 * record and 4 of components), so a record is two orders of magnitude smaller than the vector.
 * A byte-oriented encoding of the words themselves (zero runs and varints) was measured too: it
 * needs about 380 bytes for the same states, because a state holds some 190 non-zero words; and a
 * two-level tree of components (blocks of 8 or 16 words, then tuples of their numbers) about 60.
 *
 * A small state (fewer than MIN_BLOCKS blocks) is not worth tables: each word is written as a zigzag
 * varint instead, which still takes a vector of small numbers to about a byte a word.
 *
 * Both encodings are canonical: a component, once numbered, keeps its number, so equal states give
 * byte-equal records and different states different ones. The visited table therefore compares
 * records, never vectors, and hashes the sequence of component numbers (word mode: the words).
 *
 * Encoding reads a hint, the numbers of another state's blocks (usually the parent of the state being
 * encoded, which differs from it in a few blocks): a block equal to the hint's component of the same
 * position is known without hashing or probing. A wrong hint costs time, never correctness.
 */

import { murmur3Words } from './hash.ts';
import { MAX_VARINT_BYTES, unzigzag, VarintCursor, writeVarint, zigzag } from './varint.ts';

/**
 * 32 words. Bytes a state in the whole visited set for blocks of 16, 24, 32, 48 and 64 words, on
 * two-procs-one-device (666 words, 300 000 states): 73, 60, 56, 53, 78; on seed-accel-dma (426 words,
 * 2 819 states, where larger blocks' tables are not yet paid for): 101, 85, 99, 121, 189.
 */
export const BLOCK_WORDS = 32;
/** Below this many blocks, word mode: tables would store nearly every state twice. */
const MIN_BLOCKS = 4;

export interface CodecOptions {
  /** Words per block; word mode when the state has fewer than MIN_BLOCKS blocks. */
  blockWords?: number;
}

export class StateCodec {
  readonly stateWords: number;
  /** Block positions; 0 in word mode. */
  readonly blocks: number;
  /** The last record `encode` made, its first `recordLength` bytes. */
  readonly record: Uint8Array;
  recordLength = 0;
  /** The hash of the last encoded state: of its component numbers, or in word mode of its words. */
  hash = 0;
  private readonly tables: ComponentTable[];
  private readonly ids: Int32Array;
  /** The component numbers of the hint state, valid when `hinted`. */
  private readonly hintIds: Int32Array;
  private hinted = false;
  /** The array the last decodeOver wrote, and the component numbers it holds (see decodeOver). */
  private heldOut: Int32Array | null = null;
  private readonly heldIds: Int32Array;

  constructor(stateWords: number, options: CodecOptions = {}) {
    const blockWords = options.blockWords ?? BLOCK_WORDS;
    const blocks = Math.ceil(stateWords / blockWords);
    this.stateWords = stateWords;
    this.blocks = blocks >= MIN_BLOCKS ? blocks : 0;
    this.tables = Array.from(
      { length: this.blocks },
      (_, j) => new ComponentTable(Math.min(blockWords, stateWords - j * blockWords)),
    );
    this.ids = new Int32Array(this.blocks);
    this.hintIds = new Int32Array(this.blocks);
    this.heldIds = new Int32Array(this.blocks);
    this.record = new Uint8Array(MAX_VARINT_BYTES * (this.blocks || stateWords));
  }

  /** The longest record a state can take. */
  get maxRecordBytes(): number {
    return this.record.length;
  }

  /** Bytes held by the component tables. */
  get bytes(): number {
    let total = 0;
    for (const t of this.tables) total += t.bytes;
    return total;
  }

  /** Distinct components stored, over all block positions. */
  get components(): number {
    let total = 0;
    for (const t of this.tables) total += t.size;
    return total;
  }

  /**
   * Encodes `state` into `record` and `hash`. With `intern`, new components are numbered and kept;
   * without, a state with a component never seen is certainly not stored, and encode returns false
   * at once, leaving `record` and `hash` unspecified.
   */
  encode(state: Int32Array, intern: boolean, hintState: Int32Array | null = null): boolean {
    if (this.blocks === 0) {
      this.recordLength = writeWords(state, this.record);
      this.hash = murmur3Words(state, 0, this.stateWords);
      return true;
    }
    const { tables, ids, hintIds, record } = this;
    const hinted = this.hinted;
    // With the hint's own words at hand (the parent the search is expanding), a block is compared
    // with them: one tight loop over two arrays already in cache, instead of a look into the block
    // position's component chunks (on the bench's P2 D1 F1, 666 words: best of five 4.5 s against
    // 6.8 s, on a busy machine).
    const near = hinted ? hintState : null;
    let n = 0;
    for (let j = 0, start = 0; j < this.blocks; j++) {
      const table = tables[j];
      const end = start + table.width;
      let id = -1;
      if (near !== null) {
        let k = start;
        while (k < end && state[k] === near[k]) k++;
        if (k === end) id = hintIds[j];
      } else if (hinted && table.matches(hintIds[j], state, start)) {
        id = hintIds[j];
      }
      if (id < 0) {
        const h = murmur3Words(state, start, start + table.width);
        id = table.find(state, start, h);
        if (id < 0) {
          if (!intern) return false;
          id = table.add(state, start, h);
        }
      }
      ids[j] = id;
      n = writeVarint(record, n, id);
      start += table.width;
    }
    this.recordLength = n;
    this.hash = murmur3Words(ids, 0, this.blocks);
    return true;
  }

  /**
   * Decodes the record at `bytes[offset..]` into `out`. In block mode it also becomes the hint for
   * the next `encode`: a search expands the state it has just read back.
   */
  decode(bytes: Uint8Array, offset: number, out: Int32Array): void {
    if (out === this.heldOut) this.heldOut = null;
    if (this.blocks === 0) {
      readWords(bytes, offset, out);
      return;
    }
    this.hint(bytes, offset);
    const { tables, hintIds } = this;
    for (let j = 0, start = 0; j < this.blocks; j++) {
      tables[j].copyOut(hintIds[j], out, start);
      start += tables[j].width;
    }
  }

  /**
   * As decode, into an `out` that still holds what the previous decodeOver into it wrote (the caller
   * has not written to it since): only the blocks whose component differs are copied. A breadth-first
   * search reads its states back one after the other, and consecutive states of a level are mostly
   * siblings that share most blocks. Any other array is decoded whole, and becomes the held one.
   */
  decodeOver(bytes: Uint8Array, offset: number, out: Int32Array): void {
    if (this.blocks === 0) {
      readWords(bytes, offset, out);
      return;
    }
    const held = out === this.heldOut ? this.heldIds : null;
    this.hint(bytes, offset);
    const { tables, hintIds } = this;
    for (let j = 0, start = 0; j < this.blocks; j++) {
      const id = hintIds[j];
      if (held === null || held[j] !== id) tables[j].copyOut(id, out, start);
      start += tables[j].width;
    }
    this.heldIds.set(hintIds);
    this.heldOut = out;
  }

  /** Makes the record at `bytes[offset..]` the hint for the next `encode`, without decoding it. */
  hint(bytes: Uint8Array, offset: number): void {
    if (this.blocks === 0) return;
    readVarints(bytes, offset, this.hintIds, this.blocks);
    this.hinted = true;
  }

  /** Whether the last encoded record equals the one stored at `bytes[offset..]`. */
  matches(bytes: Uint8Array, offset: number): boolean {
    // Records are sequences of the same number of varints, and a varint ends at its first byte
    // below 0x80: a stored record whose first recordLength bytes equal ours is ours, whatever follows.
    const { record, recordLength } = this;
    for (let k = 0; k < recordLength; k++) {
      if (bytes[offset + k] !== record[k]) return false;
    }
    return true;
  }
}

/** Zigzag varints of every word (word mode). Returns the record's length. */
function writeWords(state: Int32Array, out: Uint8Array): number {
  let n = 0;
  for (let k = 0; k < state.length; k++) n = writeVarint(out, n, zigzag(state[k]));
  return n;
}

function readWords(bytes: Uint8Array, offset: number, out: Int32Array): void {
  cursor.bytes = bytes;
  cursor.at = offset;
  for (let k = 0; k < out.length; k++) out[k] = unzigzag(cursor.next());
}

const cursor = new VarintCursor();

/** Reads `count` LEB128 varints from bytes[offset..] into out[0..count) (as 32-bit patterns). */
function readVarints(bytes: Uint8Array, offset: number, out: Int32Array, count: number): void {
  cursor.bytes = bytes;
  cursor.at = offset;
  for (let k = 0; k < count; k++) out[k] = cursor.next();
}

/** About 16 KiB of component words per chunk: most positions hold a few hundred components. */
const CHUNK_WORDS_TARGET = 1 << 12;
const TABLE_START_SLOTS = 1 << 4;
/** Components in the first chunk at first. */
const FIRST_CHUNK = 8;

/**
 * The distinct contents of one block position: an open-addressing table of [hash, id + 1] slots over
 * the components' words, which live in chunks that never move. Grows at 3/4, as visited.ts does.
 */
class ComponentTable {
  readonly width: number;
  size = 0;
  private slots = new Int32Array(TABLE_START_SLOTS * 2);
  private mask = TABLE_START_SLOTS - 1;
  private readonly shift: number;
  private readonly chunks: Int32Array[] = [];

  constructor(width: number) {
    this.width = width;
    this.shift = Math.max(0, Math.floor(Math.log2(CHUNK_WORDS_TARGET / width)));
  }

  get bytes(): number {
    let words = 0;
    for (const chunk of this.chunks) words += chunk.length;
    return this.slots.byteLength + words * 4;
  }

  /** Whether component `id` holds `state[start..start+width)`. */
  matches(id: number, state: Int32Array, start: number): boolean {
    const w = this.width;
    const chunk = this.chunks[id >>> this.shift];
    const base = (id & ((1 << this.shift) - 1)) * w;
    for (let k = 0; k < w; k++) {
      if (chunk[base + k] !== state[start + k]) return false;
    }
    return true;
  }

  find(state: Int32Array, start: number, h: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const stored = slots[(slot << 1) + 1];
      if (stored === 0) return -1;
      if (slots[slot << 1] === h && this.matches(stored - 1, state, start)) return stored - 1;
    }
  }

  /** Numbers a component known to be absent. */
  add(state: Int32Array, start: number, h: number): number {
    const id = this.size;
    const w = this.width;
    const slotInChunk = id & ((1 << this.shift) - 1);
    if (slotInChunk === 0) {
      this.chunks.push(
        new Int32Array(w * (id === 0 ? Math.min(FIRST_CHUNK, 1 << this.shift) : 1 << this.shift)),
      );
    } else if (id < 1 << this.shift && id * w === this.chunks[0].length) {
      // The first chunk starts small and doubles, so that a small search keeps small tables.
      const grown = new Int32Array(id * w * 2);
      grown.set(this.chunks[0]);
      this.chunks[0] = grown;
    }
    const chunk = this.chunks[id >>> this.shift];
    const base = slotInChunk * w;
    for (let k = 0; k < w; k++) chunk[base + k] = state[start + k];
    this.place(this.slots, this.mask, h, id + 1);
    this.size = id + 1;
    if (this.size * 4 > (this.mask + 1) * 3) this.grow();
    return id;
  }

  copyOut(id: number, out: Int32Array, start: number): void {
    const w = this.width;
    const chunk = this.chunks[id >>> this.shift];
    const base = (id & ((1 << this.shift) - 1)) * w;
    for (let k = 0; k < w; k++) out[start + k] = chunk[base + k];
  }

  private place(slots: Int32Array, mask: number, h: number, stored: number): void {
    let slot = h & mask;
    while (slots[(slot << 1) + 1] !== 0) slot = (slot + 1) & mask;
    slots[slot << 1] = h;
    slots[(slot << 1) + 1] = stored;
  }

  private grow(): void {
    const old = this.slots;
    const mask = (this.mask << 1) | 1;
    const slots = new Int32Array((mask + 1) * 2);
    for (let e = 0; e < old.length; e += 2) {
      if (old[e + 1] !== 0) this.place(slots, mask, old[e], old[e + 1]);
    }
    this.slots = slots;
    this.mask = mask;
  }
}
