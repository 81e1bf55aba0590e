import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur3Words, signatureWords, xxhMixWords } from './hash.ts';

const word = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const vector = fc.array(word, { minLength: 0, maxLength: 40 });
const hashes = [murmur3Words, xxhMixWords];

/** Expected number of colliding pairs among n uniform 32-bit values: n(n-1)/2 / 2^32. */
const expectedPairs = (n: number): number => (n * (n - 1)) / 2 / 2 ** 32;

function collidingPairs(values: Int32Array): number {
  const sorted = values.slice().sort();
  let pairs = 0;
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) {
      run++;
    } else {
      pairs += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return pairs;
}

describe('state hashing', () => {
  it('matches the published MurmurHash3 x86_32 vector ("test", seed 0x9747b28c)', () => {
    // "test" is the little-endian word 0x74736574.
    expect(murmur3Words(Int32Array.of(0x74736574), 0, 1) >>> 0).toBe(0x704b81dc);
  });

  it('computes both halves of a signature in one pass exactly as the two functions do', () => {
    const out = new Int32Array(2);
    fc.assert(
      fc.property(vector, vector, (before, middle) => {
        const a = Int32Array.from([...before, ...middle]);
        signatureWords(a, before.length, a.length, out);
        return (
          out[0] === murmur3Words(a, before.length, a.length) &&
          out[1] === xxhMixWords(a, before.length, a.length)
        );
      }),
    );
  });

  it('hashes equal vectors equally, wherever the range lies', () => {
    fc.assert(
      fc.property(vector, vector, vector, (before, middle, after) => {
        const a = Int32Array.from([...before, ...middle, ...after]);
        const b = Int32Array.from(middle);
        for (const hash of hashes) {
          if (hash(a, before.length, before.length + middle.length) !== hash(b, 0, b.length)) return false;
        }
        return true;
      }),
    );
  });

  it('separates vectors that differ in one word, or only in length', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 40 }), fc.nat(), word, (xs, at, value) => {
        const a = Int32Array.from(xs);
        const b = a.slice();
        b[at % b.length] = value;
        fc.pre(value !== a[at % a.length]);
        // A 32-bit collision here is possible but should be as rare as 2^-32; fast-check tries 100.
        return hashes.every((hash) => hash(a, 0, a.length) !== hash(b, 0, b.length));
      }),
    );
    const zeros = new Int32Array(8);
    for (const hash of hashes) {
      const lengths = new Set(Array.from({ length: 9 }, (_, n) => hash(zeros, 0, n)));
      expect(lengths.size).toBe(9);
    }
  });

  it('collides about as often as a uniform hash on structured states, and never in 64 bits', () => {
    // All 6-word vectors with entries 0..9, like a counters state space: 10^6 of them.
    const n = 1_000_000;
    const state = new Int32Array(6);
    const a = new Int32Array(n);
    const b = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let k = 0, x = i; k < 6; k++, x = Math.floor(x / 10)) state[k] = x % 10;
      a[i] = murmur3Words(state, 0, 6);
      b[i] = xxhMixWords(state, 0, 6);
    }
    const expected = expectedPairs(n); // about 116
    for (const h of [a, b]) {
      const pairs = collidingPairs(h);
      expect(pairs).toBeGreaterThan(expected / 3);
      expect(pairs).toBeLessThan(expected * 3);
    }
    const both = new Set<number>();
    for (let i = 0; i < n; i++) both.add(a[i] * 2 ** 32 + (b[i] >>> 0));
    expect(both.size).toBe(n);
  });

  it('collides rarely on random vectors', () => {
    const n = 200_000;
    const hs = hashes.map(() => new Int32Array(n));
    const v = new Int32Array(5);
    let seed = 12345;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < v.length; k++) v[k] = seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      hashes.forEach((hash, j) => {
        hs[j][i] = hash(v, 0, v.length);
      });
    }
    for (const h of hs) expect(collidingPairs(h)).toBeLessThan(expectedPairs(n) * 4 + 5);
  });
});
