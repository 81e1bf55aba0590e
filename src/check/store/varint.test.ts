import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_VARINT_BYTES, unzigzag, VarintCursor, writeVarint, zigzag } from './varint.ts';

describe('varint', () => {
  it('reads back every 32-bit pattern written, in order, within five bytes each', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), (words) => {
        const out = new Uint8Array(words.length * MAX_VARINT_BYTES);
        let p = 0;
        for (const w of words) {
          const q = writeVarint(out, p, w);
          expect(q - p).toBeLessThanOrEqual(MAX_VARINT_BYTES);
          p = q;
        }
        const c = new VarintCursor();
        c.bytes = out;
        for (const w of words) expect(c.next()).toBe(w);
        expect(c.at).toBe(p);
      }),
    );
  });

  it('takes one byte below 128 and five for a pattern with its top bit set', () => {
    const out = new Uint8Array(MAX_VARINT_BYTES);
    expect(writeVarint(out, 0, 127)).toBe(1);
    expect(writeVarint(out, 0, 128)).toBe(2);
    expect(writeVarint(out, 0, 0x80000000 | 0)).toBe(5);
  });

  it('zigzag keeps small magnitudes small and round-trips every word', () => {
    expect([0, -1, 1, -2, 2].map(zigzag)).toEqual([0, 1, 2, 3, 4]);
    expect(zigzag(-(2 ** 31))).toBe(2 ** 32 - 1);
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
        expect(unzigzag(zigzag(v))).toBe(v);
      }),
    );
  });
});
