import { describe, expect, it } from 'vitest';
import { counters } from '../examples/counters.ts';
import { explore } from '../index.ts';
import { MemoryGuard, type MemoryProbe, type MemorySample } from './memory.ts';

const GiB = 2 ** 30;

/** A machine with `free` bytes left and a roomy heap. */
const machine = (free: number): MemoryProbe => ({
  available: () => free,
  heapUsed: () => 50 * 2 ** 20,
  heapLimit: () => 4 * GiB,
});

const sample = (states: number, over: Partial<MemorySample> = {}): MemorySample => ({
  states,
  bytes: states * 60,
  growthBytes: 2 ** 20,
  statesBeforeGrowth: 10 ** 9,
  compacted: false,
  ...over,
});

describe('MemoryGuard', () => {
  it('lets a search go on while the next slices fit', () => {
    const guard = new MemoryGuard({ memoryProbe: machine(8 * GiB) });
    for (let states = 0; states <= 1_000_000; states += 10_000)
      expect(guard.check(sample(states))).toBeNull();
  });

  it('stops when the next slices would not fit, saying how many states would and what to do', () => {
    const guard = new MemoryGuard({ maxMemoryBytes: 100 * 2 ** 20, memoryProbe: machine(8 * GiB) });
    let message: string | null = null;
    let states = 0;
    while (message === null) message = guard.check(sample((states += 10_000)));
    // 60 bytes a state in 100 MiB: about 1.7 million states, and four slices of 10 000 ahead.
    expect(states).toBeGreaterThan(1_600_000);
    expect(states).toBeLessThanOrEqual(1_750_000);
    expect(message).toMatch(/about 17\d{5} states in all/);
    expect(message).toMatch(/--hash-compaction/);
    expect(message).toMatch(/--max-states 1700000/);
  });

  it('stops before a doubling of the table that would not fit', () => {
    const guard = new MemoryGuard({ maxMemoryBytes: 100 * 2 ** 20, memoryProbe: machine(8 * GiB) });
    const growth = { growthBytes: 99 * 2 ** 20 };
    expect(guard.check(sample(10_000, { ...growth, statesBeforeGrowth: 500_000 }))).toBeNull();
    expect(guard.check(sample(20_000, { ...growth, statesBeforeGrowth: 30_000 }))).toMatch(
      /stopped before memory runs out/,
    );
  });

  it('keeps a reserve of the machine free, and suggests only a bound under hash compaction', () => {
    const guard = new MemoryGuard({ memoryProbe: machine(300 * 2 ** 20) });
    const message = guard.check(sample(10_000, { compacted: true }));
    expect(message).toMatch(/what this machine has left/);
    expect(message).not.toMatch(/--hash-compaction/);
    expect(message).toMatch(/--max-states/);
  });

  it('stops when the V8 heap is nearly full', () => {
    const probe = { ...machine(8 * GiB), heapUsed: () => 3.9 * GiB };
    expect(new MemoryGuard({ memoryProbe: probe }).check(sample(1))).toMatch(/--max-old-space-size/);
  });
});

describe('explore under a memory limit', () => {
  it('ends incomplete, with the message for the user', async () => {
    for (const order of ['bfs', 'dfs'] as const) {
      const r = await explore(counters(8, 9), { order, maxMemoryBytes: 4 * 2 ** 20 });
      expect([r.verdict, r.incompleteReason]).toEqual(['incomplete', 'memory']);
      expect(r.memoryMessage).toMatch(/stopped before memory runs out: \d+ states take/);
      expect(r.stats.bytes).toBeLessThan(4 * 2 ** 20);
      expect(r.stats.states).toBeGreaterThan(10_000);
    }
  });

  it('does not stop a search that fits', async () => {
    const r = await explore(counters(3, 9), { maxMemoryBytes: 4 * 2 ** 20 });
    expect(r.verdict).toBe('verified');
    expect(r.memoryMessage).toBeUndefined();
  });
});
