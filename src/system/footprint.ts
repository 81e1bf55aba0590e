/**
 * What the SVM system tells partial-order reduction (check/reduce/por.ts) about its moves.
 *
 * Resources: one per kernel actor, its own words (its call stack and, for a task, its
 * task_struct), and one more for every other word of the state (`SHARED`: the objects, the
 * reference tracker, the locks, the hardware, the violation record).
 *
 * A move of a kernel actor is *own* when every step it runs was declared with ownWordsOnly
 * (kernel/exec.ts: reads and writes only that actor's own words) and it writes no word outside
 * them. That is found by running the move on a copy of the state with the kernel told to stop at
 * the first step not so declared (Kernel.ownOnly), and then comparing the copy with the state
 * outside the actor's own words: the declarations vouch for what the steps read, the comparison
 * checks what the move wrote (a call past the stack's depth records a capacity violation, say).
 * An own move's footprint is its actor's own resource; every other move may touch anything.
 *
 * What the others could touch (couldTouch): a kernel actor, its own words and the shared ones, and
 * the own words of every task it forks (copy_process writes the child's task_struct and starts its
 * stack); a hardware actor, the shared words. No move reads or writes another kernel actor's own
 * words otherwise; footprint.test.ts checks that on every move it reaches, under a recording
 * memory, together with every ownWordsOnly declaration.
 *
 * So an own move commutes with every move of every other actor and neither enables nor disables
 * one (they share no word), and it never changes violation(), which reads SHARED: por.ts's C1 and
 * C2 hold, and only such moves are ever taken alone.
 */

import { markResource } from '../check/index.ts';
import type { World } from '../world/layout.ts';

export class OwnMoves {
  /** The resource of every word that no actor owns. */
  readonly SHARED: number;
  readonly resourceCount: number;
  /** violation() reads the kernel's violation record, a shared word. */
  readonly observed: readonly number[];
  /** Own words of each kernel actor: [from, to) ranges, two per actor (task_struct, stack). */
  private readonly ranges: Int32Array;
  /** Per kernel actor: the tasks it may fork, from its program. */
  readonly forks: readonly (readonly number[])[];
  private readonly scratch: Int32Array;

  constructor(
    private readonly world: World,
    private readonly kernel: {
      bindActor(a: number): void;
      rebindToCopy(): void;
      run(): boolean;
      ownOnly: boolean;
      strayed: boolean;
      readonly routineId: number;
      readonly routines: { get(id: number): { readonly ownOnly: Uint8Array } };
      readonly pc: number;
    },
    programs: readonly (readonly { op: string; child?: number }[])[],
  ) {
    const d = world.dims;
    this.SHARED = d.kactors;
    this.resourceCount = d.kactors + 1;
    this.observed = [this.SHARED];
    this.ranges = new Int32Array(4 * d.kactors);
    for (let a = 0; a < d.kactors; a++) {
      const stack = world.actor[a];
      this.ranges[4 * a] = stack.base;
      this.ranges[4 * a + 1] = stack.base + stack.def.words;
      const task = a < d.tasks ? world.task[a] : undefined;
      this.ranges[4 * a + 2] = task ? task.base : 0;
      this.ranges[4 * a + 3] = task ? task.base + task.def.words : 0;
    }
    this.forks = Array.from({ length: d.kactors }, (_, a) =>
      (programs[a] ?? []).flatMap((o) => (o.op === 'fork' && o.child !== undefined ? [o.child] : [])),
    );
    this.scratch = new Int32Array(world.words);
  }

  /** Kernel actors are 0 .. kactors - 1 (system.ts). */
  isKernelActor(a: number): boolean {
    return a < this.SHARED;
  }

  /** Whether word `i` is one of kernel actor `a`'s own. */
  ownWord(a: number, i: number): boolean {
    const r = this.ranges;
    return (i >= r[4 * a] && i < r[4 * a + 1]) || (i >= r[4 * a + 2] && i < r[4 * a + 3]);
  }

  /** Whether kernel actor `a`'s next move from `state` is own (see the header). */
  isOwn(state: Int32Array, a: number): boolean {
    const w = this.world;
    const k = this.kernel;
    w.s = state;
    if (w.kernel.violation !== 0 || w.actor[a].done === 1 || w.actor[a].sp === 0) return false;
    k.bindActor(a);
    if (k.routines.get(k.routineId).ownOnly[k.pc] === 0) return false;
    const copy = this.scratch;
    copy.set(state);
    w.s = copy;
    k.rebindToCopy();
    k.ownOnly = true;
    k.strayed = false;
    let moved: boolean;
    try {
      moved = k.run();
    } finally {
      k.ownOnly = false;
      w.s = state;
    }
    if (k.strayed || !moved) return false;
    return this.sameOutside(a, state, copy);
  }

  /** Whether `x` and `y` agree on every word that is not one of actor `a`'s own. */
  private sameOutside(a: number, x: Int32Array, y: Int32Array): boolean {
    const r = this.ranges;
    // The two ranges in order, the empty one (a kernel thread's task range) skipped.
    let lo1 = r[4 * a];
    let hi1 = r[4 * a + 1];
    let lo2 = r[4 * a + 2];
    let hi2 = r[4 * a + 3];
    if (lo2 === hi2) lo2 = hi2 = hi1;
    else if (lo2 < lo1) [lo1, hi1, lo2, hi2] = [lo2, hi2, lo1, hi1];
    for (let i = 0; i < lo1; i++) if (x[i] !== y[i]) return false;
    for (let i = hi1; i < lo2; i++) if (x[i] !== y[i]) return false;
    for (let i = hi2; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }

  /** Model.footprint. */
  footprint(state: Int32Array, a: number, reads: Uint32Array, writes: Uint32Array): void {
    if (this.isKernelActor(a)) {
      markResource(reads, a);
      markResource(writes, a);
      if (this.isOwn(state, a)) return;
    }
    markResource(reads, this.SHARED);
    markResource(writes, this.SHARED);
  }

  /** Model.couldTouch. */
  couldTouch(state: Int32Array, a: number, reads: Uint32Array, writes: Uint32Array): void {
    if (this.isKernelActor(a)) {
      this.world.s = state;
      if (this.world.actor[a].done === 1) return;
      markResource(reads, a);
      markResource(writes, a);
      for (const child of this.forks[a]) {
        markResource(reads, child);
        markResource(writes, child);
      }
    }
    markResource(reads, this.SHARED);
    markResource(writes, this.SHARED);
  }
}
