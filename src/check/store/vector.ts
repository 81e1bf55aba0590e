/**
 * A growable array of int32 kept in fixed-size chunks.
 *
 * Chunks, not one doubling array: growth never copies what is already stored, so a table of a
 * hundred million parents does not briefly need three times its size, and a prefix that is no
 * longer needed (a BFS level already expanded) can be handed back with `release`. Only the first
 * chunk starts small and doubles up to full size, so that a vector of a few thousand entries (a
 * small model's parents) does not take a whole chunk.
 */

const CHUNK_SHIFT = 16;
const CHUNK_SIZE = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_SIZE - 1;
const FIRST_SIZE = 1 << 10;

export class IntVector {
  private readonly chunks: (Int32Array | null)[] = [];
  private count = 0;
  private liveBytes = 0;
  private firstLive = 0;

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    const i = this.count;
    if ((i & CHUNK_MASK) === 0) {
      this.chunks.push(new Int32Array(i === 0 ? FIRST_SIZE : CHUNK_SIZE));
      this.liveBytes += this.chunks.at(-1)!.byteLength;
    } else if (i < CHUNK_SIZE && i === this.chunks[0]!.length) {
      const grown = new Int32Array(i * 2);
      grown.set(this.chunks[0]!);
      this.liveBytes += i * 4;
      this.chunks[0] = grown;
    }
    this.chunks[i >>> CHUNK_SHIFT]![i & CHUNK_MASK] = value;
    this.count = i + 1;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_SHIFT]![i & CHUNK_MASK];
  }

  set(i: number, value: number): void {
    this.chunks[i >>> CHUNK_SHIFT]![i & CHUNK_MASK] = value;
  }

  /** Frees the chunks that hold only entries below `index`; reading them afterwards is a bug. */
  release(index: number): void {
    const end = Math.min(index >>> CHUNK_SHIFT, this.chunks.length);
    for (let c = this.firstLive; c < end; c++) {
      this.liveBytes -= this.chunks[c]!.byteLength;
      this.chunks[c] = null;
    }
    this.firstLive = Math.max(this.firstLive, end);
  }

  get bytes(): number {
    return this.liveBytes;
  }
}
