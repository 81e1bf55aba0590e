import { describe, expect, it } from 'vitest';
import { IntVector } from './vector.ts';

describe('IntVector', () => {
  it('grows by chunks without moving what it holds, and frees released chunks', () => {
    const v = new IntVector();
    const n = 200_000;
    for (let i = 0; i < n; i++) v.push(i * 3);
    expect(v.length).toBe(n);
    expect(v.get(123_456)).toBe(123_456 * 3);
    v.set(5, -1);
    expect(v.get(5)).toBe(-1);
    const before = v.bytes;
    v.release(150_000);
    expect(v.bytes).toBeLessThan(before);
    expect(v.get(n - 1)).toBe((n - 1) * 3);
    v.release(10);
    expect(v.get(199_999)).toBe(199_999 * 3);
  });

  it('keeps a short vector small', () => {
    const v = new IntVector();
    for (let i = 0; i < 3000; i++) v.push(i);
    expect(v.bytes).toBe(4096 * 4);
    expect(v.get(2999)).toBe(2999);
  });
});
