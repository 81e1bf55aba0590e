/**
 * The reductions in the threaded searches on svmsim's own model: `--workers` stores what the
 * sequential BFS with symmetry stores, and with partial-order reduction as well what the sequential
 * BFS with both stores (the same states, transitions, depth and shortest violation), and `--workers`
 * and `--swarm` report concrete traces that replay here to the violation found.
 *
 * The systems built in this thread are not the workers' instances: the representatives an
 * SvmSystem picks depend on the order its thread defined routines in (check/threads/parallel.ts), which is
 * why the workers make their traces concrete themselves. So the canonicalized counts, which depend
 * on the representatives, are compared on the classic models only (src/check/parallel.test.ts).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scenarioYaml } from '../bench/svm-configs.ts';
import {
  explore,
  finalState,
  type ModelSource,
  type SearchResult,
  type Violation,
} from '../src/check/index.ts';
import { builtinPolicies, findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { describeViolation } from '../src/report/describe.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import { SvmSystem } from '../src/system/system.ts';

const factory = fileURLToPath(new URL('../src/cli/factory.ts', import.meta.url));

/** A scenario under a policy: the system here, and the source the workers build it from. */
function system(text: string, source: string, policy: string) {
  const sys = new SvmSystem(parseScenario(text, source), findPolicy(policy)!);
  const from: ModelSource = { module: factory, exportName: 'buildSystem', args: [text, source, policy] };
  return { sys, from };
}
const bench = () => system(scenarioYaml({ P: 2, D: 1, F: 1, MMAP: 3 }), 'bench.yaml', 'e57e58bd');
const builtin = (scenario: string, policy: string) => {
  const sc = loadScenario(scenario);
  return system(sc.text, sc.source, policy);
};
const twoProcs = (policy: string) => builtin('two-procs-one-device', policy);

/** What must agree between the sequential and the parallel search. */
const essence = (r: SearchResult) => ({
  verdict: r.verdict,
  states: r.stats.states,
  transitions: r.stats.transitions,
  maxDepth: r.stats.maxDepth,
  symmetry: r.stats.reduced?.symmetry,
  violation: r.violation && { kind: r.violation.kind, code: r.violation.code, depth: r.violation.depth },
});

/** How many threads a parallel search ran with. */
const workersOf = (r: SearchResult) => (r.engine.kind === 'workers' ? r.engine.workers : 0);

/** Replays the trace on this thread's system: it must end in the violation, of the kind named. */
function replaysTo(sys: SvmSystem, v: Violation, kind: string): void {
  const end = finalState(sys, v.trace);
  expect(v.kind === 'state' ? sys.violation(end) : sys.quiescent(end)).toBe(v.code);
  expect(describeViolation(sys, end, v.code).kind).toBe(kind);
}

describe('symmetry reduction with --workers, on the SVM model', () => {
  it('P2 D1 F1 MMAP=3 under e57e58bd: the states of the sequential BFS with symmetry', async () => {
    const { sys, from } = bench();
    const seq = await explore(sys, { order: 'bfs', hashCompaction: true, symmetry: true });
    // Two interchangeable processes: about half the 89,254 states of the full graph.
    expect([seq.verdict, seq.stats.states]).toEqual(['verified', 44_633]);
    const got = await Promise.all(
      [1, 2].map((workers) => explore(sys, { workers, symmetry: true, source: from })),
    );
    for (const r of got) expect(essence(r), `${workersOf(r)} worker(s)`).toEqual(essence(seq));
  });

  it('two-procs-one-device under v4.4 (leak), two-procs-nowait under e57e58bd (warning): traces concrete', async () => {
    const cases = [
      { ...twoProcs('v4.4'), workers: [1, 2], kind: 'leak' },
      { ...builtin('two-procs-nowait', 'e57e58bd'), workers: [2], kind: 'warning' },
    ];
    for (const c of cases) {
      const seq = await explore(c.sys, { order: 'bfs', hashCompaction: true, symmetry: true });
      const got = await Promise.all(
        c.workers.map((workers) => explore(c.sys, { workers, symmetry: true, source: c.from })),
      );
      for (const r of got) {
        expect(essence(r), `${c.kind}, ${workersOf(r)} worker(s)`).toEqual(essence(seq));
        replaysTo(c.sys, r.violation!, c.kind);
      }
    }
  });
});

describe('partial-order reduction with --workers, on the SVM model', () => {
  it('seed-accel-dma under every built-in policy, two-procs-one-device under v4.4: the sequential states', async () => {
    const cases = [
      ...builtinPolicies.map((p) => ({
        name: `seed-accel-dma ${p.name}`,
        ...builtin('seed-accel-dma', p.name),
      })),
      { name: 'two-procs-one-device v4.4', ...twoProcs('v4.4') },
    ];
    const options = { por: true, symmetry: true } as const;
    const expected = await Promise.all(
      cases.map((c) => explore(c.sys, { order: 'bfs', hashCompaction: true, ...options })),
    );
    // The system declares footprints (system/footprint.ts), and some states were reduced.
    expect(expected.every((r) => r.stats.reduced?.por)).toBe(true);
    expect(expected.some((r) => r.stats.reduced!.ampleStates > 0)).toBe(true);
    const got = await Promise.all(
      cases.map((c) => explore(c.sys, { workers: 2, ...options, source: c.from })),
    );
    got.forEach((r, k) => {
      const { name, sys } = cases[k];
      const seq = expected[k];
      expect(essence(r), name).toEqual(essence(seq));
      // The same states expanded through ample sets (canonicalized counts depend on the thread's
      // representatives, see above).
      const counts = (x: SearchResult) => [x.stats.reduced?.ampleStates, x.stats.reduced?.provisoFallbacks];
      expect(counts(r), name).toEqual(counts(seq));
      if (seq.violation) {
        const kind = describeViolation(sys, finalState(sys, seq.violation.trace), seq.violation.code).kind;
        replaysTo(sys, r.violation!, kind);
      }
    });
  });
});

describe('symmetry reduction with --swarm, on the SVM model', () => {
  it('two-procs-one-device under v4.4: the leak, with a concrete trace in the model numbering', async () => {
    const { sys, from } = twoProcs('v4.4');
    const r = await explore(sys, { swarm: 2, symmetry: true, source: from });
    expect([r.verdict, r.stats.reduced?.symmetry, r.violation?.kind]).toEqual([
      'violation',
      true,
      'quiescent',
    ]);
    replaysTo(sys, r.violation!, 'leak');
    const searches = r.engine.kind === 'swarm' ? r.engine.searches : [];
    expect(searches.some((s) => s.canonicalized > 0)).toBe(true);
  });
});
