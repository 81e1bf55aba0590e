/**
 * Hashing of state vectors, a word at a time.
 *
 * Two unrelated 32-bit functions: `murmur3Words` places a state in the visited table and filters
 * comparisons; `xxhMixWords` supplies the second half of the 64-bit signature that hash compaction
 * stores instead of the state. They must not share structure, or states that collide in one would
 * tend to collide in the other and the 64-bit omission estimate would be a lie; so one is MurmurHash3's
 * block mix and the other built on xxHash32's word round, with different multipliers, rotations and
 * seeds.
 *
 * Both read `words[start..end)` and allocate nothing: they run once or twice per generated successor.
 */

const MURMUR_SEED = 0x9747b28c;
const MURMUR_C1 = 0xcc9e2d51;
const MURMUR_C2 = 0x1b873593;

/** MurmurHash3's block step: mixes word `w` into `h`. */
function murmurRound(h: number, w: number): number {
  let k = Math.imul(w, MURMUR_C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, MURMUR_C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's tail for `words` words: the length, then fmix32. */
function murmurFinish(h: number, words: number): number {
  h ^= words << 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** MurmurHash3 (x86, 32-bit) over 32-bit words instead of bytes, finished with its fmix32 avalanche. */
export function murmur3Words(words: Int32Array, start: number, end: number): number {
  let h = MURMUR_SEED;
  for (let i = start; i < end; i++) h = murmurRound(h, words[i]);
  return murmurFinish(h, end - start);
}

const XXH_SEED = 0x5bd1e995;
const XXH_PRIME2 = 0x85ebca77;
const XXH_PRIME3 = 0xc2b2ae3d;
const XXH_PRIME4 = 0x27d4eb2f;
const XXH_PRIME5 = 0x165667b1;

function xxhStart(words: number): number {
  return (XXH_SEED + XXH_PRIME5 + (words << 2)) | 0;
}

/** xxHash32's word round, then a xorshift (see xxhMixWords). */
function xxhRound(h: number, w: number): number {
  h = (h + Math.imul(w, XXH_PRIME3)) | 0;
  h = Math.imul((h << 17) | (h >>> 15), XXH_PRIME4);
  return h ^ (h >>> 15);
}

/** xxHash32's avalanche. */
function xxhFinish(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, XXH_PRIME2);
  h ^= h >>> 13;
  h = Math.imul(h, XXH_PRIME3);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * xxHash32's 4-byte round on every word, each followed by a xorshift, then xxHash32's avalanche.
 * The plain round (add, rotate, multiply) is nearly linear, and on vectors of small integers, which
 * is what states are, it collided nine times as often as a random function would; the xorshift
 * brings it back to chance (hash.test.ts measures both functions on such vectors).
 */
export function xxhMixWords(words: Int32Array, start: number, end: number): number {
  let h = xxhStart(end - start);
  for (let i = start; i < end; i++) h = xxhRound(h, words[i]);
  return xxhFinish(h);
}

/**
 * Both functions above in one pass, into `out[0]` (murmur3Words) and `out[1]` (xxhMixWords): the two
 * multiply chains are independent, so the processor runs them side by side, and the state is read
 * once. Hash compaction calls this for every generated successor.
 */
export function signatureWords(words: Int32Array, start: number, end: number, out: Int32Array): void {
  let h = MURMUR_SEED;
  let x = xxhStart(end - start);
  for (let i = start; i < end; i++) {
    const w = words[i];
    h = murmurRound(h, w);
    x = xxhRound(x, w);
  }
  out[0] = murmurFinish(h, end - start);
  out[1] = xxhFinish(x);
}
