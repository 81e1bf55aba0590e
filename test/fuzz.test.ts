/**
 * The fuzzing properties of test/fuzz/fuzz.ts with a fixed seed and a small budget, so that
 * `npm test` runs them every time; `npm run fuzz` runs them long.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzDifferential, fuzzPolicies, fuzzScenarios, fuzzTraces } from './fuzz/fuzz.ts';

const seed = 16;

describe('fuzzing (fixed seed, small budget)', () => {
  it('mutated and generated scenarios end in exit 0–3, never an internal error', async () => {
    const r = await fuzzScenarios({ runs: 60, seed, maxStates: 500 });
    expect(r.failures).toEqual([]);
    expect(r.exits[2]).toBeGreaterThan(0);
    expect(r.exits[0] + r.exits[1] + r.exits[3]).toBeGreaterThan(0);
  }, 120_000);

  it('tampered traces are refused, or replay identically', async () => {
    const r = await fuzzTraces({ runs: 60, seed });
    expect(r.failures).toEqual([]);
    expect(r.exits[2]).toBeGreaterThan(0);
  }, 120_000);

  it('garbage policies get clear errors or verdicts, never an internal error', async () => {
    const r = await fuzzPolicies({ runs: 60, seed, maxStates: 500 });
    expect(r.failures).toEqual([]);
    expect(r.exits[2]).toBeGreaterThan(0);
  }, 120_000);

  it('every reduction and search order gives the same verdict, kinds and shortest lengths', async () => {
    const r = await fuzzDifferential({ runs: 6, seed, maxStates: 20_000, workersEvery: 3 });
    expect(r.failures).toEqual([]);
    expect(r.compared).toBeGreaterThan(0);
  }, 300_000);

  it('a case whose findAll search a limit cut short is skipped, not compared', async () => {
    // Found by --differential 1000 (seed 16016): cut at 30,000 states, the searches with symmetry
    // reach deeper levels and one more kind, and their verdict is 'violation' all the same.
    const text = [
      'name: gen',
      'pages: 2',
      'devices:',
      '  - { name: dev0, client: accel-nowait, ats: true, dma: 2 }',
      'processes:',
      '  - { name: p0, count: 2, program: [{ open: { device: dev0, fd: 3 } }, munmap: 3, touch: 0, ioctl_bind: 3, close: 3] }',
      '  - { name: p1, count: 1, program: [{ open: { device: dev0, fd: 3 } }, close: 3] }',
      '',
    ].join('\n');
    const r = await fuzzDifferential({ runs: 1, seed, workersEvery: 0, scenarios: fc.constant(text) });
    expect(r.failures).toEqual([]);
    expect([r.compared, r.skipped, r.skippedBy]).toEqual([
      0,
      1,
      { 'bfs por=false symmetry=false: max-states': 1 },
    ]);
  }, 120_000);
});
