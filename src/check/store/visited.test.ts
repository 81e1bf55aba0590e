import { describe, expect, it } from 'vitest';
import { packTransition } from '../model.ts';
import { NO_PARENT, VisitedSet } from './visited.ts';

/** Writes into `out` the i-th of a family of distinct states (small words, like real states). */
function nth(i: number, out: Int32Array): Int32Array {
  for (let k = 0, x = i; k < out.length; k++, x = Math.floor(x / 32))
    out[k] = k === out.length - 1 ? x : x % 32;
  return out;
}

describe.each([false, true])('VisitedSet (hashCompaction %s)', (hashCompaction) => {
  it('numbers new states densely and returns ~index for states already in', () => {
    const v = new VisitedSet(3, { hashCompaction });
    const s = new Int32Array(3);
    expect(v.add(nth(0, s), NO_PARENT, NO_PARENT)).toBe(0);
    expect(v.add(nth(1, s), 0, packTransition(2, 1))).toBe(1);
    expect(v.add(nth(2, s), 1, packTransition(0, 0))).toBe(2);
    expect(v.add(nth(1, s), 2, packTransition(1, 0))).toBe(~1);
    expect(v.size).toBe(3);
    expect(v.find(nth(2, s))).toBe(2);
    expect(v.find(nth(3, s))).toBe(-1);
    expect([v.parentOf(1), v.transitionOf(1)]).toEqual([0, packTransition(2, 1)]);
    v.reparent(2, 0, packTransition(1, 3));
    expect([v.parentOf(2), v.transitionOf(2)]).toEqual([0, packTransition(1, 3)]);
  });

  it('grows past a million states quickly, keeping every index, parent and transition', () => {
    const n = 1_200_000;
    const v = new VisitedSet(5, { hashCompaction });
    const s = new Int32Array(5);
    const started = performance.now();
    let added = 0;
    for (let i = 0; i < n; i++) if (v.add(nth(i, s), i - 1, i & 0xffff) === i) added++;
    expect(added).toBe(n);
    let found = 0;
    for (let i = 0; i < n; i++) if (v.add(nth(i, s), 0, 0) === ~i) found++;
    expect(found).toBe(n);
    expect(v.find(nth(n, s))).toBe(-1);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(v.parentOf(n - 1)).toBe(n - 2);
    expect(v.transitionOf(777_777)).toBe(777_777 & 0xffff);
    const perState = v.bytes / n;
    // Exact: 5 words in 5 bytes, an offset, parent and transition, and a slot of the table.
    expect(perState).toBeGreaterThan(20);
    expect(perState).toBeLessThan(hashCompaction ? 60 : 45);
  });

  it('tells the exact mode from the compacted one', () => {
    const v = new VisitedSet(2, { hashCompaction });
    const s = Int32Array.of(7, 9);
    v.add(s, NO_PARENT, NO_PARENT);
    const out = new Int32Array(2);
    if (hashCompaction) {
      expect(v.arena).toBeNull();
      expect(() => v.copyState(0, out)).toThrow(/does not keep states/);
    } else {
      v.copyState(0, out);
      expect([...out]).toEqual([7, 9]);
      expect(v.omissionProbability()).toBe(0);
    }
  });
});

describe('VisitedSet', () => {
  it('estimates the omission probability of hash compaction by the birthday bound', () => {
    const v = new VisitedSet(1, { hashCompaction: true });
    const s = new Int32Array(1);
    for (let i = 0; i < 1000; i++) v.add(nth(i, s), 0, 0);
    expect(v.omissionProbability()).toBeCloseTo((1000 * 999) / 2 ** 65, 25);
  });

  it('compares stored states word by word, not by hash', () => {
    // States differing only in the last word must stay distinct even when their hashes share slots.
    const v = new VisitedSet(64, { initialSlots: 4 });
    const s = new Int32Array(64);
    for (let i = 0; i < 5000; i++) {
      s[63] = i;
      expect(v.add(s, 0, 0)).toBe(i);
    }
    s[63] = 4999;
    expect(v.find(s)).toBe(4999);
  });

  it('rejects a state size that is not a positive integer', () => {
    expect(() => new VisitedSet(0)).toThrow(/at least one word/);
  });
});
