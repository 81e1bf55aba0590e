import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packRef, refAdd, refDel, refList, unpackRef } from './refs.ts';

describe('reference tracker', () => {
  it('packs and unpacks every field', () => {
    fc.assert(
      fc.property(fc.nat(5), fc.nat(15), fc.nat(63), fc.nat(15), fc.nat(1023), (count, tk, t, hk, h) => {
        expect(unpackRef(packRef(count, tk, t, hk, h))).toEqual({
          count,
          targetKind: tk,
          target: t,
          holderKind: hk,
          holder: h,
        });
      }),
    );
  });

  it('keeps references sorted, so the same set is the same state in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 12 }), (refs) => {
        const a = new Int32Array(16);
        const b = new Int32Array(16);
        for (const r of refs) refAdd(a, 0, 16, r);
        for (const r of [...refs].reverse()) refAdd(b, 0, 16, r);
        expect(Array.from(a)).toEqual(Array.from(b));
      }),
    );
  });

  it('deletes one copy, and reports a delete of a reference nobody holds', () => {
    const s = new Int32Array(4);
    refAdd(s, 0, 4, 7);
    refAdd(s, 0, 4, 7);
    expect(refDel(s, 0, 4, 7)).toBe(true);
    expect(refList(s, 0, 4)).toHaveLength(1);
    expect(refDel(s, 0, 4, 9)).toBe(false);
  });

  it('reports a full tracker', () => {
    const s = new Int32Array(2);
    expect(refAdd(s, 0, 2, 1)).toBe(true);
    expect(refAdd(s, 0, 2, 2)).toBe(true);
    expect(refAdd(s, 0, 2, 3)).toBe(false);
  });
});
