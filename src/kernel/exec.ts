/**
 * How kernel code runs in the model.
 *
 * A kernel path is a routine: a list of named steps. Each kernel actor (a task, the delayed-fput
 * worker, the page-request IRQ thread) has a call stack of frames in the state vector; a frame
 * holds the routine, the step it is at, and three words of arguments and locals. One transition of
 * an actor runs steps until one of them ends the atomic action: a preemption point (PREEMPT), a
 * return to an empty stack, or a step that cannot proceed (BLOCK: a lock held, a completion not
 * yet written). Steps between preemption points run atomically, so the preemption points are
 * exactly the places where the model lets another actor run.
 */
import { FRAME_WORDS } from '../world/layout.ts';

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
  /** What each argument word a0, a1, ... holds, as the definer declares it (opaque here). */
  readonly args: readonly number[];
}

/** Every routine gets an id at definition; the id is what a frame stores. */
export class RoutineTable<K> {
  readonly all: Routine<K>[] = [];

  define(
    name: string,
    steps: readonly Step<K>[],
    idle: readonly string[] = [],
    args: readonly number[] = [],
  ): Routine<K> {
    const labels = steps.map((s, i) => s.name || `${name}+${i}`);
    const r: Routine<K> = {
      id: this.all.length + 1,
      name,
      steps,
      labels,
      idle: new Set(idle.map((l) => labels.indexOf(l))),
      args,
    };
    this.all.push(r);
    return r;
  }

  get(id: number): Routine<K> {
    return this.all[id - 1];
  }
}

/** Offsets inside a frame. */
export const F_ROUTINE = 0;
export const F_PC = 1;
export const F_A0 = 2;
export const F_A1 = 3;
export const F_A2 = 4;
export const F_A3 = 5;
export const F_A4 = 6;

/** Argument words per frame (a0 .. a4). */
export const FRAME_ARGS = 5;

/*
 * Reading frames from outside the running actor (system/symmetry.ts renames the ids in them) goes
 * through these, so that the frame format can change in one place.
 */
/** Word offset of frame `i` (0 = the bottom frame) of a stack whose frames start at `framesAt`. */
export const frameAt = (framesAt: number, i: number): number => framesAt + i * FRAME_WORDS;
/** The routine id of the frame at word offset `fb`. */
export const frameRoutine = (s: Int32Array, fb: number): number => s[fb + F_ROUTINE];
/** The step the frame at `fb` is at. */
export const framePc = (s: Int32Array, fb: number): number => s[fb + F_PC];
/** Argument word `i` (0..4) of the frame at `fb`. */
export const frameArg = (s: Int32Array, fb: number, i: number): number => s[fb + F_A0 + i];
export const setFrameArg = (s: Int32Array, fb: number, i: number, v: number): void => {
  s[fb + F_A0 + i] = v;
};

/**
 * The stack of one kernel actor, over the state vector: sp at `spAt`, frames from `framesAt`.
 */
export interface Stack {
  s: Int32Array;
  spAt: number;
  framesAt: number;
  depth: number;
}

export function frameBase(st: Stack): number {
  const sp = st.s[st.spAt];
  return st.framesAt + (sp - 1) * FRAME_WORDS;
}

export function push(
  st: Stack,
  routine: number,
  a0: number,
  a1: number,
  a2: number,
  a3 = 0,
  a4 = 0,
): boolean {
  const sp = st.s[st.spAt];
  if (sp >= st.depth) return false;
  const b = st.framesAt + sp * FRAME_WORDS;
  st.s[b + F_ROUTINE] = routine;
  st.s[b + F_PC] = 0;
  st.s[b + F_A0] = a0;
  st.s[b + F_A1] = a1;
  st.s[b + F_A2] = a2;
  st.s[b + F_A3] = a3;
  st.s[b + F_A4] = a4;
  st.s[st.spAt] = sp + 1;
  return true;
}

export function pop(st: Stack): void {
  const sp = st.s[st.spAt];
  const b = st.framesAt + (sp - 1) * FRAME_WORDS;
  for (let i = 0; i < FRAME_WORDS; i++) st.s[b + i] = 0;
  st.s[st.spAt] = sp - 1;
}
