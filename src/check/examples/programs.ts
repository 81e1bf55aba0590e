/**
 * Small concurrent programs over shared variables, as Models, for differential tests of the
 * reductions: random programs (programs.test.ts) must give the same violations reduced and unreduced.
 *
 * Each actor runs a straight-line program with jumps; an actor at the end of its program is done.
 * Every variable holds 0..3. State: [pc, local] per actor, then the shared variables. Violations: shared
 * variable 0 at 3 (code 1), shared variables 0 and 1 both at 1 (code 2: a property of two variables,
 * which different actors may write independently); a quiescent state with a non-daemon actor not done
 * is a deadlock (code 5), and one with shared variable 0 at 1 a leak (code 6).
 *
 * The footprints are derived from the instructions, so they are honest by construction: an actor's
 * next move reads and writes what its instruction does, its pc included, and its future is the union
 * over the instructions reachable from its pc in its own control flow. With identical programs and no
 * daemon the actors are interchangeable: the representative sorts their [pc, local] blocks.
 */

import { type Model, markResource } from '../model.ts';
import { sortBlocks } from '../reduce/symmetry.ts';

export type Instruction =
  | { op: 'local'; value: number }
  | { op: 'write'; v: number; value: number }
  | { op: 'inc'; v: number }
  | { op: 'test'; v: number; value: number; match: number; miss: number }
  | { op: 'wait'; v: number; value: number }
  | { op: 'choose'; first: number; second: number }
  | { op: 'goto'; target: number };

export interface ProgramsSpec {
  programs: Instruction[][];
  shared: number;
  /** The last actor is a daemon. */
  daemon: boolean;
}

export function programs({ programs, shared, daemon }: ProgramsSpec): Model {
  const k = programs.length;
  const SHARED = 2 * k;
  const isDaemon = (a: number): boolean => daemon && a === k - 1;
  const next = (a: number, pc: number): number[] => {
    const ins = programs[a][pc];
    if (ins.op === 'test') return [ins.match, ins.miss];
    if (ins.op === 'choose') return [ins.first, ins.second];
    if (ins.op === 'goto') return [ins.target];
    return [pc + 1];
  };
  /** Resources: pc a is a, local a is k + a, shared v is 2k + v. */
  const touch = (a: number, pc: number, reads: Uint32Array, writes: Uint32Array): void => {
    markResource(reads, a);
    if (pc >= programs[a].length) return;
    markResource(writes, a);
    const ins = programs[a][pc];
    if (ins.op === 'local') markResource(writes, k + a);
    else if (ins.op === 'write') markResource(writes, SHARED + ins.v);
    else if (ins.op === 'inc') {
      markResource(reads, SHARED + ins.v);
      markResource(writes, SHARED + ins.v);
    } else if (ins.op === 'test' || ins.op === 'wait') markResource(reads, SHARED + ins.v);
  };
  const identical = programs.every((p) => JSON.stringify(p) === JSON.stringify(programs[0]));

  const model: Model = {
    stateWords: 2 * k + shared,
    actorCount: k,
    init: (out) => out.fill(0),
    choices(s, a) {
      const pc = s[2 * a];
      if (pc >= programs[a].length) return 0;
      return programs[a][pc].op === 'choose' ? 2 : 1;
    },
    step(src, a, c, out) {
      const pc = src[2 * a];
      if (pc >= programs[a].length) return false;
      const ins = programs[a][pc];
      out.set(src);
      out[2 * a] = pc + 1;
      if (ins.op === 'local') out[2 * a + 1] = ins.value;
      else if (ins.op === 'write') out[SHARED + ins.v] = ins.value;
      else if (ins.op === 'inc') out[SHARED + ins.v] = (src[SHARED + ins.v] + 1) % 4;
      else if (ins.op === 'test') out[2 * a] = src[SHARED + ins.v] === ins.value ? ins.match : ins.miss;
      else if (ins.op === 'wait' && src[SHARED + ins.v] !== ins.value) return false;
      else if (ins.op === 'choose') out[2 * a] = c === 0 ? ins.first : ins.second;
      else if (ins.op === 'goto') out[2 * a] = ins.target;
      return true;
    },
    violation(s) {
      if (s[SHARED] === 3) return 1;
      return shared > 1 && s[SHARED] === 1 && s[SHARED + 1] === 1 ? 2 : 0;
    },
    quiescent(s) {
      for (let a = 0; a < k; a++) if (!isDaemon(a) && s[2 * a] < programs[a].length) return 5;
      return s[SHARED] === 1 ? 6 : 0;
    },
    isDaemon,
    resourceCount: 2 * k + shared,
    observed: shared > 1 ? [SHARED, SHARED + 1] : [SHARED],
    footprint(s, a, reads, writes) {
      touch(a, s[2 * a], reads, writes);
    },
    couldTouch(s, a, reads, writes) {
      const seen = new Set<number>();
      const todo = [s[2 * a]];
      for (let pc = todo.pop(); pc !== undefined; pc = todo.pop()) {
        if (seen.has(pc) || pc >= programs[a].length) continue;
        seen.add(pc);
        touch(a, pc, reads, writes);
        todo.push(...next(a, pc));
      }
    },
  };
  if (identical && !daemon) model.canonicalize = (s) => sortBlocks(s, 0, 2, k);
  return model;
}
