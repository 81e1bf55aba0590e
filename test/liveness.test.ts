/**
 * Livelock detection on the SVM model (issue 14, part 6): the verified seed must have none. Today
 * every scenario ends (finite programs, a finite DMA budget per device), so its state graph has no
 * cycle at all and this is the cheap half of the claim; what it does check is that `waiting` sees the
 * kernel actors that block (on the invalidation queue's completion, a mutex, the drain of page
 * requests) and that keeping the graph changes nothing of the search.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore } from '../src/check/index.ts';
import { findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { SvmSystem } from '../src/system/system.ts';

describe('liveness on the SVM model', () => {
  it('seed-accel-dma under e57e58bd: no livelock, the same states and transitions as without', async () => {
    const sys = new SvmSystem(loadScenario('seed-accel-dma'), findPolicy('e57e58bd')!);
    const plain = await explore(sys, { order: 'bfs' });
    const live = await explore(sys, { order: 'bfs', liveness: true });
    expect(live.verdict).toBe('verified');
    expect([live.stats.states, live.stats.transitions]).toEqual([
      plain.stats.states,
      plain.stats.transitions,
    ]);
    expect(live.stats.liveness?.edges).toBe(plain.stats.transitions);
    // Every interleaving ends: no state lies on a cycle.
    expect(live.stats.liveness?.cyclicStates).toBe(0);
    expect(live.stats.liveness?.waitingStates).toBeGreaterThan(0);
  });

  it.each([
    ['seed-accel-mmap', 'e57e58bd'],
    ['seed-gfx', 'v4.4'],
    ['seed-gfx', 'e57e58bd'],
    ['seed-accel-close', 'v4.4'],
    ['seed-accel-close', 'e57e58bd'],
  ])('%s under %s (verified, SPEC §5): no livelock either', async (scenario, policy) => {
    const sys = new SvmSystem(loadScenario(scenario), findPolicy(policy)!);
    const r = await explore(sys, { order: 'bfs', liveness: true });
    expect(r.verdict).toBe('verified');
    expect(r.stats.liveness?.cyclicStates).toBe(0);
  });

  it('a kernel actor waits exactly when it is stuck mid-routine with its step blocked', () => {
    const sys = new SvmSystem(loadScenario('seed-accel-dma'), findPolicy('e57e58bd')!);
    const s = new Int32Array(sys.stateWords);
    const next = new Int32Array(sys.stateWords);
    sys.init(s);
    // Initially every kernel actor can move or is idle (the page-request thread waits for an
    // interrupt at its idle step, which is no livelock by itself); devices and caches never wait.
    for (let a = 0; a < sys.actorCount; a++) expect(sys.waiting(s, a), sys.actors[a].name).toBe(false);
    // Walk the first moves of the process until it submits an invalidation and waits for the
    // queue: it waits then, and the queue's moves free it.
    const proc = 0;
    const qi = sys.actors.findIndex((x) => x.kind === 'iommu-qi');
    let steps = 0;
    while (!sys.waiting(s, proc)) {
      expect(sys.step(s, proc, 0, next), `process step ${steps}`).toBe(true);
      s.set(next);
      if (++steps > 200) throw new Error('the process never waited');
    }
    expect(sys.step(s, proc, 0, next)).toBe(false);
    // The queue works through the submitted descriptors one per move; then the process goes on.
    let qiMoves = 0;
    while (sys.waiting(s, proc)) {
      expect(sys.step(s, qi, 0, next), `queue move ${qiMoves}`).toBe(true);
      s.set(next);
      if (++qiMoves > 8) throw new Error('the queue never completed the wait');
    }
    expect(qiMoves).toBeGreaterThan(0);
    expect(sys.step(s, proc, 0, next)).toBe(true);
  });
});

describe('svmsim check --liveness', () => {
  const bin = join(import.meta.dirname, '..', 'bin', 'svmsim.js');
  const svmsim = (...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('verifies the seed with livelocks looked for, unreduced, and gives the graph in JSON', () => {
    const r = svmsim('check', 'seed-accel-dma', '-p', 'e57e58bd', '--liveness', '--json');
    expect(r.code).toBe(0);
    const [res] = JSON.parse(r.out).results;
    expect(res.verdict).toBe('verified');
    expect(res.stats.reduced).toBeUndefined();
    expect(res.stats.liveness).toMatchObject({ edges: res.stats.transitions, cyclicStates: 0 });
    const text = svmsim('check', 'seed-accel-dma', '-p', 'e57e58bd', '--liveness');
    expect(text.out).toContain('livelock or deadlock in any interleaving');
  });

  /*
   * No scenario has a cycle today, so a livelock trace file can only be made by hand: a leak's trace
   * relabelled as a livelock must be refused by replay, which judges the lasso as the explorer does.
   */
  it('replay refuses a trace file whose recorded livelock is no lasso', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svmsim-'));
    const file = join(dir, 'leak.itf.json');
    expect(svmsim('check', 'seed-accel-dma', '-p', 'v4.4', '--trace-out', file).code).toBe(1);
    const t = JSON.parse(readFileSync(file, 'utf8'));
    const steps = t['#meta'].svmsim.steps.length;
    const relabel = (cycleStart: number) => {
      t['#meta'].svmsim.violation = { kind: 'livelock', message: 'relabelled', cycleStart };
      const out = join(dir, `livelock-${cycleStart}.itf.json`);
      writeFileSync(out, JSON.stringify(t));
      return svmsim('replay', out);
    };
    const notBack = relabel(0);
    expect(notBack.code).toBe(2);
    expect(notBack.err).toContain('does not return to the state it began in');
    const outside = relabel(steps);
    expect(outside.code).toBe(2);
    expect(outside.err).toContain(`must be a step index in 0..${steps - 1}`);
  });

  it('refuses the searches that keep no graph, exit 2', () => {
    for (const other of [['--dfs'], ['--swarm', '2'], ['--workers', '2']]) {
      const r = svmsim('check', 'seed-accel-dma', '--liveness', ...other);
      expect(r.code, other[0]).toBe(2);
      expect(r.err, other[0]).toContain("'--liveness' cannot be used with option");
    }
  });
});
