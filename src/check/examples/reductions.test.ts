import { describe, expect, it } from 'vitest';
import { explore, type SearchResult } from '../index.ts';
import type { Model } from '../model.ts';
import { auditReductions } from '../reduce/audit.ts';
import { replay } from '../trace/trace.ts';
import { exploreEveryReduction } from './agree.ts';
import { counters } from './counters.ts';
import { dining } from './dining.ts';
import { orbits } from './enumerate.ts';
import { peterson } from './peterson.ts';
import { refcount } from './refcount.ts';

/*
 * Soundness of the reductions on every classic model and its buggy variant: each reduction, in either
 * order, must report the same verdict and the same set of violations (kind and code) as the full
 * search, store no more states, and give traces that replay from the initial state to a violating
 * state. Where a reduction applies (`por`, `symmetry` below), it must store strictly fewer states;
 * where it cannot (peterson: every move is visible; refcount without work: every move touches the
 * count; ordered dining: not symmetric), exactly as many.
 *
 * The counts with reductions are only as trustworthy as the models' footprints and canonicalize, so
 * each model is also audited (audit.ts) on all its reachable states.
 */

interface Case {
  name: string;
  model: Model;
  por: boolean;
  symmetry: boolean;
}

const cases: Case[] = [
  { name: 'counters(3, 3)', model: counters(3, 3), por: true, symmetry: true },
  { name: 'refcount(3, 2)', model: refcount(3, 2), por: false, symmetry: true },
  {
    name: 'refcount(3, 2, check-then-get)',
    model: refcount(3, 2, 'check-then-get'),
    por: false,
    symmetry: true,
  },
  { name: 'refcount(3, 1, work 2)', model: refcount(3, 1, 'correct', 2), por: true, symmetry: true },
  {
    name: 'refcount(3, 1, check-then-get, work 2)',
    model: refcount(3, 1, 'check-then-get', 2),
    por: true,
    symmetry: true,
  },
  { name: 'dining(4)', model: dining(4), por: true, symmetry: true },
  { name: 'dining(4, ordered)', model: dining(4, 'ordered'), por: true, symmetry: false },
  { name: 'peterson', model: peterson(), por: false, symmetry: false },
  { name: 'peterson(turn-first)', model: peterson('turn-first'), por: false, symmetry: false },
];

const found = (r: SearchResult): string[] => (r.violations ?? []).map((v) => `${v.kind}:${v.code}`).sort();

/** Replays the trace and checks that it ends where the violation says. */
function endsInViolation(model: Model, v: NonNullable<SearchResult['violation']>): boolean {
  const end = replay(model, v.trace).at(-1)!;
  if (v.kind === 'state') return model.violation(end) === v.code;
  const next = new Int32Array(model.stateWords);
  for (let a = 0; a < model.actorCount; a++) {
    if (model.isDaemon(a)) continue;
    for (let c = 0; c < model.choices(end, a); c++) if (model.step(end, a, c, next)) return false;
  }
  return model.quiescent(end) === v.code;
}

describe('reductions', () => {
  for (const { name, model, por, symmetry } of cases) {
    it(`${name}: the same violations in no more states, with traces that replay`, async () => {
      expect(auditReductions(model)).toEqual([]);
      const full = await explore(model, { findAll: true });
      for (const { name: config, result } of await exploreEveryReduction(model, { findAll: true })) {
        expect(result.verdict, config).toBe(full.verdict);
        expect(found(result), config).toEqual(found(full));
        for (const v of result.violations ?? []) expect(endsInViolation(model, v), config).toBe(true);
        const reduces = (config.includes('por') && por) || (config.includes('symmetry') && symmetry);
        if (reduces) expect(result.stats.states, config).toBeLessThan(full.stats.states);
        else expect(result.stats.states, config).toBe(full.stats.states);
      }
      // Stopping at the first violation: the same verdict, and a violation the full search knows.
      for (const { name: config, result } of await exploreEveryReduction(model)) {
        expect(result.verdict, config).toBe(full.verdict);
        if (result.violation === undefined) continue;
        expect(found(full), config).toContain(`${result.violation.kind}:${result.violation.code}`);
        expect(endsInViolation(model, result.violation), config).toBe(true);
      }
    });
  }

  it('stores one state per orbit with symmetry reduction, as brute force counts them', async () => {
    for (const { name, model } of cases.filter((c) => c.symmetry)) {
      const r = await explore(model, { symmetry: true, findAll: true });
      expect(r.stats.states, name).toBe(orbits(model));
    }
  });

  it('also agrees with hash compaction', async () => {
    const model = refcount(3, 1, 'check-then-get', 2);
    const exact = await explore(model, { por: true, symmetry: true, findAll: true });
    const compacted = await explore(model, {
      por: true,
      symmetry: true,
      findAll: true,
      hashCompaction: true,
    });
    expect(compacted.stats.states).toBe(exact.stats.states);
    expect(found(compacted)).toEqual(found(exact));
  });

  it('reports what ran and what it did; a model without the members is explored unreduced', async () => {
    const r = await explore(counters(3, 3), { por: true, symmetry: true });
    expect(r.stats.reduced).toEqual({
      por: true,
      symmetry: true,
      ampleStates: 9,
      provisoFallbacks: 0,
      canonicalized: expect.any(Number),
    });
    expect((await explore(counters(3, 3))).stats.reduced).toBeUndefined();
    const plain = peterson('turn-first');
    const { resourceCount: _r, observed: _o, footprint: _f, couldTouch: _c, ...bare } = plain;
    const unreduced = await explore(bare, { por: true, symmetry: true });
    expect(unreduced.stats.reduced).toEqual({
      por: false,
      symmetry: false,
      ampleStates: 0,
      provisoFallbacks: 0,
      canonicalized: 0,
    });
    expect(unreduced.stats.states).toBe((await explore(plain)).stats.states);
  });
});
