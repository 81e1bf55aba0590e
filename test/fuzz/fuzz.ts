/**
 * Fuzzing svmsim off the happy path (issue 16), as fast-check properties. Each property runs the
 * code the CLI runs for its input, in this process, and sorts every outcome into the CLI's exit
 * codes: an InputError is exit 2, a verdict is 0, 1 or 3; anything else thrown is what the CLI
 * would print as an internal error with a stack trace (exit 4), and is a failure. `npm test`
 * runs them with a fixed seed and a small budget (test/fuzz.test.ts); `npm run fuzz` for long
 * runs (test/fuzz/run.ts).
 *
 *   scenarios     mutated built-in scenarios and generated ones: loaded, checked within a small
 *                 budget, the first violation described and rendered as an HTML report
 *   traces        a trace file written by `run` or `check`, tampered with: replay must refuse
 *                 it (exit 2) or replay it to the same steps, states and verdict
 *   policies      garbage policy objects: checkPolicy refuses them, or their check ends in a
 *                 verdict or a named step error
 *   differential  generated scenarios that load: the same verdict, kinds and shortest trace
 *                 lengths with and without symmetry and partial-order reduction, by BFS, DFS
 *                 and two worker threads
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { explore, type SearchResult } from '../../src/check/index.ts';
import { exploreParallel, ParallelPool } from '../../src/check/threads/parallel/parallel.ts';
import { parseModelScenario } from '../../src/cli/input.ts';
import { checkPolicy, policyIdentity } from '../../src/cli/policy.ts';
import { replayTrace } from '../../src/cli/replay.ts';
import { makeTraceFile } from '../../src/cli/tracefile.ts';
import { builtinPolicies, findPolicy } from '../../src/drivers/iommu/intel/policies/index.ts';
import { bind, fault, release, type SvmPolicy, unbind } from '../../src/drivers/iommu/intel/svm.ts';
import { Ctl } from '../../src/kernel/exec.ts';
import { StepError } from '../../src/kernel/kernel.ts';
import { describeViolation } from '../../src/report/describe.ts';
import { renderHtml } from '../../src/report/html/render.ts';
import { reportData } from '../../src/report/snapshot.ts';
import { traceSteps } from '../../src/report/text.ts';
import { builtinDir, InputError } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { runSchedule } from '../../src/system/schedule.ts';
import { SvmSystem } from '../../src/system/system.ts';

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** States and seconds each search may take. */
  maxStates?: number;
  maxSeconds?: number;
  /** Differential: the scenarios to compare (validScenarioText by default). */
  scenarios?: fc.Arbitrary<string>;
  /** Differential: compare with --workers 2 on every n-th scenario (0: never). */
  workersEvery?: number;
  log?: (line: string) => void;
}

export interface FuzzReport {
  runs: number;
  /** How the runs ended, by exit code (0–3); 4 counts internal errors: each is in failures. */
  exits: Record<number, number>;
  /** What the property found wrong: empty when it holds. */
  failures: string[];
  seconds: number;
  /** Differential: scenarios compared, and those skipped because a search hit the budget. */
  compared?: number;
  skipped?: number;
  /** Differential: the skipped cases by the search that ran out of budget and its reason. */
  skippedBy?: Record<string, number>;
}

const empty = (runs: number): FuzzReport => ({
  runs,
  exits: { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 },
  failures: [],
  seconds: 0,
});

const builtinTexts = readdirSync(builtinDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => readFileSync(join(builtinDir, f), 'utf8'));

const e57 = findPolicy('e57e58bd') as SvmPolicy;

// ---------------------------------------------------------------------------------------------
// Scenarios

const OPS = [
  'open: { device: D, fd: F }',
  'ioctl_bind: F',
  'mmap: F',
  'munmap: F',
  'close: F',
  'touch: P',
  'exit',
];

/** A scenario in the documented format, valid or nearly: small devices, processes and programs. */
export const scenarioText = fc
  .record({
    pages: fc.integer({ min: 1, max: 2 }),
    devices: fc.array(
      fc.record({
        client: fc.constantFrom('accel', 'accel-nowait', 'gfx'),
        ats: fc.boolean(),
        dma: fc.integer({ min: 0, max: 2 }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    processes: fc.array(
      fc.record({
        count: fc.integer({ min: 1, max: 2 }),
        program: fc.array(
          fc.record({
            op: fc.constantFrom(...OPS),
            fd: fc.constantFrom(3, 4),
            dev: fc.nat(1),
            page: fc.nat(1),
          }),
          { maxLength: 5 },
        ),
        fork: fc.boolean(),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  })
  .map((r) => {
    const lines = ['name: gen', `pages: ${r.pages}`, 'devices:'];
    r.devices.forEach((d, i) => {
      lines.push(`  - { name: dev${i}, client: ${d.client}, ats: ${d.ats}, dma: ${d.dma} }`);
    });
    lines.push('processes:');
    r.processes.forEach((p, i) => {
      lines.push(`  - name: p${i}`, `    count: ${p.count}`, '    program:');
      const ops = p.program.map((o) =>
        o.op
          .replace('D', `dev${Math.min(o.dev, r.devices.length - 1)}`)
          .replace('F', String(o.fd))
          .replace('P', String(o.page)),
      );
      if (p.fork) ops.splice(Math.min(2, ops.length), 0, `fork: { name: c${i}, program: [exit] }`);
      for (const op of ops) lines.push(`      - ${op}`);
    });
    return `${lines.join('\n')}\n`;
  });

/**
 * A scenario that loads: each process opens fd 3 on a device, then binds it at most once, maps,
 * touches, unmaps in some order, may fork a child, may close fd 3 at the end.
 */
export const validScenarioText = fc
  .record({
    pages: fc.integer({ min: 1, max: 2 }),
    devices: fc.array(
      fc.record({
        client: fc.constantFrom('accel', 'accel-nowait', 'gfx'),
        ats: fc.boolean(),
        dma: fc.integer({ min: 0, max: 2 }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    processes: fc.array(
      fc.record({
        count: fc.integer({ min: 1, max: 2 }),
        dev: fc.nat(1),
        ops: fc.uniqueArray(fc.constantFrom('ioctl_bind: 3', 'mmap: 3', 'touch: 0', 'munmap: 3'), {
          maxLength: 4,
        }),
        fork: fc.boolean(),
        close: fc.boolean(),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  })
  .map((r) => {
    const lines = ['name: gen', `pages: ${r.pages}`, 'devices:'];
    r.devices.forEach((d, i) => {
      lines.push(`  - { name: dev${i}, client: ${d.client}, ats: ${d.ats}, dma: ${d.dma} }`);
    });
    lines.push('processes:');
    r.processes.forEach((p, i) => {
      const ops = [`open: { device: dev${Math.min(p.dev, r.devices.length - 1)}, fd: 3 }`, ...p.ops];
      if (p.fork) ops.push(`fork: { name: c${i}, program: [exit] }`);
      if (p.close) ops.push('close: 3');
      lines.push(
        `  - name: p${i}`,
        `    count: ${p.count}`,
        '    program:',
        ...ops.map((o) => `      - ${o}`),
      );
    });
    return `${lines.join('\n')}\n`;
  });

/** A built-in scenario with a few edits of the kind a hand or a bad merge makes. */
export const mutatedText = fc
  .record({
    base: fc.constantFrom(...builtinTexts),
    edits: fc.array(
      fc.record({
        kind: fc.constantFrom(
          'delete',
          'duplicate',
          'number',
          'word',
          'insert',
          'swap',
          'truncate',
          'indent',
        ),
        at: fc.nat(),
        n: fc.oneof(fc.integer({ min: -3, max: 12 }), fc.constantFrom(0, 64, 1023, 1024, 2 ** 31, -1)),
        token: fc.constantFrom(
          '*x',
          '&x',
          '{',
          '}',
          '[',
          ']',
          ':',
          '- exit',
          'count: 8',
          'pages: 8',
          '!!binary',
          'null',
          '~',
          '"\\u0007"',
          '- fork: { name: proc, program: [exit] }',
          '- ioctl_bind: 3',
          '\t',
          '<<: *x',
        ),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ base, edits }) => {
    let lines = base.split('\n');
    for (const e of edits) {
      const i = e.at % Math.max(1, lines.length);
      if (e.kind === 'delete') lines.splice(i, 1);
      else if (e.kind === 'duplicate') lines.splice(i, 0, lines[i] ?? '');
      else if (e.kind === 'number') lines[i] = (lines[i] ?? '').replace(/-?\d+/, String(e.n));
      else if (e.kind === 'word') lines[i] = (lines[i] ?? '').replace(/[a-z_]+/, e.token);
      else if (e.kind === 'insert') lines.splice(i, 0, e.token);
      else if (e.kind === 'swap') [lines[i], lines[0]] = [lines[0], lines[i]];
      else if (e.kind === 'truncate') lines = lines.slice(0, i);
      else lines[i] = `  ${lines[i] ?? ''}`;
    }
    return lines.join('\n');
  });

/** What `svmsim check FILE --max-states N --report R` does with one scenario text, as an exit code. */
export async function checkScenarioText(
  text: string,
  o: Pick<FuzzOptions, 'maxStates' | 'maxSeconds'>,
): Promise<number> {
  let sc: Scenario;
  try {
    sc = parseModelScenario(text, 'fuzz.yaml');
  } catch (e) {
    if (e instanceof InputError) return 2;
    throw e;
  }
  const sys = new SvmSystem(sc, e57);
  const r = await explore(sys, { maxStates: o.maxStates ?? 3000, maxSeconds: o.maxSeconds ?? 5 });
  const trace = r.violation?.trace ?? [];
  const { steps, final } = traceSteps(sys, trace);
  const violation = r.violation ? describeViolation(sys, final, r.violation.code) : null;
  renderHtml(reportData(sys, 'check', trace, violation, 'fuzz'));
  if (steps.length !== trace.length) throw new Error('the described trace lost steps');
  return r.verdict === 'violation' ? 1 : r.verdict === 'incomplete' ? 3 : 0;
}

async function runProperty<T>(
  arb: fc.Arbitrary<T>,
  o: FuzzOptions,
  body: (x: T, report: FuzzReport) => Promise<void>,
): Promise<FuzzReport> {
  const report = empty(o.runs);
  const t0 = performance.now();
  let n = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (x) => {
      await body(x, report);
      if (++n % 100 === 0) o.log?.(`  ${n} runs, ${report.failures.length} failures`);
    }),
    { numRuns: o.runs, seed: o.seed, endOnFailure: true },
  );
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}

const describe = (e: unknown) =>
  (e instanceof Error ? (e.stack ?? e.message) : String(e)).split('\n').slice(0, 4).join(' | ');

export function fuzzScenarios(o: FuzzOptions): Promise<FuzzReport> {
  return runProperty(fc.oneof(mutatedText, scenarioText, validScenarioText), o, async (text, report) => {
    try {
      report.exits[await checkScenarioText(text, o)]++;
    } catch (e) {
      report.exits[4]++;
      report.failures.push(`internal error on\n${text}\n${describe(e)}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Traces

/** One trace file per built-in scenario under each built-in policy: run traces (seeded) and check traces. */
async function traceFiles(dir: string): Promise<{ file: string; policy?: string }[]> {
  const out: { file: string; policy?: string }[] = [];
  for (const name of ['seed-accel-mmap', 'seed-accel-dma', 'seed-gfx']) {
    const text = readFileSync(join(builtinDir, `${name}.yaml`), 'utf8');
    for (const p of builtinPolicies) {
      const sys = new SvmSystem(parseModelScenario(text, name), p);
      const id = policyIdentity(p.name, p);
      const run = runSchedule(sys, 7);
      const { final } = traceSteps(sys, run.trace);
      const v = run.code ? describeViolation(sys, final, run.code) : null;
      const f = join(dir, `${name}-${p.name}-run.json`);
      writeFileSync(f, JSON.stringify(makeTraceFile('run', sys, id, run.trace, v, 7)));
      out.push({ file: f });
      const r = await explore(sys, { maxStates: 20_000 });
      if (r.violation) {
        const fin = traceSteps(sys, r.violation.trace).final;
        const cf = join(dir, `${name}-${p.name}-check.json`);
        writeFileSync(
          cf,
          JSON.stringify(
            makeTraceFile('check', sys, id, r.violation.trace, describeViolation(sys, fin, r.violation.code)),
          ),
        );
        out.push({ file: cf });
      }
    }
  }
  return out;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value in `j`, the steps and #meta first in line. */
function paths(
  j: Json,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (Array.isArray(j)) for (const [i, v] of j.entries()) paths(v, [...at, i], out);
  else if (j && typeof j === 'object') for (const k of Object.keys(j)) paths(j[k], [...at, k], out);
  return out;
}

function tamper(j: Json, path: (string | number)[], how: number, n: number): void {
  if (path.length === 0) return;
  let parent = j as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, Json>;
  const key = path[path.length - 1];
  const v = parent[key];
  if (Array.isArray(parent)) {
    const arr = parent as unknown as Json[];
    const i = key as number;
    if (how === 0) arr.splice(i, 1);
    else if (how === 1) arr.splice(i, 0, structuredClone(v));
    else if (how === 2) arr.length = i;
    else if (how === 3 && i > 0) [arr[i - 1], arr[i]] = [arr[i], arr[i - 1]];
    else arr[i] = typeof v === 'number' ? v + n : n;
    return;
  }
  if (how === 0) delete parent[key];
  else if (typeof v === 'number') parent[key] = [v + n, -1, v * 2 + 1, 0.5, 2 ** 40][how % 5];
  else if (typeof v === 'string') parent[key] = [`${v}x`, '', './evil.mjs', v.slice(1), 'proc0'][how % 5];
  else if (typeof v === 'boolean') parent[key] = !v;
  else if (v === null) parent[key] = n;
  else parent[key] = [null, 'x', 3, [], {}][how % 5];
}

export async function fuzzTraces(o: FuzzOptions): Promise<FuzzReport> {
  const dir = mkdtempSync(join(tmpdir(), 'svmsim-fuzz-'));
  try {
    const files = await traceFiles(dir);
    const originals = new Map<string, string>();
    for (const f of files) originals.set(f.file, JSON.stringify(await replayTrace(f.file, {})));
    const tampered = join(dir, 'tampered.json');
    const arb = fc.record({
      which: fc.nat(files.length - 1),
      edits: fc.array(fc.record({ at: fc.nat(), how: fc.nat(4), n: fc.integer({ min: -3, max: 3 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
      focus: fc.constantFrom('steps', 'states', 'meta', 'any'),
    });
    return await runProperty(arb, o, async ({ which, edits, focus }, report) => {
      const { file } = files[which];
      const j = JSON.parse(readFileSync(file, 'utf8')) as Json;
      for (const e of edits) {
        const all = paths(j).filter((p) => {
          const s = p.join('.');
          if (focus === 'steps') return s.startsWith('#meta.svmsim.steps');
          if (focus === 'states') return s.startsWith('states');
          if (focus === 'meta') return s.startsWith('#meta') && !s.startsWith('#meta.svmsim.steps');
          return true;
        });
        if (all.length) tamper(j, all[e.at % all.length], e.how, e.n);
      }
      writeFileSync(tampered, JSON.stringify(j));
      try {
        const r = await replayTrace(tampered, {});
        // Accepted: only when it is the same trace in effect (same steps, states, verdict).
        if (JSON.stringify(r) !== originals.get(file)) {
          report.failures.push(
            `accepted a tampered trace (${file}, edits ${JSON.stringify(edits)} on ${focus})`,
          );
        }
        report.exits[r.violation ? 1 : 0]++;
      } catch (e) {
        if (e instanceof InputError) report.exits[2]++;
        else {
          report.exits[4]++;
          report.failures.push(`internal error replaying a tampered trace: ${describe(e)}`);
        }
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Policies

const LISTS = { bind, unbind, release, fault };

/** Step functions a confused or hostile author might write. */
const junkSteps: ((k: never) => unknown)[] = [
  function returns_garbage() {
    return 'yes';
  },
  function returns_nan() {
    return Number.NaN;
  },
  function returns_undefined() {
    return undefined;
  },
  function throws() {
    throw new Error('boom');
  },
  function throws_string() {
    throw 'a string';
  },
  function jumps_nowhere(k: { jump(l: string): Ctl }) {
    return k.jump('nowhere');
  },
  function calls_garbage(k: { call(...a: unknown[]): Ctl }) {
    return k.call(undefined, 1, 2);
  },
  function blocks() {
    return Ctl.BLOCK;
  },
  function next() {
    return Ctl.NEXT;
  },
  function returns_early() {
    return Ctl.RET;
  },
  function reads_past(k: { w: { mm: { mm_users: number }[] } }) {
    return k.w.mm[1000].mm_users as never;
  },
];

const policyObject = fc
  .record({
    base: fc.constantFrom(...builtinPolicies),
    name: fc.oneof(fc.constantFrom('mine', '', 'e57e58bd', 'v4.4'), fc.string()),
    edits: fc.array(
      fc.record({
        list: fc.constantFrom('bind', 'unbind', 'release', 'fault'),
        kind: fc.constantFrom(
          'junk',
          'drop',
          'swap',
          'other-list',
          'not-a-function',
          'empty',
          'not-an-array',
        ),
        at: fc.nat(),
        junk: fc.nat(junkSteps.length - 1),
      }),
      { maxLength: 3 },
    ),
    shape: fc.constantFrom('object', 'object', 'object', 'null', 'number', 'array', 'getter'),
  })
  .map(({ base, name, edits, shape }) => {
    if (shape === 'null') return null;
    if (shape === 'number') return 42;
    if (shape === 'array') return [base];
    const p: Record<string, unknown> = { ...base, name, aliases: undefined };
    for (const e of edits) {
      const list = [...(p[e.list] as unknown[])];
      const i = e.at % list.length;
      if (e.kind === 'junk') list[i] = junkSteps[e.junk];
      else if (e.kind === 'drop') list.splice(i, 1);
      else if (e.kind === 'swap') list.reverse();
      else if (e.kind === 'other-list')
        list[i] = Object.values(LISTS[e.list === 'bind' ? 'fault' : 'bind'])[0];
      else if (e.kind === 'not-a-function') list[i] = 7;
      p[e.list] = e.kind === 'empty' ? [] : e.kind === 'not-an-array' ? 'steps' : list;
    }
    if (shape === 'getter')
      Object.defineProperty(p, 'release', {
        get() {
          throw new Error('getter');
        },
        enumerable: true,
      });
    return p;
  });

export function fuzzPolicies(o: FuzzOptions): Promise<FuzzReport> {
  const sc = parseModelScenario(
    readFileSync(join(builtinDir, 'seed-accel-dma.yaml'), 'utf8'),
    'seed-accel-dma',
  );
  return runProperty(policyObject, o, async (obj, report) => {
    try {
      const policy = checkPolicy(obj, 'fuzz-policy.ts');
      const sys = new SvmSystem(sc, policy);
      const r = await explore(sys, { maxStates: o.maxStates ?? 3000, maxSeconds: o.maxSeconds ?? 5 });
      if (r.violation) traceSteps(sys, r.violation.trace);
      report.exits[r.verdict === 'violation' ? 1 : r.verdict === 'incomplete' ? 3 : 0]++;
    } catch (e) {
      if (e instanceof InputError || e instanceof StepError) report.exits[2]++;
      else {
        report.exits[4]++;
        report.failures.push(`internal error on a garbage policy: ${describe(e)}`);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Differential

interface Outcome {
  verdict: SearchResult['verdict'];
  /** Shortest trace length per violation kind (code). */
  kinds: Map<number, number>;
  first?: { code: number; length: number };
}

const outcome = (r: SearchResult): Outcome => {
  const kinds = new Map<number, number>();
  for (const v of r.violations ?? (r.violation ? [r.violation] : []))
    kinds.set(v.code, Math.min(kinds.get(v.code) ?? Infinity, v.trace.length));
  return {
    verdict: r.verdict,
    kinds,
    ...(r.violation ? { first: { code: r.violation.code, length: r.violation.trace.length } } : {}),
  };
};

/** Why a differential case was not compared: the search whose budget ran out, and how. */
export type SkipReason = `${string}: ${NonNullable<SearchResult['incompleteReason']>}`;

/**
 * Generated scenarios, each searched every way and compared with the unreduced breadth-first
 * search (the reference): BFS with each reduction and both (findAll), DFS with and without them,
 * and two worker threads (with the reductions on every other case, as `--workers 2` runs, and
 * without them on the others), kept from case to case (a ParallelPool: two threads starting cost
 * about a second, five times what a typical case's searches take).
 * The reference runs first: it stores the most states, so a case over the budget is found over it
 * at the cost of one search, and skipped with its reason counted (FuzzReport.skippedBy).
 */
export async function fuzzDifferential(o: FuzzOptions): Promise<FuzzReport> {
  let compared = 0;
  let skipped = 0;
  const skippedBy: Record<string, number> = {};
  let n = 0;
  const pool = new ParallelPool();
  const report = await runProperty(o.scenarios ?? validScenarioText, o, async (text, rep) => {
    n++;
    let sc: Scenario;
    try {
      sc = parseModelScenario(text, 'gen.yaml');
    } catch (e) {
      if (e instanceof InputError) {
        rep.exits[2]++;
        return;
      }
      throw e;
    }
    const sys = new SvmSystem(sc, e57);
    const budget = { maxStates: o.maxStates ?? 30_000, maxSeconds: o.maxSeconds ?? 20 };
    const runs: [string, SearchResult][] = [];
    const over = () => {
      // A findAll search a limit cut short says 'violation' for what it found, and gives the
      // reason: it may not have found every kind, and is no reference either.
      const [name, r] = runs.find(([, r]) => r.incompleteReason !== undefined) ?? [];
      if (!r) return false;
      skipped++;
      const why = `${name}: ${r.incompleteReason}`;
      skippedBy[why] = (skippedBy[why] ?? 0) + 1;
      rep.exits[3]++;
      return true;
    };
    for (const por of [false, true])
      for (const symmetry of [false, true]) {
        runs.push([
          `bfs por=${por} symmetry=${symmetry}`,
          await explore(sys, { ...budget, por, symmetry, findAll: true }),
        ]);
        if (over()) return;
      }
    for (const reduce of [false, true])
      runs.push([
        `dfs por=${reduce} symmetry=${reduce}`,
        await explore(sys, { ...budget, order: 'dfs', por: reduce, symmetry: reduce }),
      ]);
    if (o.workersEvery && n % o.workersEvery === 0) {
      const reduce = n % (2 * o.workersEvery) === 0;
      // What explore({ workers: 2 }) runs, on threads kept from one case to the next.
      const source = {
        module: new URL('../../src/cli/factory.ts', import.meta.url).href,
        exportName: 'buildSystem',
        args: [sc.text, sc.source, 'e57e58bd'],
      };
      runs.push([
        `workers 2 por=${reduce} symmetry=${reduce}`,
        await exploreParallel(source, { ...budget, workers: 2, por: reduce, symmetry: reduce, pool }, sys),
      ]);
    }
    if (over()) return;
    compared++;
    if (compared % 25 === 0)
      o.log?.(
        `  differential: ${n} runs, ${compared} compared, ${skipped} over budget, ${rep.failures.length} failures`,
      );
    rep.exits[runs[0][1].verdict === 'violation' ? 1 : 0]++;
    const ref = outcome(runs[0][1]);
    const shortest = Math.min(...ref.kinds.values());
    for (const [name, r] of runs.slice(1)) {
      const x = outcome(r);
      const bad = (why: string) => rep.failures.push(`${name} differs from ${runs[0][0]}: ${why}\n${text}`);
      if (x.verdict !== ref.verdict) bad(`verdict ${x.verdict} against ${ref.verdict}`);
      else if (name.startsWith('bfs')) {
        const a = JSON.stringify([...x.kinds].sort());
        const b = JSON.stringify([...ref.kinds].sort());
        if (a !== b) bad(`kinds and lengths ${a} against ${b}`);
      } else if (x.first) {
        // One search's first violation: a kind the full search found, as short as it found it
        // (the workers' BFS: the shortest of all; DFS shortens its trace to its kind's shortest).
        const want = name.startsWith('dfs') ? ref.kinds.get(x.first.code) : shortest;
        if (!ref.kinds.has(x.first.code)) bad(`kind ${x.first.code} not among ${[...ref.kinds.keys()]}`);
        else if (x.first.length !== want) bad(`trace of ${x.first.length} steps, expected ${want}`);
      }
    }
  });
  await pool.close();
  return { ...report, compared, skipped, skippedBy };
}
