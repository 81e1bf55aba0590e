/**
 * The fuzzing properties of test/fuzz/fuzz.ts with a fixed seed and a small budget, so that
 * `npm test` runs them every time; `npm run fuzz` runs them long.
 */
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
});
