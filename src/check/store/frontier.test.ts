/**
 * The frontier encoding (frontier.ts): its bytes, its round trip chunk by chunk on vectors of every
 * kind, its bound on an entry's length; and a parallel search whose frontiers outgrow their first
 * buffers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { explore } from '../index.ts';
import {
  CHUNK,
  CHUNK_START_BYTES,
  CHUNK_STARTS_INITIAL_BYTES,
  FRONTIER_INITIAL_BYTES,
} from '../threads/parallel/layout.ts';
import { exploreParallel } from '../threads/parallel/parallel.ts';
import { buildModel } from '../threads/source.ts';
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

/**
 * A model with wide levels of large, incompressible states: the initial state (x = 0) has 256
 * successors x = 1..256, each of those 300 (2 actors, 150 choices each; no state may have more
 * successors than the table's spare quarter holds, 16 384 at first), the WIDTH = 256 x 300 states of
 * level 2, and each of those one more. Its words are zeros every fourth, and hashes of x otherwise,
 * the extremes now and then. A state whose words are not those of its x (a frontier decoded wrong)
 * has no moves and is a quiescent violation.
 */
const fixtureDir = mkdtempSync(join(tmpdir(), 'svmsim-frontier-'));
afterAll(() => rmSync(fixtureDir, { recursive: true, force: true }));
const WIDTH = 256 * 300;
const WORDS = 24;
const wideSource = (() => {
  const file = join(fixtureDir, 'wide.mjs');
  writeFileSync(
    file,
    `
const WIDTH = ${WIDTH};
const WORDS = ${WORDS};
function word(x, k) {
  if (k % 4 === 0) return 0;
  if (k % 11 === 5) return x % 3 === 0 ? -(2 ** 31) : 2 ** 31 - 1;
  let h = Math.imul(x * WORDS + k, 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca77) ^ (h >>> 13);
}
function fill(x, out) {
  out[0] = x;
  for (let k = 1; k < WORDS; k++) out[k] = word(x, k);
}
function intact(s) {
  for (let k = 1; k < WORDS; k++) if (s[k] !== word(s[0], k)) return false;
  return true;
}
const LEVEL2 = 257;
function choices(x, a) {
  if (x === 0) return a === 0 ? 256 : 0;
  if (x < LEVEL2) return 150;
  return x < LEVEL2 + WIDTH && a === 0 ? 1 : 0;
}
export const wide = () => ({
  stateWords: WORDS,
  actorCount: 2,
  init: (out) => fill(0, out),
  choices: (s, a) => (intact(s) ? choices(s[0], a) : 0),
  step(src, a, c, out) {
    const x = src[0];
    if (c >= choices(x, a)) return false;
    if (x === 0) fill(1 + c, out);
    else if (x < LEVEL2) fill(LEVEL2 + (x - 1) * 300 + a * 150 + c, out);
    else fill(x + WIDTH, out);
    return true;
  },
  violation: () => 0,
  quiescent: (s) => (intact(s) ? 0 : 1),
  isDaemon: () => false,
});
`,
  );
  return { module: file, exportName: 'wide', args: [] };
})();

describe('a parallel search whose frontiers outgrow their first buffers', () => {
  it('agrees with the sequential BFS, with 1 and 2 workers', async () => {
    const model = await buildModel(wideSource);
    // The premise: the successors of one chunk of level 1, which one worker appends to its frontier
    // of level 2, take many times the first buffers.
    const level: { index: number; state: Int32Array }[] = [];
    const init = new Int32Array(WORDS);
    const parent = new Int32Array(WORDS);
    model.init(init);
    for (let p = 0; p < CHUNK; p++) {
      model.step(init, 0, p, parent);
      for (let a = 0; a < model.actorCount; a++) {
        for (let c = 0; c < model.choices(parent, a); c++) {
          const s = new Int32Array(WORDS);
          expect(model.step(parent, a, c, s)).toBe(true);
          level.push({ index: level.length + 1, state: s });
        }
      }
    }
    const { bytes, starts } = writeAll(WORDS, level, CHUNK);
    expect(bytes.length).toBeGreaterThan(16 * FRONTIER_INITIAL_BYTES);
    expect(starts.length * CHUNK_START_BYTES).toBeGreaterThan(CHUNK_STARTS_INITIAL_BYTES);

    const want = await explore(model, { order: 'bfs', hashCompaction: true });
    expect([want.verdict, want.stats.states, want.stats.transitions, want.stats.maxDepth]).toEqual([
      'verified',
      1 + 256 + 2 * WIDTH,
      256 + 2 * WIDTH,
      3,
    ]);
    const runs = await Promise.all([1, 2].map((workers) => exploreParallel(wideSource, { workers })));
    for (const r of runs) {
      expect([r.verdict, r.stats.states, r.stats.transitions, r.stats.maxDepth]).toEqual([
        'verified',
        1 + 256 + 2 * WIDTH,
        256 + 2 * WIDTH,
        3,
      ]);
    }
  });
});
