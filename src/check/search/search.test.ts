import { describe, expect, it } from 'vitest';
import { counters, countersStates } from '../examples/counters.ts';
import { withDaemon as daemonModel } from '../examples/daemon.ts';
import { dining } from '../examples/dining.ts';
import { enumerate } from '../examples/enumerate.ts';
import { peterson } from '../examples/peterson.ts';
import { refcount } from '../examples/refcount.ts';
import { explore, type Progress, type SearchResult } from '../index.ts';
import type { Model } from '../model.ts';
import { replay } from '../trace/trace.ts';

const withDaemon = daemonModel();

/** One actor guessing a number 0..5 in one step (six choices); 3 is a state violation, 5 a deadlock. */
const guess: Model = {
  stateWords: 1,
  actorCount: 1,
  init: (out) => out.fill(-1),
  choices: (s) => (s[0] < 0 ? 6 : 0),
  step(src, _a, c, out) {
    if (src[0] >= 0) return false;
    out[0] = c;
    return true;
  },
  violation: (s) => (s[0] === 3 ? 1 : 0),
  quiescent: (s) => (s[0] === 5 ? 2 : 0),
  isDaemon: () => false,
};

const repeatable = (r: SearchResult) => ({
  ...r,
  stats: { ...r.stats, seconds: 0, bytes: 0, bytesPerState: 0 },
});

describe('explore', () => {
  it('checks quiescence where only daemons can move', async () => {
    for (const order of ['bfs', 'dfs'] as const) {
      const r = await explore(withDaemon, { order });
      expect(r.verdict).toBe('violation');
      expect(r.violation).toMatchObject({ kind: 'quiescent', code: 7, depth: 2 });
      expect(r.violation?.trace).toEqual([
        { actor: 0, choice: 0 },
        { actor: 1, choice: 0 },
      ]);
    }
  });

  it('records the choice taken, and with findAll reports each violation, shortest first', async () => {
    for (const order of ['bfs', 'dfs'] as const) {
      const r = await explore(guess, { order, findAll: true });
      expect(r.verdict).toBe('violation');
      expect(r.stats.states).toBe(7);
      expect(r.violations?.map((v) => [v.kind, v.code, v.trace])).toEqual([
        ['state', 1, [{ actor: 0, choice: 3 }]],
        ['quiescent', 2, [{ actor: 0, choice: 5 }]],
      ]);
      expect(r.violation).toEqual(r.violations?.[0]);
    }
  });

  it('reports a violating initial state with an empty trace', async () => {
    for (const order of ['bfs', 'dfs'] as const) {
      const r = await explore({ ...guess, violation: () => 9 }, { order });
      expect(r.violation).toEqual({ code: 9, kind: 'state', trace: [], depth: 0 });
      expect(r.stats.states).toBe(1);
    }
  });

  it('is deterministic: the same model and options give the same result', async () => {
    for (const order of ['bfs', 'dfs'] as const) {
      for (const model of [dining(5), refcount(3, 2, 'check-then-get'), peterson('turn-first')]) {
        const a = await explore(model, { order });
        const b = await explore(model, { order });
        expect(repeatable(b)).toEqual(repeatable(a));
        // Hash compaction changes what is stored, not the order of the search.
        const c = await explore(model, { order, hashCompaction: true });
        expect(c.violation).toEqual(a.violation);
      }
    }
  });

  it('shortens a DFS trace to the length of a shortest one', async () => {
    const model = refcount(3, 2, 'check-then-get');
    const r = await explore(model, { order: 'dfs' });
    expect(r.stats.maxDepth).toBeGreaterThan(r.violation!.depth);
    expect(r.violation!.depth).toBe(enumerate(model).shortestViolation);
  });

  it('keeps the DFS trace when the shortening search is stopped', async () => {
    let polls = 0;
    const model = peterson('turn-first');
    // The first poll is before the DFS, which is done within one slice; the next is the BFS's.
    const r = await explore(model, { order: 'dfs', shouldStop: () => polls++ > 0 });
    expect(r.verdict).toBe('violation');
    expect(r.violation!.depth).toBeGreaterThan(enumerate(model).shortestViolation);
    const last = replay(model, r.violation!.trace).at(-1)!;
    expect(model.violation(last)).toBe(r.violation!.code);
  });

  it('stops at maxStates, incomplete, with statistics', async () => {
    for (const order of ['bfs', 'dfs'] as const) {
      for (const hashCompaction of [false, true]) {
        const r = await explore(counters(6, 9), { order, hashCompaction, maxStates: 5000 });
        expect(r.verdict).toBe('incomplete');
        expect(r.incompleteReason).toBe('max-states');
        expect(r.violation).toBeUndefined();
        expect(r.stats.states).toBe(5000);
        expect(r.stats.transitions).toBeGreaterThan(4999);
        expect(r.stats.bytesPerState).toBeGreaterThan(0);
        expect(r.stats.omissionProbability === undefined).toBe(!hashCompaction);
      }
    }
  });

  it('is incomplete when maxDepth keeps states out, and verified when it does not', async () => {
    for (const order of ['bfs', 'dfs'] as const) {
      const cut = await explore(counters(3, 3), { order, maxDepth: 2 });
      expect([cut.verdict, cut.incompleteReason, cut.stats.states]).toEqual(['incomplete', 'max-depth', 10]);
      const whole = await explore(counters(3, 3), { order, maxDepth: 9 });
      expect([whole.verdict, whole.stats.states]).toEqual(['verified', 64]);
    }
  });

  it('stops when asked: at once, or from a timer while the search runs', async () => {
    const big = counters(8, 9); // 10^8 states: never finished here
    const atOnce = await explore(big, { shouldStop: () => true });
    expect([atOnce.verdict, atOnce.incompleteReason, atOnce.stats.states]).toEqual([
      'incomplete',
      'stopped',
      1,
    ]);

    for (const order of ['bfs', 'dfs'] as const) {
      let stop = false;
      const timer = setTimeout(() => {
        stop = true;
      }, 150);
      const r = await explore(big, { order, shouldStop: () => stop });
      clearTimeout(timer);
      expect([r.verdict, r.incompleteReason]).toEqual(['incomplete', 'stopped']);
      expect(r.stats.states).toBeGreaterThan(1000);
      expect(r.stats.seconds).toBeLessThan(5);
    }
  });

  it('stops at maxSeconds', async () => {
    const r = await explore(counters(8, 9), { maxSeconds: 0.2 });
    expect([r.verdict, r.incompleteReason]).toEqual(['incomplete', 'max-seconds']);
    expect(r.stats.seconds).toBeGreaterThanOrEqual(0.2);
    expect(r.stats.seconds).toBeLessThan(3);
  });

  it('reports progress between slices and once at the end', async () => {
    const seen: Progress[] = [];
    const r = await explore(counters(5, 11), { progressIntervalMs: 0, onProgress: (p) => seen.push(p) });
    expect(r.stats.states).toBe(countersStates(5, 11));
    expect(seen.length).toBeGreaterThan(1);
    const last = seen.at(-1)!;
    expect([last.states, last.transitions, last.maxDepth]).toEqual([
      r.stats.states,
      r.stats.transitions,
      r.stats.maxDepth,
    ]);
    for (let i = 1; i < seen.length; i++) expect(seen[i].states).toBeGreaterThanOrEqual(seen[i - 1].states);
    expect(last.memoryBytes).toBeGreaterThan(0);
    expect(last.statesPerSecond).toBeGreaterThan(0);
  });

  it('rejects bad options and models with a message saying what is wrong', async () => {
    await expect(explore(counters(2, 2), { order: 'sideways' as 'bfs' })).rejects.toThrow(/'bfs' or 'dfs'/);
    await expect(explore(counters(2, 2), { maxStates: 0 })).rejects.toThrow(
      /maxStates must be a number >= 1/,
    );
    await expect(explore({ ...guess, stateWords: 0 })).rejects.toThrow(
      /stateWords must be a positive integer/,
    );
    await expect(explore({ ...guess, choices: () => 300 })).rejects.toThrow(
      /300 choices for actor 0; at most 256/,
    );
    await expect(explore({ ...guess, resourceCount: 1 }, { por: true })).rejects.toThrow(
      /not observed, footprint, couldTouch; partial-order reduction needs/,
    );
  });

  it('refuses a trace that does not reproduce its violation on replay', async () => {
    let calls = 0;
    // A violation that depends on something besides the state: the first check of state 3 only.
    const flaky: Model = { ...guess, violation: (s) => (s[0] === 3 && calls++ === 0 ? 1 : 0) };
    await expect(explore(flaky)).rejects.toThrow(/from the state vector alone/);
  });
});
