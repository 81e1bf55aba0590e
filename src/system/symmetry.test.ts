import { describe, expect, it } from 'vitest';
import { auditReductions } from '../check/index.ts';
import { findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import { loadScenario, parseScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import { enabledMoves, mulberry32 } from './schedule.ts';
import { exchangeGroups, symmetryGroups } from './symmetry.ts';
import { SvmSystem } from './system.ts';

/** P identical accel processes on one device (bench/svm-configs.ts's shape), each mmap()ing. */
function identical(P: number, dma: number, pages = 1): Scenario {
  const lines = [
    'name: identical',
    `pages: ${pages}`,
    'devices:',
    `  - { name: accel0, client: accel, ats: true, dma: ${dma} }`,
    'processes:',
    '  - name: proc',
    `    count: ${P}`,
    '    program:',
    '      - open: { device: accel0, fd: 3 }',
    '      - ioctl_bind: 3',
    '      - mmap: 3',
    '      - touch: 0',
    '      - exit',
  ];
  return parseScenario(lines.join('\n'), 'identical.yaml');
}

/**
 * P accel processes, process p on its own device accel<p> (bench/svm-configs.ts's D = P shape), the
 * devices alike unless `differ` names one to configure otherwise; each process mmap()s and touches
 * its buffer, so that the device-TLBs, the page request queue and the invalidation queue all work.
 */
function perDevice(P: number, dma: number, opts: { pages?: number; stream?: boolean; differ?: number } = {}) {
  const lines = ['name: per-device', `pages: ${opts.pages ?? 1}`, 'devices:'];
  for (let d = 0; d < P; d++) {
    const stream = opts.stream ? ', stream_requests: true' : '';
    const ats = d === opts.differ ? 'false' : 'true';
    lines.push(`  - { name: accel${d}, client: accel, ats: ${ats}, dma: ${dma}${stream} }`);
  }
  lines.push('processes:');
  for (let p = 0; p < P; p++)
    lines.push(
      `  - name: proc${p}`,
      '    program:',
      `      - open: { device: accel${p}, fd: 3 }`,
      '      - ioctl_bind: 3',
      '      - mmap: 3',
      '      - touch: 0',
      '      - exit',
    );
  return parseScenario(lines.join('\n'), 'per-device.yaml');
}

/**
 * Runs a seeded random schedule and, beside it, the mirrored schedule: the same moves with the task
 * actors exchanged by `perm`, and the actors of the devices the tasks bring along exchanged with
 * them. Every state of the mirror must be exactly the exchange of the original's (a word the
 * catalog misses shows up here), and both must canonicalize alike.
 */
function mirror(sc: Scenario, policy: string, perm: number[], seed: number, maxSteps = 400): number {
  const sys = new SvmSystem(sc, findPolicy(policy)!);
  const sym = sys.symmetry!;
  const w = sys.stateWords;
  let s = new Int32Array(w);
  let m = new Int32Array(w);
  let sNext = new Int32Array(w);
  let mNext = new Int32Array(w);
  const scratch = new Int32Array(w);
  const img = new Int32Array(w);
  const cs = new Int32Array(w);
  const cm = new Int32Array(w);
  const twice = new Int32Array(w);
  sys.init(s);
  sys.init(m);
  // The initial state is its own image (identical processes start alike).
  sym.setPermutation(perm);
  sym.apply(s, img);
  expect([...img]).toEqual([...m]);
  const rnd = mulberry32(seed);
  let steps = 0;
  for (; steps < maxSteps; steps++) {
    const moves = enabledMoves(sys, s, scratch);
    if (moves.length === 0) break;
    const { actor, choice } = moves[Math.floor(rnd() * moves.length)];
    expect(sys.step(s, actor, choice, sNext)).toBe(true);
    sym.setPermutation(perm);
    expect(sys.step(m, sym.actorImage(actor), choice, mNext)).toBe(true);
    [s, sNext] = [sNext, s];
    [m, mNext] = [mNext, m];

    sym.setPermutation(perm);
    sym.apply(s, img);
    const at = img.findIndex((v, i) => v !== m[i]);
    expect(at, `step ${steps + 1}: word ${at} of the exchanged state differs from the mirror's`).toBe(-1);
    // Each task's sort key is its image's: canonicalize's sort does not depend on the numbering.
    for (let t = 0; t < perm.length; t++)
      expect(sym.key(m, perm[t]), `step ${steps + 1}: key of task ${t}`).toBe(sym.key(s, t));

    cs.set(s);
    sys.canonicalize!(cs, scratch);
    cm.set(m);
    sys.canonicalize!(cm, scratch);
    expect([...cs]).toEqual([...cm]);
    // Idempotent, and the codes the explorer reads are those of the state itself.
    twice.set(cs);
    expect(sys.canonicalize!(twice, scratch)).toBe(false);
    expect([...twice]).toEqual([...cs]);
    expect(sys.violation(cs)).toBe(sys.violation(s));
    expect(sys.quiescent(cs)).toBe(sys.quiescent(s));
    if (sys.violation(s) !== 0) break;
  }
  return steps;
}

describe('symmetryGroups', () => {
  it('groups tasks with the same program, and leaves out forks and different programs', () => {
    expect(symmetryGroups(loadScenario('two-procs-one-device'))).toEqual([[0, 1]]);
    expect(symmetryGroups(identical(3, 1))).toEqual([[0, 1, 2]]);
    expect(symmetryGroups(loadScenario('seed-accel-dma'))).toEqual([]);
    const forked = parseScenario(
      [
        'name: f',
        'pages: 1',
        'devices:',
        '  - { name: accel0, client: accel, ats: true, dma: 0 }',
        'processes:',
        '  - name: a',
        '    program: [ { open: { device: accel0, fd: 3 } }, exit ]',
        '  - name: b',
        '    program: [ { open: { device: accel0, fd: 3 } }, exit ]',
        '  - name: parent',
        '    program: [ { fork: { name: child, program: [ exit ] } }, exit ]',
        '  - name: other',
        '    program: [ exit ]',
      ].join('\n'),
      'f.yaml',
    );
    // The child and `other` both run just exit, but the child is forked.
    const names = symmetryGroups(forked).map((g) => g.map((t) => forked.tasks[t].name));
    expect(names).toEqual([['a', 'b']]);
    expect(forked.tasks.map((t) => t.name).sort()).toEqual(['a', 'b', 'child', 'other', 'parent']);
  });

  it('brings each task its own device along when the devices are alike, and only then', () => {
    expect(exchangeGroups(perDevice(2, 1))).toEqual([{ tasks: [0, 1], devices: [0, 1] }]);
    expect(exchangeGroups(perDevice(3, 1))).toEqual([{ tasks: [0, 1, 2], devices: [0, 1, 2] }]);
    // accel1 without ATS: proc1 has no twin, proc0 and proc2 still do.
    expect(exchangeGroups(perDevice(3, 1, { differ: 1 }))).toEqual([{ tasks: [0, 2], devices: [0, 2] }]);
    expect(exchangeGroups(perDevice(2, 1, { differ: 1 }))).toEqual([]);
    expect(exchangeGroups(loadScenario('two-procs-one-device'))).toEqual([{ tasks: [0, 1], devices: null }]);
    // A device another task opens too cannot be exchanged: that task would see it renamed.
    const shared = parseScenario(
      [
        'name: s',
        'pages: 1',
        'devices:',
        '  - { name: accel0, client: accel, ats: true, dma: 1 }',
        '  - { name: accel1, client: accel, ats: true, dma: 1 }',
        'processes:',
        '  - name: a',
        '    program: [ { open: { device: accel0, fd: 3 } }, exit ]',
        '  - name: b',
        '    program: [ { open: { device: accel1, fd: 3 } }, exit ]',
        '  - name: c',
        '    program: [ { open: { device: accel1, fd: 3 } }, { open: { device: accel1, fd: 4 } }, exit ]',
      ].join('\n'),
      's.yaml',
    );
    expect(exchangeGroups(shared)).toEqual([]);
  });
});

describe('exchanging identical processes', () => {
  it('maps every state of a random schedule to the state of the mirrored schedule (two processes)', () => {
    let steps = 0;
    for (const policy of ['e57e58bd', 'v4.4', 'e57e58bd-no-release-clear'])
      for (let seed = 1; seed <= 12; seed++)
        steps += mirror(loadScenario('two-procs-one-device'), policy, [1, 0], seed);
    for (let seed = 1; seed <= 6; seed++)
      steps += mirror(loadScenario('two-procs-nowait'), 'e57e58bd', [1, 0], seed);
    expect(steps).toBeGreaterThan(500);
  });

  it('... and with three processes, two pages and DMA, under every exchange', () => {
    const sc = identical(3, 3, 2);
    const perms = [
      [1, 0, 2],
      [0, 2, 1],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    let steps = 0;
    for (const perm of perms)
      for (let seed = 1; seed <= 6; seed++) steps += mirror(sc, 'e57e58bd', perm, seed);
    expect(steps).toBeGreaterThan(500);
  });

  it('... and with two processes each on its own device, the devices exchanged with them', () => {
    let steps = 0;
    for (const policy of ['e57e58bd', 'v4.4', 'e57e58bd-no-release-clear'])
      for (let seed = 1; seed <= 10; seed++)
        steps += mirror(perDevice(2, 3, { pages: 2 }), policy, [1, 0], seed);
    for (let seed = 1; seed <= 6; seed++)
      steps += mirror(perDevice(2, 3, { stream: true }), 'e57e58bd', [1, 0], seed);
    expect(steps).toBeGreaterThan(500);
  });

  it('... and with three processes on three devices, under every exchange', () => {
    const sc = perDevice(3, 2);
    let steps = 0;
    for (const perm of [
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
    ])
      for (let seed = 1; seed <= 4; seed++) steps += mirror(sc, 'e57e58bd', perm, seed);
    expect(steps).toBeGreaterThan(300);
  });

  it("reads a task's device into its key, and only that task's", () => {
    const sys = new SvmSystem(perDevice(2, 2), findPolicy('e57e58bd')!);
    const sym = sys.symmetry!;
    const s = new Int32Array(sys.stateWords);
    sys.init(s);
    const keys = [sym.key(s, 0), sym.key(s, 1)];
    expect(keys[0]).toBe(keys[1]);
    // One DMA attempt fewer left on accel1: proc1's key sees it, proc0's does not.
    s[sys.hw.devBlock(1)]--;
    expect(sym.key(s, 0)).toBe(keys[0]);
    expect(sym.key(s, 1)).not.toBe(keys[1]);
  });

  it("passes the explorer's audit with devices exchanged", () => {
    for (const policy of ['e57e58bd', 'v4.4']) {
      const sys = new SvmSystem(perDevice(2, 2), findPolicy(policy)!);
      expect(auditReductions(sys, { maxStates: 3000 })).toEqual([]);
    }
  });

  it("passes the explorer's audit: a representative has the successors of its state, up to canonicalization", () => {
    const sys = new SvmSystem(loadScenario('two-procs-one-device'), findPolicy('e57e58bd')!);
    expect(auditReductions(sys, { maxStates: 3000 })).toEqual([]);
  });

  it('gives an unchanged state when the processes are already in order, and says when it changed', () => {
    const sys = new SvmSystem(loadScenario('two-procs-one-device'), findPolicy('e57e58bd')!);
    const s = new Int32Array(sys.stateWords);
    const next = new Int32Array(sys.stateWords);
    const scratch = new Int32Array(sys.stateWords);
    sys.init(s);
    expect(sys.canonicalize!(s, scratch)).toBe(false);
    // proc1 opens its file: the exchange that puts proc1's state first is the representative
    // of one of the two states "proc0 opened" and "proc1 opened", and the other canonicalizes to it.
    const a = new Int32Array(sys.stateWords);
    const b = new Int32Array(sys.stateWords);
    expect(sys.step(s, 0, 0, next)).toBe(true);
    a.set(next);
    expect(sys.step(s, 1, 0, next)).toBe(true);
    b.set(next);
    expect([...a]).not.toEqual([...b]);
    const changedA = sys.canonicalize!(a, scratch);
    const changedB = sys.canonicalize!(b, scratch);
    expect([...a]).toEqual([...b]);
    expect([changedA, changedB].sort()).toEqual([false, true]);
  });
});

describe('representatives', () => {
  it('do not depend on which systems the thread built before', () => {
    // Frames hold routine ids, and ties are settled by the least vector: a system built after
    // others must number its routines as the first one did, or it keeps other representatives.
    const sc = loadScenario('two-procs-one-device');
    const first = new SvmSystem(sc, findPolicy('e57e58bd')!);
    for (const p of ['v4.4', 'e57e58bd-no-fault-pin', 'e57e58bd'])
      new SvmSystem(loadScenario('seed-accel-dma'), findPolicy(p)!);
    const later = new SvmSystem(sc, findPolicy('e57e58bd')!);
    const run = (sys: SvmSystem): Int32Array[] => {
      const w = sys.stateWords;
      let s = new Int32Array(w);
      const next = new Int32Array(w);
      const scratch = new Int32Array(w);
      sys.init(s);
      const rnd = mulberry32(7);
      const seen: Int32Array[] = [];
      for (let k = 0; k < 300; k++) {
        const moves = enabledMoves(sys, s, scratch);
        if (moves.length === 0) break;
        const { actor, choice } = moves[Math.floor(rnd() * moves.length)];
        sys.step(s, actor, choice, next);
        s = Int32Array.from(next);
        const rep = Int32Array.from(s);
        sys.canonicalize!(rep, scratch);
        seen.push(rep);
      }
      return seen;
    };
    const a = run(first);
    const b = run(later);
    expect(a.length).toBeGreaterThan(20);
    expect(b.map((s) => [...s])).toEqual(a.map((s) => [...s]));
  });
});
