import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineLayout, type Layout, readQuadwords } from './layout.ts';

/** A layout with every shape of field: single bits, fields ending at 31 or starting at 32, fields crossing bit 32. */
const SHAPES = defineLayout({
  name: 'SHAPES',
  quadwords: 2,
  doc: 'test layout',
  fields: [
    { name: 'TYPE', qw: 0, lo: 0, hi: 3, fixed: 0xa, doc: 'fixed' },
    { name: 'BIT', qw: 0, lo: 4, hi: 4, doc: 'one bit' },
    { name: 'TO31', qw: 0, lo: 8, hi: 31, doc: 'ends at the top of the low word' },
    { name: 'CROSS', qw: 0, lo: 32, hi: 63, doc: 'the whole high word' },
    { name: 'LOW32', qw: 1, lo: 0, hi: 31, doc: 'the whole low word' },
    { name: 'WIDE', qw: 1, lo: 32, hi: 62, doc: '31 bits in the high word' },
    { name: 'TOP', qw: 1, lo: 63, hi: 63, doc: 'bit 63' },
  ],
});

/** Fields that cross the 32-bit boundary at different points, one of them 52 bits wide. */
const CROSSING = defineLayout({
  name: 'CROSSING',
  quadwords: 2,
  doc: 'test layout',
  fields: [
    { name: 'A', qw: 0, lo: 0, hi: 0, doc: '' },
    { name: 'B', qw: 0, lo: 12, hi: 63, doc: '52 bits from 12' },
    { name: 'C', qw: 1, lo: 31, hi: 32, doc: 'two bits straddling 32' },
    { name: 'D', qw: 1, lo: 33, hi: 63, doc: '' },
  ],
});

/** A 64-bit field: values above 2^53 - 1 cannot be numbers. */
const FULL = defineLayout({
  name: 'FULL',
  quadwords: 1,
  doc: 'test layout',
  fields: [{ name: 'X', qw: 0, lo: 0, hi: 63, doc: 'all 64 bits' }],
});

/** The reference encoding: each value shifted into its quadword with bigint arithmetic. */
function referenceBig<N extends string>(layout: Layout<N>, values: Record<N, number>): bigint[] {
  const out = new Array<bigint>(layout.quadwords).fill(0n);
  for (const f of layout.fields) {
    out[f.qw] |= BigInt(values[f.name as N]) << BigInt(f.lo);
  }
  return out;
}

function arbitraryValues<N extends string>(layout: Layout<N>): fc.Arbitrary<Record<N, number>> {
  const model: Record<string, fc.Arbitrary<number>> = {};
  for (const f of layout.fields) {
    model[f.name] =
      f.fixed !== undefined
        ? fc.constant(f.fixed)
        : f.max <= 0x7fffffff
          ? fc.integer({ min: 0, max: f.max })
          : fc.bigInt({ min: 0n, max: BigInt(f.max) }).map(Number);
  }
  return fc.record(model) as unknown as fc.Arbitrary<Record<N, number>>;
}

const anyWords = (n: number) =>
  fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: n, maxLength: n });

describe('defineLayout', () => {
  it('refuses overlapping fields, naming both', () => {
    expect(() =>
      defineLayout({
        name: 'BAD',
        quadwords: 1,
        doc: '',
        fields: [
          { name: 'ADDR', qw: 0, lo: 12, hi: 63, doc: '' },
          { name: 'SRE', qw: 0, lo: 11, hi: 12, doc: '' },
        ],
      }),
    ).toThrow(/layout BAD: field SRE .* overlaps field ADDR/);
  });

  it('allows the same bits in different quadwords', () => {
    expect(() =>
      defineLayout({
        name: 'OK',
        quadwords: 2,
        doc: '',
        fields: [
          { name: 'A', qw: 0, lo: 0, hi: 3, doc: '' },
          { name: 'B', qw: 1, lo: 0, hi: 3, doc: '' },
        ],
      }),
    ).not.toThrow();
  });

  it('refuses bits outside 63:0, a quadword outside the layout, a duplicate name, a fixed value too wide', () => {
    const one = (field: { name: string; qw: number; lo: number; hi: number; fixed?: number }) => () =>
      defineLayout({ name: 'BAD', quadwords: 1, doc: '', fields: [{ doc: '', ...field }] });
    expect(one({ name: 'F', qw: 0, lo: 60, hi: 64 })).toThrow(/layout BAD: field F: bits 64:60/);
    expect(one({ name: 'F', qw: 0, lo: 5, hi: 4 })).toThrow(/field F/);
    expect(one({ name: 'F', qw: 1, lo: 0, hi: 4 })).toThrow(/field F: quadword 1/);
    expect(one({ name: 'F', qw: 0, lo: 0, hi: 3, fixed: 16 })).toThrow(/field F: fixed value 16/);
    expect(() =>
      defineLayout({
        name: 'BAD',
        quadwords: 1,
        doc: '',
        fields: [
          { name: 'F', qw: 0, lo: 0, hi: 0, doc: '' },
          { name: 'F', qw: 0, lo: 1, hi: 1, doc: '' },
        ],
      }),
    ).toThrow(/field F is declared twice/);
  });
});

describe('encode and decode', () => {
  it('places fields that cross bit 32 without losing bits', () => {
    const values = { A: 1, B: 2 ** 52 - 1, C: 2, D: 2 ** 31 - 2 };
    expect(CROSSING.encodeBig(values)).toEqual([0xfffffffffffff001n, 0xfffffffd_00000000n]);
    const words = new Int32Array(4);
    CROSSING.encode(values, words, 0);
    expect(CROSSING.decode(words, 0)).toEqual(values);
    expect(CROSSING.get(words, 0, 'B')).toBe(2 ** 52 - 1);
  });

  it('writes at an offset, as quadword q at words offset+2q (low half) and offset+2q+1', () => {
    const words = new Uint32Array(7).fill(0xdeadbeef);
    SHAPES.encode({ BIT: 1, CROSS: 0x12345678, LOW32: 0x9abcdef0, TOP: 1 }, words, 3);
    expect(Array.from(words)).toEqual([
      0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0x0000001a, 0x12345678, 0x9abcdef0, 0x80000000,
    ]);
    expect(readQuadwords(words, 3, 2)).toEqual([0x12345678_0000001an, 0x80000000_9abcdef0n]);
  });

  it('fills in fixed fields and zeroes every other bit', () => {
    const words = new Int32Array(4).fill(-1);
    SHAPES.encode({}, words, 0);
    expect(Array.from(words)).toEqual([0xa, 0, 0, 0]);
    expect(SHAPES.matches(words, 0)).toBe(true);
    words[0] = 0xb;
    expect(SHAPES.matches(words, 0)).toBe(false);
  });

  it('decode(encode(x)) is x, and the words agree with bigint arithmetic (Int32Array and Uint32Array)', () => {
    for (const layout of [SHAPES, CROSSING, FULL] as Layout<string>[]) {
      fc.assert(
        fc.property(arbitraryValues(layout), (values) => {
          const signed = new Int32Array(layout.words);
          const unsigned = new Uint32Array(layout.words);
          layout.encode(values, signed, 0);
          layout.encode(values, unsigned, 0);
          expect(layout.decode(signed, 0)).toEqual(values);
          expect(layout.decode(unsigned, 0)).toEqual(values);
          expect(readQuadwords(signed, 0, layout.quadwords)).toEqual(referenceBig(layout, values));
          expect(layout.encodeBig(values)).toEqual(referenceBig(layout, values));
          expect(layout.decodeBig(referenceBig(layout, values))).toEqual(values);
        }),
      );
    }
  });

  it('set changes one field and no other bit', () => {
    fc.assert(
      fc.property(
        anyWords(4),
        arbitraryValues(CROSSING),
        fc.constantFrom('A', 'B', 'C', 'D'),
        (init, v, name) => {
          const words = Int32Array.from(init);
          const before = readQuadwords(words, 0, 2);
          const f = CROSSING.field(name);
          CROSSING.set(words, 0, name, v[name]);
          expect(CROSSING.get(words, 0, name)).toBe(v[name]);
          const mask = ((1n << BigInt(f.width)) - 1n) << BigInt(f.lo);
          const after = readQuadwords(words, 0, 2);
          expect(after[f.qw] & ~mask).toBe(before[f.qw] & ~mask);
          expect(after[1 - f.qw]).toBe(before[1 - f.qw]);
        },
      ),
    );
  });
});

describe('errors', () => {
  it('a value that does not fit names the layout and the field', () => {
    const words = new Int32Array(4);
    expect(() => CROSSING.encode({ C: 4 }, words, 0)).toThrow(
      /layout CROSSING: value 4 does not fit field C/,
    );
    expect(() => CROSSING.encode({ B: 2 ** 52 }, words, 0)).toThrow(/layout CROSSING: .* field B/);
    expect(() => CROSSING.set(words, 0, 'A', -1)).toThrow(/field A/);
    expect(() => CROSSING.set(words, 0, 'D', 1.5)).toThrow(/field D/);
    expect(() => CROSSING.set(words, 0, 'D', Number.NaN)).toThrow(/field D/);
    expect(() => FULL.encode({ X: 2 ** 53 }, new Int32Array(2), 0)).toThrow(/layout FULL: .* field X/);
  });

  it('a fixed field refuses another value', () => {
    expect(() => SHAPES.encode({ TYPE: 0xb }, new Int32Array(4), 0)).toThrow(
      /layout SHAPES: field TYPE is fixed at 0xa/,
    );
    expect(SHAPES.encodeBig({ TYPE: 0xa })).toEqual([0xan, 0n]);
  });

  it('an unknown field name is refused', () => {
    const bogus = { NOPE: 1 } as unknown as { A: number };
    expect(() => CROSSING.encode(bogus, new Int32Array(4), 0)).toThrow(/layout CROSSING has no field NOPE/);
    expect(() => CROSSING.get(new Int32Array(4), 0, 'NOPE' as 'A')).toThrow(
      /layout CROSSING has no field NOPE/,
    );
  });

  it('an entry that does not fit the words is refused', () => {
    expect(() => CROSSING.encode({}, new Int32Array(5), 2)).toThrow(/layout CROSSING: 4 words at offset 2/);
    expect(() => CROSSING.decode(new Int32Array(3), 0)).toThrow(/layout CROSSING/);
  });

  it('decoding a value above 2^53 - 1 throws instead of rounding', () => {
    const words = new Uint32Array([0xffffffff, 0x00200000]);
    expect(() => FULL.decode(words, 0)).toThrow(/layout FULL: field X .* above 2\^53 - 1/);
    words[1] = 0x001fffff;
    expect(FULL.get(words, 0, 'X')).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('format', () => {
  it('names the layout and the non-zero fields, then the quadwords in hex', () => {
    expect(SHAPES.format({ BIT: 1, CROSS: 0x1234 })).toBe(
      'SHAPES {TYPE=0xa BIT=1 CROSS=0x1234} [0x000012340000001a 0x0000000000000000]',
    );
    expect(SHAPES.hex({ TOP: 1 })).toBe('0x000000000000000a 0x8000000000000000');
  });
});
