/**
 * LEB128 varints of 32-bit patterns, and zigzag for signed words: the byte format of compress.ts's
 * records and frontier.ts's frontier entries.
 */

/** A LEB128 varint of a 32-bit pattern takes at most five bytes. */
export const MAX_VARINT_BYTES = 5;

/** Writes the 32 bits of `v`, unsigned, as a LEB128 varint at out[p..]; returns its end. */
export function writeVarint(out: Uint8Array, p: number, v: number): number {
  let u = v >>> 0;
  while (u >= 0x80) {
    out[p++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  out[p++] = u;
  return p;
}

/** A signed word as an unsigned pattern with small magnitudes small (0, -1, 1, -2 → 0, 1, 2, 3). */
export const zigzag = (v: number): number => ((v << 1) ^ (v >> 31)) >>> 0;
export const unzigzag = (z: number): number => (z >>> 1) ^ -(z & 1);

/** Reads varints from `bytes` at `at`, moving `at` past each. */
export class VarintCursor {
  bytes: Uint8Array = new Uint8Array(0);
  at = 0;

  /** The varint at `at`, as a 32-bit pattern (negative when its top bit is set). */
  next(): number {
    const { bytes } = this;
    let p = this.at;
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[p++];
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    this.at = p;
    return v;
  }
}
