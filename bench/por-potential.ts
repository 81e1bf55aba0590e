/**
 * How much could partial-order reduction cut from the SVM model? A measurement, not a reduction:
 *
 *   node --import tsx bench/por-potential.ts '{"P":2,"D":1,"F":1,"MMAP":3}' [private|own] [--symmetry]
 *
 * A depth-first search of the configuration (bench/svm-configs.ts, policy e57e58bd) in which, in
 * every state, the first task whose next move touches only words of one class is moved alone (an
 * ample set of one move; the successor must not be on the search stack, SPIN's cycle proviso), and
 * every other state is expanded fully. What a move touches is found by running it on a copy of the
 * state whose reads and writes are recorded (src/system/testing.ts's Proxy: slow, and only for
 * this measurement).
 *
 * - `private`: the task's own kernel stack and task_struct (and the violation word, which only
 *   stops a step). No other actor reads or writes them, so this is what a sound footprint can
 *   already claim: an upper bound for footprints at the granularity of whose words a move touches.
 * - `own`: also everything the task owns (its mm, VMAs, files, page frames, intel_svm, sdevs) and
 *   the reference tracker. NOT sound: after the bind, the page-request thread, the device's DMA
 *   and the delayed-fput kworker reach these objects, so such moves are not independent of theirs;
 *   it bounds from above what any footprint could give, however precise.
 *
 * Prints the states stored, and how many states were expanded by one move only.
 */
import { findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { SvmSystem } from '../src/system/system.ts';
import { recording } from '../src/system/testing.ts';
import { type SvmConfig, scenarioYaml } from './svm-configs.ts';

const args = process.argv.slice(2);
const config: SvmConfig = JSON.parse(args.find((a) => a.startsWith('{')) ?? '{"P":2,"D":1,"F":1,"MMAP":3}');
const mode = args.includes('own') ? 'own' : args.includes('exposed') ? 'exposed' : 'private';
const symmetry = args.includes('--symmetry');

const sys = new SvmSystem(parseScenario(scenarioYaml(config), 'por-potential.yaml'), findPolicy('e57e58bd')!);
const w = sys.world;
const d = w.dims;
const W = sys.stateWords;

/** Per word: the task or kernel actor it belongs to (-1: shared), and whether it is private. */
const owner = new Int32Array(W).fill(-1);
const privateWord = new Uint8Array(W);
const pools: [{ base: number; def: { words: number } }[], number, boolean][] = [
  [w.task, 1, true],
  [w.mm, 1, false],
  [w.vma, d.per.vmas, false],
  [w.file, d.per.files, false],
  [w.page, d.per.frames, false],
  [w.pool('svm'), d.per.svms, false],
  [w.pool('sdev'), d.per.sdevs, false],
  [w.actor, 1, true],
];
for (const [pool, per, priv] of pools)
  pool.forEach((v, i) => {
    for (let k = 0; k < v.def.words; k++) {
      owner[v.base + k] = Math.floor(i / per);
      privateWord[v.base + k] = priv ? 1 : 0;
    }
  });
const violationWord = w.kernel.base + w.kernel.def.names.indexOf('violation');
const isRef = (i: number) => i >= w.refsBase && i < w.refsBase + d.refs;

let touched = new Set<number>();
const record = (i: number) => {
  touched.add(i);
};

/** No svm of task a was ever allocated and no file of a is on the delayed_fput list. */
function unexposed(s: Int32Array, a: number): boolean {
  w.s = s;
  for (let i = a * d.per.svms; i < (a + 1) * d.per.svms; i++) if (w.pool('svm')[i].life !== 0) return false;
  for (let q = w.kernel.delayed_fput; q !== 0; q >>>= 5)
    if (Math.floor(((q & 31) - 1) / d.per.files) === a) return false;
  return true;
}

/** Whether task `a`'s only move from `s` touches words of the measured class only. */
function local(s: Int32Array, a: number): boolean {
  if (sys.actors[a].kind !== 'task' || sys.choices(s, a) !== 1) return false;
  const out = Int32Array.from(s);
  touched = new Set();
  w.s = recording(out, record);
  if (!sys.act(a, 0) || out[violationWord] !== 0) return false;
  const open = mode === 'own' || (mode === 'exposed' && unexposed(s, a));
  for (const i of touched) {
    if (i === violationWord) continue;
    if (owner[i] === a && (privateWord[i] === 1 || open)) continue;
    if (open && isRef(i)) continue;
    return false;
  }
  return true;
}

const scratch = new Int32Array(W);
const canonical = (s: Int32Array): Int32Array => {
  if (symmetry) sys.canonicalize?.(s, scratch);
  return s;
};
const ON_STACK = 1;
const DONE = 2;
const seen = new Map<string, number>();
let oneMove = 0;

function successors(s: Int32Array): Int32Array[] {
  w.s = s;
  if (w.kernel.violation !== 0) return [];
  for (let a = 0; a < sys.actorCount; a++) {
    if (!local(s, a)) continue;
    const out = new Int32Array(W);
    if (sys.step(s, a, 0, out) && seen.get(canonical(out).join()) !== ON_STACK) {
      oneMove++;
      return [out];
    }
  }
  const all: Int32Array[] = [];
  for (let a = 0; a < sys.actorCount; a++)
    for (let c = 0; c < sys.choices(s, a); c++) {
      const out = new Int32Array(W);
      if (sys.step(s, a, c, out)) all.push(canonical(out));
    }
  return all;
}

const stack: { key: string; next: Int32Array[]; i: number }[] = [];
const push = (s: Int32Array) => {
  const key = s.join();
  seen.set(key, ON_STACK);
  stack.push({ key, next: successors(s), i: 0 });
};
const init = new Int32Array(W);
sys.init(init);
push(canonical(init));
const t0 = performance.now();
while (stack.length > 0) {
  const top = stack[stack.length - 1];
  if (top.i === top.next.length) {
    seen.set(top.key, DONE);
    stack.pop();
    continue;
  }
  const n = top.next[top.i++];
  if (!seen.has(n.join())) push(n);
}
console.log(
  JSON.stringify({
    config,
    mode,
    symmetry,
    states: seen.size,
    expandedByOneMove: oneMove,
    seconds: +((performance.now() - t0) / 1000).toFixed(1),
  }),
);
