/**
 * The parallel search against the sequential BFS: the same states, transitions, depth and verdict,
 * and violations of the same kind, code and (shortest) length, with traces that replay here.
 *
 * Every exploreParallel call starts its workers afresh (about half a second each under tsx), so the
 * runs of a test are started together.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { counters } from '../../examples/counters.ts';
import { dining } from '../../examples/dining.ts';
import { enumerate } from '../../examples/enumerate.ts';
import { peterson } from '../../examples/peterson.ts';
import { type ProgramsSpec, programs } from '../../examples/programs.ts';
import { refcount } from '../../examples/refcount.ts';
import { explore, type Progress, type SearchResult } from '../../index.ts';
import type { Model } from '../../model.ts';
import { finalState } from '../../trace/trace.ts';
import type { ModelSource } from '../source.ts';
import { buildModel } from '../source.ts';
import { exploreParallel, type ParallelOptions, ParallelPool, type ParallelResult } from './parallel.ts';

const example = (name: string, exportName: string, args: unknown[]): ModelSource => ({
  module: fileURLToPath(new URL(`../../examples/${name}.ts`, import.meta.url)),
  exportName,
  args,
});

const classics = { counters, peterson, dining, refcount } as const;

/**
 * A test case from a classic example: its name, its source for the workers and its model here,
 * from one list of arguments.
 */
function classic<K extends keyof typeof classics>(
  kind: K,
  args: Parameters<(typeof classics)[K]>,
  options?: ParallelOptions,
): { name: string; source: ModelSource; model: Model; options?: ParallelOptions } {
  const make = classics[kind] as (...a: unknown[]) => Model;
  return {
    name: `${kind}(${args.join(', ')})${options?.maxDepth === undefined ? '' : ` to depth ${options.maxDepth}`}`,
    source: example(kind, kind, args),
    model: make(...args),
    ...(options ? { options } : {}),
  };
}

/** A module of plain JavaScript models, for what the examples do not have: a broken model. */
const fixtureDir = mkdtempSync(join(tmpdir(), 'svmsim-parallel-'));
afterAll(() => rmSync(fixtureDir, { recursive: true, force: true }));
const fixtures = (() => {
  const file = join(fixtureDir, 'models.mjs');
  writeFileSync(
    file,
    `
import { isMainThread } from 'node:worker_threads';

/**
 * Two interchangeable counters to 3, a violation where one is at 2 and the other at 0. Each orbit
 * gets one representative, but which one depends on the thread that built the model (sorted
 * descending in the main thread): a legal canonicalize, as svmsim's system's, whose choice depends on
 * the routines its thread defined before, is.
 */
export const threadSymmetry = () => ({
  stateWords: 2,
  actorCount: 2,
  init: (out) => out.fill(0),
  choices: (s, a) => (s[a] < 3 ? 1 : 0),
  step(src, a, c, out) {
    if (c > 0 || src[a] >= 3) return false;
    out.set(src);
    out[a] = src[a] + 1;
    return true;
  },
  violation: (s) => ((s[0] === 2 && s[1] === 0) || (s[0] === 0 && s[1] === 2) ? 1 : 0),
  quiescent: () => 0,
  isDaemon: () => false,
  canonicalize(s) {
    const swap = isMainThread ? s[0] < s[1] : s[0] > s[1];
    if (swap) [s[0], s[1]] = [s[1], s[0]];
    return swap;
  },
});

/** Counts to 3, then claims more choices than a transition can name. */
export const tooManyChoices = () => ({
  stateWords: 1,
  actorCount: 1,
  init: (out) => out.fill(0),
  choices: (s) => (s[0] < 3 ? 1 : 300),
  step(src, _a, c, out) {
    if (c > 0) return false;
    out[0] = src[0] + 1;
    return true;
  },
  violation: () => 0,
  quiescent: () => 0,
  isDaemon: () => false,
});
`,
  );
  return (exportName: string): ModelSource => ({ module: file, exportName, args: [] });
})();

/** What must agree between the two searches (time and memory aside). */
const essence = (r: SearchResult) => ({
  verdict: r.verdict,
  incompleteReason: r.incompleteReason,
  states: r.stats.states,
  transitions: r.stats.transitions,
  maxDepth: r.stats.maxDepth,
  violation: r.violation && { kind: r.violation.kind, code: r.violation.code, depth: r.violation.depth },
});

/**
 * The sequential BFS with hash compaction, and partial-order and symmetry reduction when asked: what
 * --workers must reproduce.
 */
async function sequential(source: ModelSource, options: ParallelOptions = {}): Promise<SearchResult> {
  const model = await buildModel(source);
  return explore(model, {
    order: 'bfs',
    hashCompaction: true,
    maxDepth: options.maxDepth,
    symmetry: options.symmetry,
    por: options.por,
  });
}

/**
 * Actor 0 loops for ever on moves of its own (local 1, goto 0: independent of everything, invisible),
 * actor 1 counts shared variable 0 up to 3, the violation. Actor 0 is ample in every state, and its
 * second move leads back to a state of the level before: without the cycle proviso the reduced search
 * would go round that cycle and never let actor 1 move (3 states, verified), with it the state is
 * expanded fully. A third actor looping on its own (local 2, local 3, goto 0) moves only in the states
 * the proviso expands fully. (That a state reached twice within a level is of the next one, which the
 * proviso must let be, the classic models show: dining and refcount reach many that way.)
 */
const looping: ProgramsSpec = {
  programs: [
    [
      { op: 'local', value: 1 },
      { op: 'goto', target: 0 },
    ],
    [
      { op: 'inc', v: 0 },
      { op: 'inc', v: 0 },
      { op: 'inc', v: 0 },
    ],
  ],
  shared: 1,
  daemon: false,
};
const loopingThree: ProgramsSpec = {
  ...looping,
  programs: [
    ...looping.programs,
    [
      { op: 'local', value: 2 },
      { op: 'local', value: 3 },
      { op: 'goto', target: 0 },
    ],
  ],
};
const program = (name: string, spec: ProgramsSpec, options?: ParallelOptions) => ({
  name: `${name}${options?.maxDepth === undefined ? '' : ` to depth ${options.maxDepth}`}`,
  source: example('programs', 'programs', [spec]),
  model: programs(spec),
  ...(options ? { options } : {}),
});

function replaysTo(model: Model, r: ParallelResult): void {
  const v = r.violation!;
  expect(v.trace.length).toBe(v.depth);
  const end = finalState(model, v.trace);
  expect(v.kind === 'state' ? model.violation(end) : model.quiescent(end)).toBe(v.code);
}

describe('exploreParallel', () => {
  const cases: { name: string; source: ModelSource; model: Model; options?: ParallelOptions }[] = [
    classic('counters', [4, 5]),
    classic('peterson', ['turn-first']),
    classic('dining', [4]),
    classic('dining', [5, 'ordered']),
    classic('refcount', [3, 2, 'check-then-get']),
    classic('counters', [3, 3], { maxDepth: 2 }),
  ];

  it('agrees with the sequential BFS on the classic models, with 1 and 2 workers', async () => {
    const expected = await Promise.all(cases.map((c) => sequential(c.source, c.options)));
    // The known counts and shortest violations, as the examples' own tests establish them (a search
    // that meets a violation ends with the level it met it in, so its count is the BFS's own).
    expect(
      expected.map((r) => [r.verdict, r.verdict === 'violation' ? r.violation!.depth : r.stats.states]),
    ).toEqual([
      ['verified', 1296],
      ['violation', enumerate(peterson('turn-first')).shortestViolation],
      ['violation', 4],
      ['verified', 1424],
      ['violation', enumerate(refcount(3, 2, 'check-then-get')).shortestViolation],
      ['incomplete', 10],
    ]);
    for (const workers of [1, 2]) {
      const got = await Promise.all(cases.map((c) => exploreParallel(c.source, { ...c.options, workers })));
      got.forEach((r, k) => {
        const name = `${cases[k].name}, ${workers} worker(s)`;
        expect(essence(r), name).toEqual(essence(expected[k]));
        expect(r.workers, name).toBe(workers);
        expect(r.stats.omissionProbability, name).toBe((r.stats.states * (r.stats.states - 1)) / 2 ** 65);
        if (r.violation) replaysTo(cases[k].model, r);
      });
    }
  });

  it('a pool of threads serves one search after another, each as fresh threads would', async () => {
    const pool = new ParallelPool();
    try {
      const first = pool.thread(0);
      for (const c of [...cases, ...cases.slice(0, 2)]) {
        const expected = await sequential(c.source, c.options);
        const r = await exploreParallel(c.source, { ...c.options, workers: 2, pool });
        expect(essence(r), c.name).toEqual(essence(expected));
        if (r.violation) replaysTo(c.model, r);
      }
      // The same thread served them all.
      expect(pool.thread(0)).toBe(first);
    } finally {
      await pool.close();
    }
  });

  it('with symmetry reduction, agrees with the sequential BFS with symmetry, and its traces are concrete', async () => {
    const symmetric: typeof cases = [
      classic('counters', [4, 5]),
      classic('dining', [5, 'left-first']),
      classic('refcount', [3, 2, 'check-then-get']),
      classic('counters', [4, 4], { maxDepth: 3 }),
      // No canonicalize: asked for, symmetry does not run, and the search is the full one.
      classic('dining', [4, 'ordered']),
    ];
    const expected = await Promise.all(
      symmetric.map((c) => sequential(c.source, { ...c.options, symmetry: true })),
    );
    // C(9, 4) multisets of four counters' values; the ordered table's 320 states, unreduced.
    expect([expected[0].stats.states, expected[4].stats.states]).toEqual([126, 320]);
    expect(expected.map((r) => r.stats.reduced?.symmetry)).toEqual([true, true, true, true, false]);
    for (const workers of [1, 2]) {
      const got = await Promise.all(
        symmetric.map((c) => exploreParallel(c.source, { ...c.options, workers, symmetry: true })),
      );
      got.forEach((r, k) => {
        const name = `${symmetric[k].name}, ${workers} worker(s)`;
        expect(essence(r), name).toEqual(essence(expected[k]));
        // The same representatives expanded: the same successors moved by canonicalize.
        expect(r.stats.reduced, name).toEqual(expected[k].stats.reduced);
        if (r.violation) replaysTo(symmetric[k].model, r);
      });
    }
  });

  it('with partial-order reduction, stores what the sequential BFS with it stores, with 1 to 3 workers', async () => {
    const reduced: typeof cases = [
      classic('dining', [8, 'ordered']),
      classic('dining', [5, 'left-first']),
      classic('dining', [6, 'left-first'], { symmetry: true }),
      classic('peterson', ['turn-first']),
      classic('refcount', [3, 1, 'check-then-get', 2]),
      classic('refcount', [3, 1, 'correct', 2]),
      program('looping', looping),
      program('looping', looping, { maxDepth: 4 }),
      program('looping three', loopingThree),
      program('looping three', loopingThree, { maxDepth: 4 }),
    ];
    const expected = await Promise.all(reduced.map((c) => sequential(c.source, { ...c.options, por: true })));
    // Every model here declares footprints, and POR ran; peterson's moves are all visible, so it has
    // nothing to reduce.
    expect(expected.map((r) => r.stats.reduced?.por)).toEqual(reduced.map(() => true));
    const full = await sequential(reduced[0].source);
    expect(expected[0].stats.states).toBeLessThan(full.stats.states);
    expect(expected[0].stats.reduced?.ampleStates).toBeGreaterThan(0);
    // The proviso fired, and what it kept: the violation the cycle would hide.
    expect(expected[6].stats.reduced?.provisoFallbacks).toBeGreaterThan(0);
    expect([expected[6].verdict, expected[6].violation?.code]).toEqual(['violation', 1]);
    for (const workers of [1, 2, 3]) {
      const got = await Promise.all(
        reduced.map((c) => exploreParallel(c.source, { ...c.options, workers, por: true })),
      );
      got.forEach((r, k) => {
        const name = `${reduced[k].name}${reduced[k].options?.symmetry ? ' symmetric' : ''}, ${workers} worker(s)`;
        expect(essence(r), name).toEqual(essence(expected[k]));
        // The same states expanded through ample sets, and the same ones fully by the proviso.
        expect(r.stats.reduced, name).toEqual(expected[k].stats.reduced);
        if (r.violation) replaysTo(reduced[k].model, r);
      });
    }
  });

  it('reduces only when asked, and says so', async () => {
    const source = example('dining', 'dining', [5, 'ordered']);
    const [off, on, plain] = await Promise.all([
      exploreParallel(source, { workers: 2 }),
      exploreParallel(source, { workers: 2, por: true }),
      // No footprints: asked for, POR does not run, and the search is the full one.
      exploreParallel(example('daemon', 'withDaemon', []), { workers: 2, por: true }),
    ]);
    // The ordered table's 1424 states (dining.ts), and fewer reduced.
    expect([off.stats.states, off.stats.reduced]).toEqual([1424, undefined]);
    expect(on.stats.states).toBeLessThan(1424);
    expect(on.stats.reduced?.por).toBe(true);
    expect(plain.stats.reduced).toEqual({
      por: false,
      symmetry: false,
      ampleStates: 0,
      provisoFallbacks: 0,
      canonicalized: 0,
    });
  });

  it('makes a trace concrete in the worker that stored it: representatives may differ by thread', async () => {
    const source = fixtures('threadSymmetry');
    const here = await buildModel(source);
    for (const workers of [1, 2]) {
      const r = await exploreParallel(source, { workers, symmetry: true });
      expect([r.verdict, r.violation?.depth], `${workers} worker(s)`).toEqual(['violation', 2]);
      replaysTo(here, r);
    }
  });

  it('checks quiescence where only daemons can move', async () => {
    const source = example('daemon', 'withDaemon', []);
    const [seq, par] = await Promise.all([sequential(source), exploreParallel(source, { workers: 2 })]);
    expect(essence(par)).toEqual(essence(seq));
    expect(par.violation).toEqual({
      code: 7,
      kind: 'quiescent',
      depth: 2,
      trace: [
        { actor: 0, choice: 0 },
        { actor: 1, choice: 0 },
      ],
    });
  });

  it('stops, incomplete, at maxStates, at the memory budget, and when asked', async () => {
    const seen: Progress[] = [];
    const [atMax, grown, budget, stopped] = await Promise.all([
      exploreParallel(example('counters', 'counters', [4, 9]), { workers: 1, maxStates: 100 }),
      exploreParallel(example('counters', 'counters', [5, 9]), {
        workers: 2,
        progressIntervalMs: 0,
        onProgress: (p) => seen.push(p),
      }),
      // The smallest table (2^16 slots) holds 3/4 of that, less a state per worker.
      exploreParallel(example('counters', 'counters', [5, 9]), { workers: 2, maxMemoryBytes: 1 }),
      exploreParallel(example('counters', 'counters', [8, 9]), { workers: 1, shouldStop: () => true }),
    ]);
    expect([atMax.verdict, atMax.incompleteReason, atMax.stats.states]).toEqual([
      'incomplete',
      'max-states',
      100,
    ]);
    expect(atMax.memoryMessage).toBeUndefined();

    // 10^5 states: the table doubles twice on the way.
    expect([grown.verdict, grown.stats.states, grown.stats.maxDepth]).toEqual(['verified', 100_000, 45]);
    const last = seen.at(-1)!;
    expect([last.states, last.transitions, last.maxDepth]).toEqual([
      grown.stats.states,
      grown.stats.transitions,
      grown.stats.maxDepth,
    ]);

    expect([budget.verdict, budget.incompleteReason, budget.stats.states]).toEqual([
      'incomplete',
      'memory',
      budget.capacity,
    ]);
    expect(budget.capacity).toBe(0.75 * 2 ** 16 - 2);
    expect(budget.memoryMessage).toMatch(/shared table is full at 49150 states.*maxMemoryBytes/);

    expect([stopped.verdict, stopped.incompleteReason]).toEqual(['incomplete', 'stopped']);
    expect(stopped.stats.states).toBeLessThan(10 ** 8);
  });

  it('says what is wrong with its options, a model source, or a model', async () => {
    const source = example('counters', 'counters', [2, 2]);
    await expect(exploreParallel(source, { workers: 0 })).rejects.toThrow(/workers must be an integer/);
    await expect(exploreParallel(source, { maxStates: 0 })).rejects.toThrow(
      /maxStates must be a number >= 1/,
    );
    await expect(exploreParallel(example('counters', 'nothing', []), { workers: 1 })).rejects.toThrow(
      /no function export 'nothing'/,
    );
    // A worker fails mid-search; the other, waiting at the barrier, is woken and ended.
    await expect(exploreParallel(fixtures('tooManyChoices'), { workers: 2 })).rejects.toThrow(
      /300 choices for actor 0; at most 256/,
    );
  });
});
