/**
 * The byte encoding of the parallel search's frontiers (parallel.ts): a level's states, each with its
 * index, in a buffer that any worker may read, since every worker expands chunks of every worker's
 * frontier. So nothing here depends on tables a worker keeps (as compress.ts's StateCodec does).
 *
 * A frontier is cut into chunks of a fixed number of entries, and an entry is a delta against the
 * entry before it in its chunk; the first entry of a chunk is a delta against the all-zero vector, so
 * a chunk decodes on its own, from its first byte. An entry is
 *
 *   varint(index - previous index), then runs: varint(s) words equal to the previous state's, and
 *   unless that reaches the end, varint(l - 1) and l words that differ, each a zigzag varint of its
 *   value; and so on to the state's last word.
 *
 * (A run of differing words ends the entry when it reaches the last word. The previous index and
 * state of a chunk's first entry are 0 and zeros. Varints are LEB128 of the 32-bit pattern, so an
 * index delta that wrapped decodes back by wrapping too.)
 *
 * Consecutive entries in a worker's frontier are mostly successors of one state, or of states that
 * were next to each other in the level before, and differ in a few words. Measured on levels of the
 * SVM model in one worker's append order (P3 D1 F1 MMAP=7 e57e58bd with symmetry, its first 385 432
 * states, 639 words; P2 D1 F1 MMAP=3, 459 words) and dining N=10 ordered (20 words), in bytes per
 * entry, with the index, in chunks of 64:
 *
 *   raw [index, words] Int32                          2 560   1 840   84
 *   zero runs and zigzag varints, self-contained        453     303   23.7
 *   delta against the initial state                     398     268   23.7
 *   delta against the previous entry (this encoding)     98      99   11.0
 *   ... its differing words as differences, not values  103     103   11.0
 *   ... a chunk's first entry against the initial state  97      98   11.0
 *
 * The SVM states hold about 190 non-zero words, which the self-contained encodings pay for every
 * time; a delta against the previous entry pays for them once a chunk (about 450 bytes, 7 a state).
 * Starting chunks from the initial state instead of zeros saves 1 %, for a vector every worker would
 * have to agree on. Decoding patches the previous state in place, so it touches only the words that
 * changed: 0.45 us a P3 state against 1.3 us to copy the raw vector out, and encoding 2.0 us against
 * 2.2 us to copy it in (the same run, from a 1 GB set of states not in cache; hot, in a 459-word
 * state, encoding measured 0.6 us more than the copy). Those figures are for a reader with its varint
 * loop written out four times; reading through one varint method measured 0.14 us an entry instead
 * of 0.10-0.12 on synthetic 639-word entries, a rounding error beside a state's expansion.
 */

import { MAX_VARINT_BYTES, unzigzag, VarintCursor, writeVarint, zigzag } from './varint.ts';

/**
 * The most bytes an entry of a `words`-word state takes: the index delta, five bytes a word, and a
 * varint for each run of equal and of differing words (at most words + 1 runs).
 */
export const maxEntryBytes = (words: number): number => MAX_VARINT_BYTES * (1 + words + words + 1);

/**
 * Writes frontier entries into a byte buffer, from `at` on. Its owner starts each chunk (start) and
 * provides a buffer with room for maxEntryBytes at `at` before each write.
 */
export class FrontierWriter {
  out: Uint8Array = new Uint8Array(0);
  /** Where the next entry goes. */
  at = 0;
  private index = 0;
  /** The chunk's previous state. */
  private readonly last: Int32Array;

  constructor(words: number) {
    this.last = new Int32Array(words);
  }

  /** Starts a chunk at `at`: the next entry is written against index 0 and the all-zero state. */
  start(): void {
    this.index = 0;
    this.last.fill(0);
  }

  /** Appends the entry of `state` and its `index`. */
  write(index: number, state: Int32Array): void {
    const { out, last } = this;
    const words = last.length;
    let p = writeVarint(out, this.at, (index - this.index) >>> 0);
    this.index = index;
    let k = 0;
    for (;;) {
      let from = k;
      while (k < words && state[k] === last[k]) k++;
      p = writeVarint(out, p, k - from);
      if (k === words) break;
      from = k;
      while (k < words && state[k] !== last[k]) k++;
      p = writeVarint(out, p, k - from - 1);
      for (let j = from; j < k; j++) {
        const v = state[j];
        last[j] = v;
        p = writeVarint(out, p, zigzag(v));
      }
      if (k === words) break;
    }
    this.at = p;
  }
}

/** Reads frontier entries back, chunk by chunk, from any worker's buffer. */
export class FrontierReader extends VarintCursor {
  /** The index of the entry read last. */
  index = 0;

  /**
   * Starts reading the chunk at `at` of `bytes`, into `state`, which is zeroed: the first entry is
   * a delta against zeros.
   */
  start(bytes: Uint8Array, at: number, state: Int32Array): void {
    this.bytes = bytes;
    this.at = at;
    this.index = 0;
    state.fill(0);
  }

  /**
   * Reads the next entry of the chunk into `index` and `state`, which must still hold the entry read
   * before it (or the zeros start left): only the words that changed are written.
   */
  read(state: Int32Array): void {
    const words = state.length;
    this.index = (this.index + this.next()) | 0;
    let k = 0;
    for (;;) {
      k += this.next() >>> 0;
      if (k >= words) break;
      const end = k + (this.next() >>> 0) + 1;
      for (; k < end; k++) {
        state[k] = unzigzag(this.next());
      }
      if (k >= words) break;
    }
  }
}
