import { describe, expect, it } from 'vitest';
import { StateArena } from './arena.ts';

describe('StateArena', () => {
  it('stores states under dense indices and reads them back', () => {
    const arena = new StateArena(3);
    const s = new Int32Array(3);
    let dense = 0;
    for (let i = 0; i < 100_000; i++) {
      s[0] = i;
      s[1] = -i;
      s[2] = i ^ 0x55;
      if (arena.append(s) === i) dense++;
    }
    expect(dense).toBe(100_000);
    const out = new Int32Array(3);
    arena.copy(77_777, out);
    expect([...out]).toEqual([77_777, -77_777, 77_777 ^ 0x55]);
    expect(arena.equals(77_777, out)).toBe(true);
    out[2]++;
    expect(arena.equals(77_777, out)).toBe(false);
  });

  it('keeps a large state of small numbers in a few bytes', () => {
    const arena = new StateArena(600);
    const s = new Int32Array(600);
    for (let i = 0; i < 20_000; i++) {
      s[i % 600] = (s[i % 600] + 1) & 3;
      arena.append(s);
    }
    expect(arena.bytes / arena.length).toBeLessThan(60);
    const out = new Int32Array(600);
    arena.copy(19_999, out);
    expect([...out]).toEqual([...s]);
  });

  it('frees the pages below a released index', () => {
    const arena = new StateArena(1000);
    const s = new Int32Array(1000);
    for (let i = 0; i < 20_000; i++) {
      s[i % 1000] = i;
      arena.append(s);
    }
    const before = arena.bytes;
    arena.release(15_000);
    expect(arena.bytes).toBeLessThan(before);
    const out = new Int32Array(1000);
    arena.copy(19_999, out);
    expect([...out]).toEqual([...s]);
  });
});
