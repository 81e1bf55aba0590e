import { describe, expect, it } from 'vitest';
import { explore } from '../index.ts';
import type { Model } from '../model.ts';
import { replay } from '../trace/trace.ts';
import { flagWait, politeRetry } from './livelock.ts';
import { peterson } from './peterson.ts';

/** The states along a livelock's cycle, from its entry back to it. */
function cycleStates(model: Model, stemLength: number, trace: { actor: number; choice: number }[]) {
  return replay(model, trace).slice(stemLength);
}

describe('livelock: flagWait', () => {
  /*
   * never-set, by hand. The flag stays 0, so the waiter never moves and waits in every state:
   * (setter pc, tick) in {0,1}^2, 4 states, all on cycles (the ticker flips for ever). BFS numbers
   * them: 0 = init (0, 0); then the setter's move, 1 = (1, 0); then the ticker's, 2 = (0, 1).
   * The cycle {(0,0), (0,1)} is unfair: the setter can move in both and never does. The cycle
   * {(1,0), (1,1)} is fair: the setter is done, the waiter blocked, and the ticker ticks. Its least
   * index is 1, so the lasso is: stem = the setter's step, cycle = two ticks.
   */
  it('never-set: the waiter waits for ever while the ticker ticks; stem 1, cycle 2', async () => {
    const model = flagWait('never-set');
    const r = await explore(model, { liveness: true });
    expect(r.verdict).toBe('violation');
    const v = r.violation!;
    expect(v.kind).toBe('livelock');
    expect(v.code).toBe(1);
    expect(v.lasso?.stem).toEqual([{ actor: 1, choice: 0 }]);
    expect(v.lasso?.cycle).toEqual([
      { actor: 2, choice: 0 },
      { actor: 2, choice: 0 },
    ]);
    expect(v.lasso?.waiting).toEqual([0]);
    expect(v.trace).toEqual([...v.lasso!.stem, ...v.lasso!.cycle]);
    expect(v.depth).toBe(3);
    const loop = cycleStates(model, 1, v.trace);
    expect(loop[0]).toEqual(loop[loop.length - 1]);
    expect(r.stats.liveness).toMatchObject({ cyclicStates: 4, waitingStates: 4, edges: 6 });
  });

  it('never-set: without liveness the search sees nothing wrong (no state ever settles)', async () => {
    const r = await explore(flagWait('never-set'));
    expect(r.verdict).toBe('verified');
    expect(r.stats.liveness).toBeUndefined();
  });

  /*
   * set, by hand: 6 states, (waiter, setter, flag) in {(0,0,0), (0,1,1), (1,1,1)} times tick, all on
   * the ticker's cycles. The waiter waits in the 4 with waiter pc 0, which form two components:
   * setter pc 0 (the setter could move in both states and never does: unfair) and setter pc 1 (the
   * flag is up, so the waiter itself could move in both and never does: unfair). So there are cycles
   * where the waiter starves, and none is weakly fair.
   */
  it('set: starvation only under an unfair schedule is not reported', async () => {
    const r = await explore(flagWait('set'), { liveness: true });
    expect(r.verdict).toBe('verified');
    expect(r.stats.states).toBe(6);
    expect(r.stats.liveness).toMatchObject({ cyclicStates: 6, waitingStates: 4 });
  });

  /*
   * set-when-even: the setter can move only when tick is 0. The initial component {(0,0), (0,1)} (setter
   * pc, tick) has the setter disabled at tick 1, so a schedule that flips past it is weakly fair: a
   * livelock from the initial state, stem empty, cycle two ticks.
   */
  it('set-when-even: weak fairness does not oblige an intermittently enabled setter; reported', async () => {
    const r = await explore(flagWait('set-when-even'), { liveness: true });
    const v = r.violation!;
    expect(v.kind).toBe('livelock');
    expect(v.lasso?.stem).toEqual([]);
    expect(v.lasso?.cycle.map((t) => t.actor)).toEqual([2, 2]);
  });
});

describe('livelock: flagWait with a spinning waiter', () => {
  /*
   * never-set, spinning, by hand: (waiter pc 0/1, setter pc, tick), 8 states, the waiter waiting in
   * all. BFS: 0 = init; its successors by actor order, 1 = waiter (1,0,0), 2 = setter (0,1,0), 3 =
   * ticker (0,0,1). While the setter has not run, it could move all along: unfair. Once it has, the
   * waiter and the ticker can both move all along, so a fair cycle has both: two spin steps and two
   * ticks, four in all, from state 2 (stem: the setter's step).
   */
  it('never-set: reported, the cycle has the spin steps and the ticks', async () => {
    const r = await explore(flagWait('never-set', 'spins'), { liveness: true });
    const v = r.violation!;
    expect(v.kind).toBe('livelock');
    expect(v.lasso?.stem).toEqual([{ actor: 1, choice: 0 }]);
    expect(v.lasso?.cycle.map((t) => t.actor).sort()).toEqual([0, 0, 2, 2]);
    expect(r.stats.liveness).toMatchObject({ cyclicStates: 8, waitingStates: 8 });
  });

  /* set, spinning: once the flag is up the waiter's next test ends its spin, so no cycle keeps it waiting fairly. */
  it('set: not reported', async () => {
    const r = await explore(flagWait('set', 'spins'), { liveness: true });
    expect(r.verdict).toBe('verified');
    expect(r.stats.liveness?.cyclicStates).toBeGreaterThan(0);
  });
});

describe('livelock: politeRetry', () => {
  /*
   * From the initial state both can raise their flags, both see the other's, both back off, and the
   * state is the initial one again: each actor waits all along, and both step, so the cycle is fair.
   * Each round is at least three moves of each actor (raise, look, lower), so the cycle is at least 6.
   */
  it('two actors backing off from each other for ever: a fair livelock from the initial state', async () => {
    const model = politeRetry();
    const r = await explore(model, { liveness: true });
    const v = r.violation!;
    expect(v.kind).toBe('livelock');
    expect(v.code).toBe(1);
    expect(v.lasso?.stem).toEqual([]);
    expect(v.lasso?.waiting).toEqual([0, 1]);
    const cycle = v.lasso!.cycle;
    expect(cycle.length).toBeGreaterThanOrEqual(6);
    expect(new Set(cycle.map((t) => t.actor))).toEqual(new Set([0, 1]));
    const loop = cycleStates(model, 0, v.trace);
    expect(loop[0]).toEqual(new Int32Array(4));
    expect(loop[loop.length - 1]).toEqual(new Int32Array(4));
    for (const s of loop) expect([s[0] < 3, s[1] < 3]).toEqual([true, true]);
  });

  it('with findAll: one livelock per waiting actor, codes 1 and 2', async () => {
    const r = await explore(politeRetry(), { liveness: true, findAll: true });
    expect(r.violations?.map((v) => [v.kind, v.code])).toEqual([
      ['livelock', 1],
      ['livelock', 2],
    ]);
  });

  it('finds the same lasso with hash compaction', async () => {
    const exact = await explore(politeRetry(), { liveness: true });
    const compacted = await explore(politeRetry(), { liveness: true, hashCompaction: true });
    expect(compacted.violation?.lasso).toEqual(exact.violation?.lasso);
  });

  it('finds the cycle within a depth bound that contains it, and reports the search incomplete otherwise', async () => {
    const deep = await explore(politeRetry(), { liveness: true, maxDepth: 3 });
    expect(deep.violation?.kind).toBe('livelock');
    const shallow = await explore(politeRetry(), { liveness: true, maxDepth: 1 });
    expect(shallow.verdict).toBe('incomplete');
  });
});

describe('livelock: peterson', () => {
  /* Starvation-free under weak fairness (peterson.ts), although every one of its 32 states is on a cycle. */
  it('the correct order: no livelock, though every state lies on a cycle', async () => {
    const r = await explore(peterson(), { liveness: true });
    expect(r.verdict).toBe('verified');
    expect(r.stats.liveness?.cyclicStates).toBe(32);
    expect(r.stats.liveness?.waitingStates).toBeGreaterThan(0);
  });

  it('turn-first: the safety violation is reported, not a livelock', async () => {
    const r = await explore(peterson('turn-first'), { liveness: true });
    expect(r.violation?.kind).toBe('state');
    expect(r.stats.liveness).toBeUndefined();
  });
});

describe('livelock: options', () => {
  it('refuses depth-first order and reductions, saying why', async () => {
    await expect(explore(politeRetry(), { liveness: true, order: 'dfs' })).rejects.toThrow(/breadth-first/);
    await expect(explore(politeRetry(), { liveness: true, por: true })).rejects.toThrow(/full state graph/);
    await expect(explore(politeRetry(), { liveness: true, symmetry: true })).rejects.toThrow(
      /full state graph/,
    );
  });

  it('refuses the threaded searches, whose graphs are not kept', async () => {
    const source = { module: 'unused', exportName: 'unused', args: [] };
    await expect(explore(politeRetry(), { liveness: true, workers: 2, source })).rejects.toThrow(/liveness/);
    await expect(explore(politeRetry(), { liveness: true, swarm: 2, source })).rejects.toThrow(/liveness/);
  });

  it('a model without waiting has no livelock', async () => {
    const { waiting: _w, ...model } = politeRetry();
    const r = await explore(model, { liveness: true });
    expect(r.verdict).toBe('verified');
    expect(r.stats.liveness?.waitingStates).toBe(0);
  });
});
