import { describe, expect, it } from 'vitest';
import { scenarioYaml } from '../../bench/svm-configs.ts';
import { builtinPolicies, findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import { svmRoutines } from '../drivers/iommu/intel/svm.ts';
import { builtinScenarios, loadScenario, parseScenario } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import { SvmSystem } from './system.ts';
import { oneProcess, recording } from './testing.ts';

/** Deterministic choices for the random walks (xorshift32). */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

interface Audit {
  /** Moves found own (OwnMoves.isOwn) and checked. */
  ownMoves: number;
  moves: number;
  problems: string[];
}

/**
 * Runs moves of `sys` under the recording memory and checks what system/footprint.ts relies on:
 * - a step declared ownWordsOnly touches only its actor's own words, but the violation record:
 *   the kernel's run loop reads `violation` after every step (0 in every state the search expands,
 *   until the actor itself fails), and a call past the stack's depth writes the record, which
 *   makes OwnMoves.isOwn refuse the move;
 * - a move OwnMoves.isOwn calls own touches only its actor's own words, and reads `violation`;
 * - no move touches another kernel actor's own words, but a fork's of its child's.
 * Every move from `limit` states in breadth-first order, then `walks` random runs to the end.
 */
function audit(sys: SvmSystem, limit: number, walks: number): Audit {
  const w = sys.world;
  const own = sys.own;
  const kactors = w.dims.kactors;
  const result: Audit = { ownMoves: 0, moves: 0, problems: [] };
  const problem = (text: string) => {
    if (result.problems.length < 20 && !result.problems.includes(text)) result.problems.push(text);
  };
  let actor = 0;
  let ownMove = false;
  let step = '';
  let declared = false;
  const record = w.kernel.base + w.kernel.def.names.indexOf('violation');
  const isRecord = (i: number) => i >= record && i < record + 4;
  const touch = (i: number, write: boolean) => {
    const mine = actor < kactors && own.ownWord(actor, i);
    if (declared && !mine && !isRecord(i)) problem(`${step} is declared ownWordsOnly but touched word ${i}`);
    if (ownMove && !mine && (write || i !== record))
      problem(`an own move of ${sys.actors[actor].name} (${step}) touched word ${i}`);
    for (let b = 0; b < kactors; b++)
      if (b !== actor && own.ownWord(b, i) && !own.forks[actor]?.includes(b))
        problem(
          `${sys.actors[actor].name} (${step || 'hardware'}) touched word ${i} of ${sys.actors[b].name}`,
        );
  };
  sys.kernel.onStep = (r, pc) => {
    step = `${r.name}:${r.labels[pc]}`;
    declared = r.ownOnly[pc] === 1;
  };
  /** Every enabled move from `s`, each checked; returns the successors. */
  const expand = (s: Int32Array): Int32Array[] => {
    const next: Int32Array[] = [];
    if (sys.violation(s) !== 0) return next;
    for (let a = 0; a < sys.actorCount; a++) {
      for (let c = 0; c < sys.choices(s, a); c++) {
        const out = new Int32Array(sys.stateWords);
        if (!sys.step(s, a, c, out)) continue;
        next.push(out);
        actor = a;
        ownMove = own.isKernelActor(a) && own.isOwn(s, a);
        step = '';
        declared = false;
        const copy = Int32Array.from(s);
        w.s = recording(copy, touch);
        try {
          sys.act(a, c);
        } finally {
          w.s = s;
        }
        result.moves++;
        if (ownMove) result.ownMoves++;
      }
    }
    return next;
  };
  try {
    const init: Int32Array = new Int32Array(sys.stateWords);
    sys.init(init);
    const seen = new Set<string>([init.join()]);
    const queue: Int32Array[] = [init];
    for (let n = 0; n < limit && n < queue.length; n++) {
      for (const t of expand(queue[n])) {
        const key = t.join();
        if (!seen.has(key)) {
          seen.add(key);
          queue.push(t);
        }
      }
    }
    const random = rng(0x5eed);
    for (let k = 0; k < walks; k++) {
      let s: Int32Array = init;
      for (let depth = 0; depth < 500; depth++) {
        const next = expand(s);
        if (next.length === 0) break;
        s = next[Math.floor(random() * next.length)];
      }
    }
  } finally {
    sys.kernel.onStep = null;
  }
  return result;
}

const forking = oneProcess(
  [
    'open: { device: dev0, fd: 3 }',
    'ioctl_bind: 3',
    'mmap: 3',
    'fork: { name: child, program: [exit] }',
    'exit',
  ],
  { dma: 1 },
);

describe('own moves (partial-order reduction footprints)', () => {
  type Case = [string, string, () => Scenario];
  const cases: Case[] = [
    ...builtinScenarios().flatMap((name) =>
      builtinPolicies.map((p): Case => [name, p.name, () => loadScenario(name)]),
    ),
    ...['v4.4', 'e57e58bd'].map((p): Case => ['fork', p, () => parseScenario(forking, 'fork.yaml')]),
    ...['v4.4', 'e57e58bd'].map(
      (p): Case => [
        'bench P2 D2 F1',
        p,
        () => parseScenario(scenarioYaml({ P: 2, D: 2, F: 1, MMAP: 3 }), 'bench.yaml'),
      ],
    ),
  ];
  it.each(cases)('%s under %s: declared steps and own moves touch only their own words', (_n, policy, sc) => {
    const sys = new SvmSystem(sc(), findPolicy(policy)!);
    const r = audit(sys, 1500, 40);
    expect(r.problems).toEqual([]);
    expect(r.moves).toBeGreaterThan(100);
  });

  it('finds own moves to check: the reduction is not vacuous on the seed scenario', () => {
    const r = audit(new SvmSystem(loadScenario('seed-accel-dma'), findPolicy('e57e58bd')!), 5000, 0);
    expect(r.problems).toEqual([]);
    expect(r.ownMoves).toBeGreaterThan(100);
  });

  it('catches a step declared ownWordsOnly that touches the hardware', () => {
    // advance_head clears the answered page-request descriptor in the page request queue.
    const policy = findPolicy('e57e58bd')!;
    const sys = new SvmSystem(loadScenario('seed-accel-dma'), policy);
    const { prq } = svmRoutines(policy);
    const pc = prq.labels.indexOf('advance_head');
    const was = prq.ownOnly[pc];
    prq.ownOnly[pc] = 1;
    try {
      const r = audit(sys, 3000, 0);
      expect(r.problems.some((p) => p.startsWith('prq_event_thread:advance_head is declared'))).toBe(true);
    } finally {
      prq.ownOnly[pc] = was;
    }
  });
});
