import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateArena } from './arena.ts';
import { StateCodec } from './compress.ts';
import { VisitedSet } from './visited.ts';

/** Words as states hold them: mostly zero and small, now and then anything at all. */
const word = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: -2, max: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
);

/**
 * Lists of states of `words` words in which many share blocks: each is either fresh or a copy of an
 * earlier one with a few words changed, as a successor is of its parent.
 */
const states = (words: number) =>
  fc
    .array(
      fc.record({
        from: fc.nat(),
        fresh: fc.boolean(),
        edits: fc.array(fc.tuple(fc.nat({ max: words - 1 }), word), { maxLength: 3 }),
        base: fc.array(word, { minLength: words, maxLength: words }),
      }),
      { minLength: 1, maxLength: 60 },
    )
    .map((specs) => {
      const out: Int32Array[] = [];
      for (const { from, fresh, edits, base } of specs) {
        const s = fresh || out.length === 0 ? Int32Array.from(base) : out[from % out.length].slice();
        for (const [k, v] of edits) s[k] = v;
        out.push(s);
      }
      return out;
    });

/** Word mode (a 5-word state), and block mode with short blocks so that small states have several. */
const modes = [
  { name: 'word mode', words: 5, blockWords: undefined },
  { name: 'block mode', words: 13, blockWords: 3 },
  { name: 'block mode, one-word blocks', words: 6, blockWords: 1 },
];

describe.each(modes)('compression, $name', ({ words, blockWords }) => {
  it('chooses the mode it is named after', () => {
    const codec = new StateCodec(words, { blockWords });
    expect(codec.blocks === 0).toBe(blockWords === undefined);
  });

  it('decodes every stored state to the vector it was given', () => {
    fc.assert(
      fc.property(states(words), (list) => {
        const arena = new StateArena(words, { blockWords });
        for (const s of list) arena.append(s);
        const out = new Int32Array(words);
        // Backwards, so that each read has another state's blocks as its hint.
        for (let i = list.length - 1; i >= 0; i--) {
          arena.copy(i, out);
          expect([...out]).toEqual([...list[i]]);
        }
      }),
    );
  });

  it('decodes over the state it held before to the vector it was given, in any order of reads', () => {
    fc.assert(
      fc.property(states(words), fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), (list, reads) => {
        const arena = new StateArena(words, { blockWords });
        for (const s of list) arena.append(s);
        const held = new Int32Array(words);
        const other = new Int32Array(words);
        for (const [n, r] of reads.entries()) {
          const i = r % list.length;
          // Now and then a plain copy into the held array, or into another one, in between.
          if (n % 5 === 3) arena.copy((i + 1) % list.length, n % 2 === 0 ? held : other);
          arena.copyOver(i, held);
          expect([...held]).toEqual([...list[i]]);
        }
      }),
    );
  });

  it.each([
    ['a hint by index', false],
    ["a hint by index and the hint's words", true],
  ])('finds a state exactly when an equal vector was added, whatever the hint (%s)', (_, words_) => {
    fc.assert(
      fc.property(states(words), fc.array(fc.nat()), (list, hints) => {
        const visited = new VisitedSet(words, { blockWords });
        const reference = new Map<string, number>();
        const parentWords = new Int32Array(words);
        list.forEach((s, k) => {
          const key = s.join(',');
          const known = reference.get(key);
          const parent = visited.size === 0 ? -1 : (hints[k] ?? 0) % visited.size;
          // As a search does: the parent's words are read back from the set before its successor is added.
          if (words_ && parent >= 0) visited.copyState(parent, parentWords);
          const r = visited.add(s, parent, 0, words_ && parent >= 0 ? parentWords : null);
          if (known === undefined) {
            expect(r).toBe(reference.size);
            reference.set(key, r);
          } else {
            expect(r).toBe(~known);
          }
        });
        for (const s of list) expect(visited.find(s)).toBe(reference.get(s.join(',')));
        const out = new Int32Array(words);
        for (const [key, index] of reference) {
          visited.copyState(index, out);
          expect(out.join(',')).toBe(key);
        }
      }),
    );
  });

  it('tells apart states that differ in one word, and finds no state never added', () => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: words, maxLength: words }),
        fc.nat({ max: words - 1 }),
        word,
        (base, k, v) => {
          const arena = new StateArena(words, { blockWords });
          const a = Int32Array.from(base);
          const b = a.slice();
          b[k] = v === a[k] ? a[k] + 1 : v;
          arena.append(a);
          expect(arena.equals(0, a)).toBe(true);
          expect(arena.equals(0, b)).toBe(false);
          const visited = new VisitedSet(words, { blockWords });
          visited.add(a, -1, 0);
          expect(visited.find(b)).toBe(-1);
        },
      ),
    );
  });
});

describe('StateCodec', () => {
  it('cuts a large state into blocks of 32 words, and leaves a small one in word mode', () => {
    expect(new StateCodec(666).blocks).toBe(21);
    expect(new StateCodec(666).maxRecordBytes).toBe(5 * 21);
    expect(new StateCodec(96).blocks).toBe(0);
  });

  it('encodes the extremes of int32 losslessly in word mode', () => {
    const arena = new StateArena(4);
    const s = Int32Array.of(-(2 ** 31), 2 ** 31 - 1, -1, 0);
    arena.append(s);
    const out = new Int32Array(4);
    arena.copy(0, out);
    expect([...out]).toEqual([...s]);
  });
});
