/**
 * The context every kernel step runs in: the world, the hardware it talks to, the running actor
 * and its current frame, and the helpers that record references, violations and trace notes.
 */
import type { Hardware } from '../hw/hardware.ts';
import type { BadRequest } from '../hw/pci/device.ts';
import { V, type ViolationKind } from '../properties/violations.ts';
import { recordViolation } from '../world/fail.ts';
import type { FieldValue, ObjKind, ValueKind } from '../world/fields.ts';
import type { World } from '../world/layout.ts';
import { Life, Obj } from '../world/objects.ts';
import { packRef, refAdd, refDel } from '../world/refs.ts';
import { defineStruct, type Fields, type MovableView, makeMovableView, type View } from '../world/struct.ts';
import {
  Ctl,
  implement,
  PC_BITS,
  type Routine,
  type RoutineDecl,
  type RoutineTable,
  Stack,
  type Step,
} from './exec.ts';

export type KStep<F extends Fields = Fields> = Step<Kernel, F>;
export type KRoutine<F extends Fields = Fields> = Routine<Kernel, F>;
export type KDecl<F extends Fields = Fields> = RoutineDecl<Kernel, F>;

/** A routine's frame: its arguments and locals, each with its kind (world/fields.ts). */
export type Frame<F extends Fields> = View<F>;

/** The arguments a call passes, by name: the callee's frame words not named start as zero (NULL). */
export type Args<F extends Fields> = { readonly [K in keyof F]?: FieldValue<F[K]> };

interface RoutineShape<F extends Fields> {
  /** The kernel function it models. */
  readonly name: string;
  /** Its arguments and locals in order, each with its kind; none when omitted. */
  readonly frame?: F;
  /**
   * The routines it calls (so that a stack is sized by its deepest chain of calls): a function,
   * since routines refer to each other across files; given the system's config for calls through
   * function pointers (f_op->release, ops->fault_cb).
   */
  readonly calls?: (cfg: KernelConfig) => readonly KDecl[];
}

/** Declares a routine whose steps are given elsewhere (by a policy, see drivers/iommu/intel/svm.ts). */
export function declareRoutine<F extends Fields = Record<never, never>>(shape: RoutineShape<F>): KDecl<F> {
  return {
    name: shape.name,
    frame: defineStruct(shape.name, (shape.frame ?? {}) as F),
    calls: (shape.calls ?? (() => [])) as (cfg: never) => readonly KDecl[],
  };
}

/** Defines a kernel routine: its shape, its steps, and the steps where it idles (waiting for work). */
export function defineRoutine<F extends Fields = Record<never, never>>(
  shape: RoutineShape<F> & { readonly steps: readonly KStep<F>[]; readonly idle?: readonly string[] },
): KRoutine<F> {
  return implement(declareRoutine(shape), shape.steps, shape.idle);
}

/** What the kernel needs to know about the system it runs in (from the scenario). */
export interface KernelConfig {
  /** Number of tasks: task i is kernel actor i. */
  readonly tasks: number;
  /** Kernel actor ids of the delayed-fput worker and of the page-request IRQ thread. */
  readonly kworker: number;
  readonly prqThread: number;
  /** Each task's program (the syscalls it makes), by task. */
  readonly programs: readonly (readonly SysOp[])[];
  /** The notifier ops intel-svm registers: its ->release (the selected policy's). */
  readonly svmOps: { readonly release: KDecl<NotifierReleaseFrame> };
  /** file_operations of each client driver, indexed by file.f_op. */
  readonly fileOps: readonly ClientFileOps[];
  /** Per device: which client driver drives it, and its PCI identity. */
  readonly devices: readonly DeviceConfig[];
}

/** A syscall in a task's program (see scenario/). */
export type SysOp =
  | { op: 'open'; fd: number; device: number }
  | { op: 'bind'; fd: number }
  | { op: 'mmap'; fd: number }
  | { op: 'munmap'; fd: number }
  | { op: 'touch'; page: number }
  | { op: 'close'; fd: number }
  | { op: 'fork'; child: number }
  | { op: 'exit' };

export interface ClientFileOps {
  readonly name: string;
  /** Whether the driver's file_operations have ->mmap. */
  readonly mmap: boolean;
  /** ioctl(SVM_BIND), given the file. */
  readonly bind: KRoutine<{ file: ObjKind<'file'> }>;
  /** ->release, given the file. */
  readonly release: KRoutine<{ file: ObjKind<'file'> }>;
  /** svm_dev_ops.fault_cb, called by prq_event_thread with the device, the PASID and the result. */
  readonly faultCb?: KRoutine<FaultCbFrame>;
}

/** mmu_notifier_ops.release's arguments: the notifier (embedded in an intel_svm) and the mm. */
export type NotifierReleaseFrame = { svm: ObjKind<'svm'>; mm: ObjKind<'mm'> };

/** svm_dev_ops.fault_cb's arguments: the device, the PASID and the result sent. */
export type FaultCbFrame = { dev: ObjKind<'device'>; pasid: ValueKind; result: ValueKind };

export interface DeviceConfig {
  readonly name: string;
  /** Index into fileOps of the client driver bound to this device. */
  readonly client: number;
  /** PCI requester id (bus << 8 | devfn). */
  readonly sid: number;
  /** ATS enabled: the device caches translations in its device-TLB. */
  readonly ats: boolean;
  /** Page requests sent as stream requests (SRR). */
  readonly streamRequests: boolean;
  /** The client binds this device with svm_dev_ops that have a fault_cb. */
  readonly faultCb: boolean;
  /** Which PASIDs its requests carry: its own, any present in the shared table, or none (hw/pci). */
  readonly pasids: 'own' | 'all' | 'absent';
  /** The misbehaving page requests it sends instead of DMA (hw/pci/device.ts). */
  readonly badRequests: readonly BadRequest[];
}

/** Flags in task_struct.flags. */
export const PF_EXITING = 1;
export const PF_KTHREAD = 2;

/**
 * A step that threw, returned something that is not a Ctl, ran its routine off its end or looped
 * within one atomic action: named, so that a policy author sees which of their steps it was.
 */
export class StepError extends Error {
  constructor(
    readonly routine: string,
    readonly step: string,
    readonly reason: string,
  ) {
    super(`step '${step}' of ${routine} ${reason}`);
  }
}

const errorText = (e: unknown): string =>
  `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;

export class Kernel {
  /** The kernel actor now running (its id indexes w.actor). */
  actor = 0;
  private readonly stack: Stack<Kernel>;
  /** Per routine id: a view of its frame, moved onto the frame that runs. */
  private readonly frameViews: MovableView<Fields>[] = [];
  private readonly setters: Map<string, (v: unknown) => void>[] = [];
  /** Trace notes of the running action, collected only when `notes` is set (not while searching). */
  notes: string[] | null = null;
  /** Called before every step run, when set: for tests and debugging. */
  onStep: ((r: KRoutine, pc: number, id: number) => void) | null = null;
  /**
   * When set, run() stops before any step not declared ownWordsOnly and sets `strayed`: how
   * system/footprint.ts finds out whether a move touches only its actor's own words.
   */
  ownOnly = false;
  strayed = false;

  constructor(
    readonly w: World,
    readonly hw: Hardware,
    readonly cfg: KernelConfig,
    /** The system's routines (exec.ts): what the frames' headers number. */
    readonly routines: RoutineTable<Kernel>,
  ) {
    this.stack = new Stack(routines, w.dims.stackDepth);
    for (const r of routines.all) {
      const v = makeMovableView(r.frame, w);
      this.frameViews.push(v);
      // Each frame word's setter, called directly: a call's arguments are written through these,
      // not by a keyed store that sees every routine's frame class.
      const proto = Object.getPrototypeOf(v);
      this.setters.push(
        new Map(
          r.frame.names.map((n) => [
            n,
            Object.getOwnPropertyDescriptor(proto, n)?.set as (v: unknown) => void,
          ]),
        ),
      );
    }
  }

  get s(): Int32Array {
    return this.w.s;
  }

  /** Targets the stack of actor `a` in the current state vector. */
  bindActor(a: number): void {
    this.actor = a;
    const v = this.w.actor[a];
    this.stack.bind(this.w.s, v.base + 1, v.def.tailWords);
  }

  /**
   * Targets the bound actor's stack in the current state vector, which holds the same frames as the
   * one it was bound in (a copy of it): the frames' places are kept, not found again.
   */
  rebindToCopy(): void {
    this.stack.s = this.w.s;
  }

  get sp(): number {
    return this.stack.sp;
  }

  get routineId(): number {
    return this.stack.routineId;
  }

  /** The bound actor's call stack, bottom first. */
  frames(): { routineId: number; pc: number }[] {
    return this.stack.frames();
  }
  get pc(): number {
    return this.stack.pc;
  }
  set pc(v: number) {
    this.stack.pc = v;
  }

  /** The frame of routine `id` whose words start at `at`, as a view. */
  private frameAt(id: number, at: number): MovableView<Fields> {
    const v = this.frameViews[id - 1];
    v.base = at;
    return v;
  }

  /** Writes named values into a frame, refusing a name the routine does not declare. */
  private assign(id: number, f: MovableView<Fields>, values: Readonly<Record<string, unknown>>): void {
    const setters = this.setters[id - 1];
    for (const name in values) {
      const set = setters.get(name);
      if (set === undefined) {
        const r = this.routines.get(id);
        throw new Error(
          `${r.name} has no frame word '${name}' (its frame: ${r.frame.names.join(', ') || 'none'})`,
        );
      }
      set.call(f, values[name]);
    }
  }

  /**
   * Returns values through the caller's frame, as C returns through pointer arguments
   * (`intel_svm_bind_mm(dev, &pasid, ...)`): the caller's words of these names.
   */
  out(values: Readonly<Record<string, unknown>>): void {
    const b = this.stack.callerBase();
    const id = this.s[b] >>> PC_BITS;
    this.assign(id, this.frameAt(id, b + 1), values);
  }

  /**
   * Calls routine `r` with `args` (by name; its other words start as zero): the caller resumes at
   * its next step after `r` returns.
   */
  call<F extends Fields>(r: KDecl<F>, args?: Args<F>): Ctl {
    return this.push(r, args, false);
  }

  /** Calls `r`, resuming the caller at this same step after it returns: a loop over calls. */
  callAgain<F extends Fields>(r: KDecl<F>, args?: Args<F>): Ctl {
    return this.push(r, args, true);
  }

  private push<F extends Fields>(r: KDecl<F>, args: Args<F> | undefined, again: boolean): Ctl {
    const me = this.routineId;
    const id = this.routines.idOf(r);
    if (!this.routines.callees[me - 1].has(id))
      throw new Error(
        `${this.routines.get(me).name} calls ${r.name}, which it does not declare among its calls`,
      );
    if (!again) this.pc = this.pc + 1;
    if (!this.stack.push(id)) {
      this.fail('capacity', 0, 0, 0);
      return Ctl.BLOCK;
    }
    if (args) this.assign(id, this.frameAt(id, this.stack.fb + 1), args);
    if (this.notes) this.notes.push(r.name);
    return Ctl.CALL;
  }

  /** Starts a fresh actor stack with `r` as its bottom frame. */
  start<F extends Fields>(r: KDecl<F>, args?: Args<F>): void {
    this.stack.s = this.w.s;
    const id = this.routines.idOf(r);
    this.stack.push(id);
    if (args) this.assign(id, this.frameAt(id, this.stack.fb + 1), args);
  }

  /** Jumps to the step labelled `label` in the current routine. */
  jump(label: string): Ctl {
    const r = this.routines.get(this.routineId);
    const i = r.labels.indexOf(label);
    if (i < 0) throw new Error(`${r.name}: no step labelled '${label}'`);
    this.pc = i;
    return Ctl.JUMP;
  }

  /** Jumps to `label`, letting other actors run first (the end of a loop iteration). */
  jumpPreempt(label: string): Ctl {
    this.jump(label);
    return Ctl.JUMP_PREEMPT;
  }

  /** Runs the actor's steps until the atomic action ends. Returns whether anything happened. */
  run(): boolean {
    let progressed = false;
    for (let guard = 0; guard < 10_000; guard++) {
      if (this.sp === 0) {
        // An empty stack: finished (after its last return), or not started yet (a task not forked).
        if (progressed) this.w.actor[this.actor].done = 1;
        return progressed;
      }
      const id = this.routineId;
      const r = this.routines.get(id);
      const step = r.steps[this.pc];
      if (!step)
        throw new StepError(r.name, r.labels[r.steps.length - 1], 'ran off the end of its list (no return)');
      if (this.onStep) this.onStep(r, this.pc, id);
      if (this.ownOnly && r.ownOnly[this.pc] === 0) {
        this.strayed = true;
        return progressed;
      }
      // The step that runs, named by where it started: a call it makes moves the pc and the top
      // frame before it returns (or throws), and an error must name it, not the callee.
      const pc = this.pc;
      let ctl: Ctl;
      try {
        ctl = step(this, this.frameAt(id, this.stack.fb + 1));
      } catch (e) {
        throw e instanceof StepError ? e : new StepError(r.name, r.labels[pc], errorText(e));
      }
      if (!(ctl >= Ctl.NEXT && ctl <= Ctl.JUMP_PREEMPT))
        throw new StepError(r.name, r.labels[pc], `returned ${String(ctl)}, not a Ctl`);
      if (this.w.kernel.violation === V.capacity) return true;
      switch (ctl) {
        case Ctl.BLOCK:
          return progressed;
        case Ctl.NEXT:
          this.pc = this.pc + 1;
          break;
        case Ctl.PREEMPT:
          this.pc = this.pc + 1;
          return true;
        case Ctl.RET:
          this.stack.pop();
          break;
        case Ctl.JUMP_PREEMPT:
          return true;
        case Ctl.CALL:
        case Ctl.JUMP:
          break;
      }
      progressed = true;
    }
    const r = this.routines.get(this.routineId);
    throw new StepError(
      r.name,
      r.labels[this.pc],
      'loops without a preemption point: 10,000 steps ran in one atomic action',
    );
  }

  /** Is the actor parked at an idle step (waiting for work, not stuck)? */
  atIdle(a: number): boolean {
    this.bindActor(a);
    if (this.sp === 0) return true;
    return this.routines.get(this.routineId).idle.has(this.pc);
  }

  note(text: string): void {
    if (this.notes) this.notes.push(text);
  }

  // --- violations -------------------------------------------------------------------------

  /** Records the first violation of the run, with the object and the site that saw it. */
  fail(kind: ViolationKind, objKind: number, idx: number, site: number): void {
    recordViolation(this.w, this.actor, kind, objKind, idx, site);
  }

  /** Dereferences object `idx` of a pool: reports a use after free when it was freed. */
  live(kind: number, life: number, idx: number, site: number): boolean {
    if (life === Life.live) return true;
    this.fail(life === Life.freed ? 'use-after-free' : 'refcount', kind, idx, site);
    return false;
  }

  // --- the reference tracker --------------------------------------------------------------

  get(count: number, targetKind: number, target: number, holderKind: number, holder: number): void {
    if (
      !refAdd(
        this.s,
        this.w.refsBase,
        this.w.dims.refs,
        packRef(count, targetKind, target, holderKind, holder),
      )
    )
      this.fail('capacity', 0, 0, 0);
  }

  /** Drops a tracked reference; a put by a holder that holds none is refcount misuse. */
  put(
    count: number,
    targetKind: number,
    target: number,
    holderKind: number,
    holder: number,
    site: number,
  ): void {
    if (
      !refDel(
        this.s,
        this.w.refsBase,
        this.w.dims.refs,
        packRef(count, targetKind, target, holderKind, holder),
      )
    )
      this.fail('refcount', targetKind, target, site);
  }

  /** Moves a reference from one holder to another (a pin handed over). */
  moveRef(count: number, targetKind: number, target: number, from: [number, number], to: [number, number]) {
    this.put(count, targetKind, target, from[0], from[1], 0);
    this.get(count, targetKind, target, to[0], to[1]);
  }

  /** The running actor, as a reference holder. */
  get me(): [number, number] {
    return [Obj.actor, this.actor];
  }
}
