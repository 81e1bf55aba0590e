import { describe, expect, it } from 'vitest';
import { Findings } from './findings.ts';

describe('Findings', () => {
  it('keeps one finding per kind and code, at its least depth, with the fewest switches there', () => {
    const f = new Findings();
    f.record('state', 1, 10, 5);
    f.record('state', 1, 11, 4);
    f.record('state', 1, 12, 4);
    f.record('quiescent', 1, 13, 6);
    const switches = new Map([
      [11, 3],
      [12, 1],
      [13, 0],
    ]);
    f.settle((i) => switches.get(i)!);
    expect(f.list().map(({ kind, index, depth, switches }) => [kind, index, depth, switches])).toEqual([
      ['state', 12, 4, 1],
      ['quiescent', 13, 6, 0],
    ]);
  });

  it('never weighs a settled choice again, and breaks ties by discovery', () => {
    const f = new Findings();
    f.record('state', 2, 7, 3);
    f.record('state', 2, 8, 3);
    f.settle(() => 0);
    f.record('state', 2, 9, 3);
    f.settle((i) => (i === 9 ? 0 : Number.NaN));
    expect(f.list()[0].index).toBe(7);
  });

  it('with a target, wants only that violation', () => {
    const f = new Findings({ kind: 'quiescent', code: 4 });
    expect(f.wants('quiescent', 4)).toBe(true);
    expect(f.wants('state', 4)).toBe(false);
    expect(f.wants('quiescent', 3)).toBe(false);
  });
});
