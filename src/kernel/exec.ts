/**
 * How kernel code runs in the model.
 *
 * A kernel path is a routine: a list of named steps. Each kernel actor (a task, the delayed-fput
 * worker, the page-request IRQ thread) has a call stack of frames in the state vector; a frame
 * holds the routine, the step it is at, and the routine's own argument and local words. One
 * transition of an actor runs steps until one of them ends the atomic action: a preemption point
 * (PREEMPT), a return to an empty stack, or a step that cannot proceed (BLOCK: a lock held, a
 * completion not yet written). Steps between preemption points run atomically, so the preemption
 * points are exactly the places where the model lets another actor run.
 */
import type { Fields, StructDef, View } from '../world/struct.ts';

export enum Ctl {
  /** Go on to the next step in the same atomic action. */
  NEXT = 0,
  /** Go on to the next step, but let other actors run first. */
  PREEMPT = 1,
  /** Cannot run now; nothing was changed by this step. */
  BLOCK = 2,
  /** A callee frame was pushed (see Kernel.call); run it now. */
  CALL = 3,
  /** Return to the caller and go on there. */
  RET = 4,
  /** The step set the pc itself (see Kernel.jump); go on there. */
  JUMP = 5,
  /** The step set the pc itself; let other actors run first. */
  JUMP_PREEMPT = 6,
}

/** A step: runs with the kernel context and the running routine's frame (its named words). */
export type Step<K, F extends Fields = Fields> = {
  // A method's parameters are compared both ways, so a step of one frame fits a list of steps of
  // any frame (the routine it is listed in decides the frame it runs with).
  step(k: K, f: View<F>): Ctl;
}['step'];

/**
 * A routine as its callers know it: its name, its frame (arguments and locals, each word declared
 * with its kind, world/fields.ts) and the routines it may call. The steps come with it (a routine)
 * or from a policy (intel-svm's four, drivers/iommu/intel/svm.ts).
 */
export interface RoutineDecl<K = unknown, F extends Fields = Fields> {
  readonly name: string;
  readonly frame: StructDef<F>;
  /**
   * The routines it may call: direct calls, and for a call through a function pointer
   * (f_op->release, ops->fault_cb) every routine the system can have there, from its config.
   */
  readonly calls: (cfg: never) => readonly RoutineDecl<K, Fields>[];
}

export interface Routine<K = unknown, F extends Fields = Fields> extends RoutineDecl<K, F> {
  /** The declaration this routine implements (itself, or a policy's declaration). */
  readonly decl: RoutineDecl<K, Fields>;
  readonly steps: readonly Step<K, F>[];
  /** Step names (the step functions' names), for labels and traces. */
  readonly labels: readonly string[];
  /** Steps at which an actor may wait forever without that being a deadlock (an idle loop). */
  readonly idle: ReadonlySet<number>;
  /** By pc: 1 where the step was declared with ownWordsOnly. */
  readonly ownOnly: Uint8Array;
}

const OWN_ONLY = Symbol('ownWordsOnly');

/**
 * Declares that a step reads and writes nothing but its own actor's words: its stack (frame words,
 * pc, calls and returns) and, for a task, its task_struct; nothing any other actor touches. The
 * system's partial-order reduction (system/footprint.ts) lets such moves go first. A declaration
 * that is wrong makes that reduction unsound, so system/footprint.test.ts runs every declared
 * step it reaches under a recording memory and fails on any other word.
 */
export function ownWordsOnly<K, F extends Fields>(step: Step<K, F>): Step<K, F> {
  (step as Step<K, F> & { [OWN_ONLY]?: true })[OWN_ONLY] = true;
  return step;
}

/**
 * A frame's header word packs the routine id and the pc, `id << PC_BITS | pc`: one word instead of
 * two, since a routine has fewer than 2^PC_BITS steps and there are fewer than 2^23 routines.
 */
export const PC_BITS = 8;
const PC_MASK = (1 << PC_BITS) - 1;
const MAX_ROUTINES = 1 << (31 - PC_BITS);

/** A routine from its declaration and its steps. */
export function implement<K, F extends Fields>(
  decl: RoutineDecl<K, F>,
  steps: readonly Step<K, F>[],
  idle: readonly string[] = [],
): Routine<K, F> {
  // The pc runs up to steps.length (one past the last step, an error caught by Kernel.run).
  if (steps.length > PC_MASK)
    throw new Error(`${decl.name}: ${steps.length} steps; a frame's pc holds ${PC_MASK}`);
  const labels = steps.map((s, i) => s.name || `${decl.name}+${i}`);
  for (const l of idle) if (!labels.includes(l)) throw new Error(`${decl.name}: no step '${l}' to idle at`);
  return {
    name: decl.name,
    frame: decl.frame,
    calls: decl.calls,
    decl: decl as RoutineDecl<K, Fields>,
    steps,
    labels,
    idle: new Set(idle.map((l) => labels.indexOf(l))),
    ownOnly: Uint8Array.from(steps, (st) => ((st as { [OWN_ONLY]?: true })[OWN_ONLY] ? 1 : 0)),
  };
}

/**
 * The routines of one system, numbered: what a frame's header stores. Built from the bottom
 * routines of its actors and the routines each declares it calls (resolved by `impl` for a
 * declaration a policy implements), in that order, so that the numbers depend on the system alone.
 * The call graph also bounds how many words each actor's stack can need (`stackWords`).
 */
export class RoutineTable<K> {
  readonly all: Routine<K>[] = [];
  private readonly ids = new Map<RoutineDecl<K>, number>();
  /** Per routine id: the ids of the routines it declares it calls. */
  readonly callees: ReadonlySet<number>[] = [];

  constructor(
    roots: readonly Routine<K>[],
    private readonly cfg: unknown,
    impl: (d: RoutineDecl<K>) => Routine<K> | undefined = () => undefined,
  ) {
    const queue: Routine<K>[] = [...roots];
    const resolve = (d: RoutineDecl<K>): Routine<K> => {
      const r = impl(d) ?? (d as Routine<K>);
      if (!('steps' in r)) throw new Error(`${d.name} is declared but no routine implements it`);
      return r;
    };
    while (queue.length > 0) {
      const r = queue.shift() as Routine<K>;
      if (this.ids.has(r.decl)) continue;
      if (this.all.length + 1 >= MAX_ROUTINES)
        throw new Error(`${r.name}: more than ${MAX_ROUTINES - 1} routines`);
      this.all.push(r);
      // Callers name the routine or the declaration it implements: either finds its number.
      this.ids.set(r.decl, this.all.length);
      this.ids.set(r, this.all.length);
      for (const c of r.calls(cfg as never)) queue.push(resolve(c));
    }
    for (const r of this.all) this.callees.push(new Set(r.calls(cfg as never).map((c) => this.idOf(c))));
  }

  get(id: number): Routine<K> {
    return this.all[id - 1];
  }

  /** The number of the routine that implements `d` here; throws for one the system cannot call. */
  idOf(d: RoutineDecl<K, Fields>): number {
    const id = this.ids.get(d as RoutineDecl<K>);
    if (id === undefined)
      throw new Error(`${d.name} is not a routine of this system (no routine declares it as its callee)`);
    return id;
  }

  /**
   * The most words a stack with `root` at the bottom can hold: the heaviest chain of at most
   * `maxFrames` frames down the call graph (a push beyond `maxFrames` is a capacity violation, so no
   * deeper chain is ever stored). Throws on a cycle, which would leave only `maxFrames` as a bound.
   */
  stackWords(root: Routine<K>, maxFrames: number): number {
    const memo = new Map<string, number>();
    const heaviest = (id: number, frames: number, path: readonly number[]): number => {
      if (frames === 0) return 0;
      const r = this.get(id);
      if (path.includes(id))
        throw new Error(`call cycle ${[...path, id].map((i) => this.get(i).name).join(' → ')}`);
      const key = `${id}/${frames}`;
      const known = memo.get(key);
      if (known !== undefined) return known;
      let below = 0;
      for (const c of r.calls(this.cfg as never))
        below = Math.max(below, heaviest(this.idOf(c), frames - 1, [...path, id]));
      const words = 1 + r.frame.words + below;
      memo.set(key, words);
      return words;
    };
    return heaviest(this.idOf(root.decl), maxFrames, []);
  }
}

/*
 * Reading frames from outside the running actor (system/symmetry.ts renames the ids in them) goes
 * through these, so that the frame format can change in one place. A frame is its header word
 * (routine id and pc) followed by its routine's `args` words; the next frame follows it.
 */
/** The routine id of the frame whose header is at word offset `fb`. */
export const frameRoutine = (s: Int32Array, fb: number): number => s[fb] >>> PC_BITS;
/** The step the frame at `fb` is at. */
export const framePc = (s: Int32Array, fb: number): number => s[fb] & PC_MASK;
/** Where the frame above the one at `fb`, of routine `r`, starts. */
export const nextFrame = (fb: number, r: { readonly frame: StructDef }): number => fb + 1 + r.frame.words;

/**
 * The stack of one kernel actor, over the state vector: the frame count at `spAt`, then `words`
 * words of frames from `start`, bottom frame first, each frame right after its caller's. Frames
 * are of different sizes, so where each one starts is found by walking up from the bottom when
 * the stack is bound (`bind`) and kept here, outside the state, as frames are pushed and popped.
 * Words above the top frame are always zero, so a stack's words depend only on its frames.
 */
export class Stack<K> {
  s: Int32Array = new Int32Array(0);
  private spAt = 0;
  private start = 0;
  private end = 0;
  /** Where frame i starts, for i < sp; bases[sp] is the first free word. */
  private readonly bases: Int32Array;
  /** The top frame: where it starts and how many argument words it has. */
  fb = 0;
  args = 0;

  constructor(
    private readonly table: RoutineTable<K>,
    /** At most this many frames: a deeper call is a capacity violation (Kernel.call). */
    readonly depth: number,
  ) {
    this.bases = new Int32Array(depth + 1);
  }

  /** Targets the stack whose frame count is at `spAt`, with `words` words of frames after it. */
  bind(s: Int32Array, spAt: number, words: number): void {
    this.s = s;
    this.spAt = spAt;
    this.start = spAt + 1;
    this.end = this.start + words;
    const sp = s[spAt];
    let b = this.start;
    for (let i = 0; i < sp; i++) {
      this.bases[i] = b;
      b += 1 + this.table.get(s[b] >>> PC_BITS).frame.words;
    }
    this.bases[sp] = b;
    this.top(sp);
  }

  private top(sp: number): void {
    if (sp === 0) {
      this.fb = this.start;
      this.args = 0;
      return;
    }
    this.fb = this.bases[sp - 1];
    this.args = this.table.get(this.s[this.fb] >>> PC_BITS).frame.words;
  }

  get sp(): number {
    return this.s[this.spAt];
  }

  get routineId(): number {
    return this.s[this.fb] >>> PC_BITS;
  }

  get pc(): number {
    return this.s[this.fb] & PC_MASK;
  }

  set pc(v: number) {
    this.s[this.fb] = (this.s[this.fb] & ~PC_MASK) | v;
  }

  /** Every frame, bottom first: its routine and the step it is at (for printing a call stack). */
  frames(): { routineId: number; pc: number }[] {
    const out = [];
    for (let i = 0; i < this.sp; i++) {
      const w = this.s[this.bases[i]];
      out.push({ routineId: w >>> PC_BITS, pc: w & PC_MASK });
    }
    return out;
  }

  /** Where the caller's frame starts (the frame under the top one), and its argument words. */
  callerBase(): number {
    return this.bases[this.sp - 2];
  }

  /**
   * Pushes a frame for routine `id`, its words zero (the caller then writes the arguments). False
   * when the stack already has `depth` frames; throws when the frame would not fit in the words the
   * call graph bounds this stack to (RoutineTable.stackWords), which would mean that bound is wrong.
   */
  push(id: number): boolean {
    const sp = this.s[this.spAt];
    if (sp >= this.depth) return false;
    const r = this.table.get(id);
    const words = r.frame.words;
    const b = this.bases[sp];
    if (b + 1 + words > this.end)
      throw new Error(
        `${r.name}: stack overflow at depth ${sp + 1}, past the ${this.end - this.start} words its call graph bounds this stack to`,
      );
    this.s[b] = id << PC_BITS;
    this.bases[sp + 1] = b + 1 + words;
    this.s[this.spAt] = sp + 1;
    this.fb = b;
    this.args = words;
    return true;
  }

  /** Pops the top frame, zeroing its words. */
  pop(): void {
    const sp = this.s[this.spAt];
    const b = this.bases[sp - 1];
    this.s.fill(0, b, this.bases[sp]);
    this.s[this.spAt] = sp - 1;
    this.top(sp - 1);
  }
}
