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
import { frameShape } from './frames.ts';

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

export type Step<K> = (k: K) => Ctl;

export interface Routine<K> {
  readonly id: number;
  readonly name: string;
  readonly steps: readonly Step<K>[];
  /** Step names (the step functions' names), for labels and traces. */
  readonly labels: readonly string[];
  /** Steps at which an actor may wait forever without that being a deadlock (an idle loop). */
  readonly idle: ReadonlySet<number>;
  /** Argument and local words of its frame (a0 .. a(args-1)), from frames.ts. */
  readonly args: number;
  /**
   * What each of those words holds, as the definer declares it (kernel.ts's defineRoutine: an
   * object kind, or none), for the words that the symmetry reduction renames (system/symmetry.ts);
   * opaque here. At most `args` of them.
   */
  readonly argKinds: readonly number[];
  /** The routines it may call, by name (frames.ts): a call to any other is an error. */
  readonly callees: ReadonlySet<string>;
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
export function ownWordsOnly<K>(step: Step<K>): Step<K> {
  (step as Step<K> & { [OWN_ONLY]?: true })[OWN_ONLY] = true;
  return step;
}

/**
 * A frame's header word packs the routine id and the pc, `id << PC_BITS | pc`: one word instead of
 * two, since a routine has fewer than 2^PC_BITS steps and there are fewer than 2^23 routines.
 */
export const PC_BITS = 8;
const PC_MASK = (1 << PC_BITS) - 1;
const MAX_ROUTINES = 1 << (31 - PC_BITS);

/** Every routine gets an id at definition; the id is what a frame stores. */
export class RoutineTable<K> {
  readonly all: Routine<K>[] = [];

  define(
    name: string,
    steps: readonly Step<K>[],
    idle: readonly string[] = [],
    argKinds: readonly number[] = [],
  ): Routine<K> {
    // The pc runs up to steps.length (one past the last step, an error caught by Kernel.run).
    if (steps.length > PC_MASK)
      throw new Error(`${name}: ${steps.length} steps; a frame's pc holds ${PC_MASK}`);
    if (this.all.length + 1 >= MAX_ROUTINES)
      throw new Error(`${name}: more than ${MAX_ROUTINES - 1} routines`);
    const labels = steps.map((s, i) => s.name || `${name}+${i}`);
    const shape = frameShape(name);
    if (argKinds.length > shape.args)
      throw new Error(
        `${name}: declares ${argKinds.length} argument words, but frames.ts gives it ${shape.args}`,
      );
    const r: Routine<K> = {
      id: this.all.length + 1,
      name,
      steps,
      labels,
      idle: new Set(idle.map((l) => labels.indexOf(l))),
      args: shape.args,
      argKinds,
      callees: new Set(shape.calls),
      ownOnly: Uint8Array.from(steps, (st) => ((st as { [OWN_ONLY]?: true })[OWN_ONLY] ? 1 : 0)),
    };
    this.all.push(r);
    return r;
  }

  get(id: number): Routine<K> {
    return this.all[id - 1];
  }
}

/** Most argument words a frame can have (Stack.push takes a0 .. a4; a5 is a local, zero at the call). */
export const FRAME_ARGS = 6;

/*
 * Reading frames from outside the running actor (system/symmetry.ts renames the ids in them) goes
 * through these, so that the frame format can change in one place. A frame is its header word
 * (routine id and pc) followed by its routine's `args` words; the next frame follows it.
 */
/** The routine id of the frame whose header is at word offset `fb`. */
export const frameRoutine = (s: Int32Array, fb: number): number => s[fb] >>> PC_BITS;
/** The step the frame at `fb` is at. */
export const framePc = (s: Int32Array, fb: number): number => s[fb] & PC_MASK;
/** Argument word `i` of the frame at `fb` (i below its routine's `args`). */
export const frameArg = (s: Int32Array, fb: number, i: number): number => s[fb + 1 + i];
export const setFrameArg = (s: Int32Array, fb: number, i: number, v: number): void => {
  s[fb + 1 + i] = v;
};
/** Where the frame above the one at `fb`, of routine `r`, starts. */
export const nextFrame = (fb: number, r: { readonly args: number }): number => fb + 1 + r.args;

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
      b += 1 + this.table.get(s[b] >>> PC_BITS).args;
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
    this.args = this.table.get(this.s[this.fb] >>> PC_BITS).args;
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
   * Pushes a frame for `r` with arguments `a`. False when the stack already has `depth` frames;
   * throws when `r` is given an argument it has no word for, or when the frame would not fit in
   * the words the call graph bounds this stack to (frames.ts): either means frames.ts is wrong.
   */
  push(r: Routine<K>, a0: number, a1: number, a2: number, a3: number, a4: number): boolean {
    const sp = this.s[this.spAt];
    if (sp >= this.depth) return false;
    const args = r.args;
    if (
      (args < 5 && a4 !== 0) ||
      (args < 4 && a3 !== 0) ||
      (args < 3 && a2 !== 0) ||
      (args < 2 && a1 !== 0) ||
      (args < 1 && a0 !== 0)
    )
      throw new Error(
        `${r.name} called with arguments [${[a0, a1, a2, a3, a4]}], but its frame has ${args} words (frames.ts)`,
      );
    const b = this.bases[sp];
    if (b + 1 + args > this.end)
      throw new Error(
        `${r.name}: stack overflow at depth ${sp + 1}, past the ${this.end - this.start} words frames.ts bounds this stack to`,
      );
    const s = this.s;
    s[b] = r.id << PC_BITS;
    if (args > 0) s[b + 1] = a0;
    if (args > 1) s[b + 2] = a1;
    if (args > 2) s[b + 3] = a2;
    if (args > 3) s[b + 4] = a3;
    if (args > 4) s[b + 5] = a4;
    this.bases[sp + 1] = b + 1 + args;
    s[this.spAt] = sp + 1;
    this.fb = b;
    this.args = args;
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
