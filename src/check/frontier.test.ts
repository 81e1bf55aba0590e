/**
 * The frontier encoding (frontier.ts): its bytes, its round trip chunk by chunk on vectors of every
 * kind, its bound on an entry's length.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrontierReader, FrontierWriter, maxEntryBytes } from './frontier.ts';

/** Writes `entries` in chunks of `chunk`; returns the bytes and the chunks' offsets. */
function writeAll(words: number, entries: { index: number; state: Int32Array }[], chunk: number) {
  const writer = new FrontierWriter(words);
  writer.out = new Uint8Array(entries.length * maxEntryBytes(words));
  const starts: number[] = [];
  const lengths: number[] = [];
  entries.forEach(({ index, state }, i) => {
    if (i % chunk === 0) {
      starts.push(writer.at);
      writer.start();
    }
    const at = writer.at;
    writer.write(index, state);
    lengths.push(writer.at - at);
  });
  return { bytes: writer.out.subarray(0, writer.at), starts, lengths };
}

/** Reads chunk `c` back on its own, as a worker that claims it does. */
function readChunk(words: number, bytes: Uint8Array, starts: number[], c: number, count: number) {
  const reader = new FrontierReader();
  const state = new Int32Array(words).fill(0x5a5a5a5a);
  reader.start(bytes, starts[c], state);
  const out: { index: number; state: Int32Array }[] = [];
  for (let i = 0; i < count; i++) {
    reader.read(state);
    out.push({ index: reader.index, state: state.slice() });
  }
  return { out, end: reader.at };
}

describe('frontier encoding', () => {
  it('writes an index delta, then runs of equal and of differing words, values as zigzag varints', () => {
    const { bytes, starts } = writeAll(
      4,
      [
        { index: 7, state: Int32Array.from([0, 5, 0, -1]) },
        { index: 9, state: Int32Array.from([0, 5, 0, -1]) },
        { index: 300, state: Int32Array.from([-(2 ** 31), 5, 0, 64]) },
        { index: 301, state: Int32Array.from([0, 0, 0, 0]) },
      ],
      3,
    );
    expect([...bytes]).toEqual([
      // 7 against 0; 1 word as zeros, 1 differing: 5; 1 as before, 1 differing, the last: -1.
      ...[7, 1, 0, 10, 1, 0, 1],
      // +2; all 4 words as before.
      ...[2, 4],
      // +291; 0 words as before, 1 differing: -2^31 (zigzag 2^32 - 1); 2 as before, 1: 64 (128).
      ...[0xa3, 0x02, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 2, 0, 0x80, 0x01],
      // A chunk's first entry: against index 0 and zeros.
      ...[0xad, 0x02, 4],
    ]);
    expect(starts).toEqual([0, 22]);
  });

  /** Words as states hold them: mostly zero and small, now and then anything, the extremes too. */
  const word = fc.oneof(
    { weight: 6, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.integer({ min: -2, max: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, -1, 0x7f, 0x80, 0x3fff, 0x4000) },
    { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
  );

  /**
   * Entries of `words`-word states: each fresh, all zero, one value repeated (a long run), or the
   * previous one with a few words changed (as consecutive entries of a frontier are); indices
   * increasing by any step, or anything at all.
   */
  const entries = (words: number) =>
    fc
      .array(
        fc.record({
          kind: fc.constantFrom('fresh', 'zero', 'run', 'edit', 'edit'),
          base: fc.array(word, { minLength: words, maxLength: words }),
          fill: word,
          edits: fc.array(fc.tuple(fc.nat({ max: words - 1 }), word), { maxLength: 4 }),
          step: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.nat(2 ** 31 - 1)),
        }),
        { minLength: 1, maxLength: 40 },
      )
      .map((specs) => {
        const out: { index: number; state: Int32Array }[] = [];
        let index = 0;
        for (const { kind, base, fill, edits, step } of specs) {
          const before = out.at(-1)?.state ?? new Int32Array(words);
          const state =
            kind === 'fresh'
              ? Int32Array.from(base)
              : kind === 'zero'
                ? new Int32Array(words)
                : kind === 'run'
                  ? new Int32Array(words).fill(fill)
                  : before.slice();
          if (kind === 'edit') for (const [k, v] of edits) state[k] = v;
          index = (index + step) % 2 ** 31;
          out.push({ index, state });
        }
        return out;
      });

  it.each([1, 2, 7, 33])('decodes every chunk on its own to what was written (%i words)', (words) => {
    fc.assert(
      fc.property(entries(words), fc.integer({ min: 1, max: 5 }), (list, chunk) => {
        const { bytes, starts, lengths } = writeAll(words, list, chunk);
        for (const n of lengths) expect(n).toBeLessThanOrEqual(maxEntryBytes(words));
        // Last chunk first: no chunk depends on what was read before it.
        for (let c = starts.length - 1; c >= 0; c--) {
          const count = Math.min(chunk, list.length - c * chunk);
          const { out, end } = readChunk(words, bytes, starts, c, count);
          expect(out).toEqual(list.slice(c * chunk, c * chunk + count));
          expect(end).toBe(c + 1 < starts.length ? starts[c + 1] : bytes.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps within maxEntryBytes the longest entries: every word, or every other, a 5-byte value', () => {
    const words = 9;
    const all = new Int32Array(words).fill(-(2 ** 31));
    const alternate = Int32Array.from({ length: words }, (_, k) => (k % 2 === 0 ? -(2 ** 31) : 0));
    const list = [
      { index: 2 ** 31 - 1, state: all },
      { index: 2 ** 31 - 1, state: alternate },
    ];
    const { bytes, starts, lengths } = writeAll(words, list, 1);
    // The index's 5 bytes; then no equal word, and 9 differing (a byte each), and their 45 bytes.
    // Or, against zeros: 5 runs of an equal word (none, the first), a differing one and its 5 bytes.
    expect(lengths).toEqual([5 + 1 + 1 + 45, 5 + 5 * (1 + 1 + 5)]);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(maxEntryBytes(words));
    expect([readChunk(words, bytes, starts, 0, 1).out, readChunk(words, bytes, starts, 1, 1).out]).toEqual([
      [list[0]],
      [list[1]],
    ]);
  });
});
