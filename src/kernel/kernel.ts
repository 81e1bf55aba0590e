/**
 * The context every kernel step runs in: the world, the hardware it talks to, the running actor
 * and its current frame, and the helpers that record references, violations and trace notes.
 */
import type { Hardware } from '../hw/hardware.ts';
import type { BadRequest } from '../hw/pci/device.ts';
import { V, type ViolationKind } from '../properties/violations.ts';
import { recordViolation } from '../world/fail.ts';
import type { World } from '../world/layout.ts';
import { ID_PLUS1, Id, Life, Obj } from '../world/objects.ts';
import { packRef, refAdd, refDel } from '../world/refs.ts';
import { Ctl, FRAME_ARGS, PC_BITS, type Routine, RoutineTable, Stack, type Step } from './exec.ts';

export type KStep = Step<Kernel>;
export type KRoutine = Routine<Kernel>;
export const routines = new RoutineTable<Kernel>();
/**
 * Defines a kernel routine from its prototype, its steps and the steps where it idles. The
 * prototype names the routine and says what each argument word holds, as C's would:
 * `mmput(mm, holder)`. Every word that holds an object's number must say which kind (task, mm,
 * vma, file, page, svm, sdev; `+1` when stored as index + 1; `holder`, `qi_target`), or exchanging
 * processes would not rename it (system/symmetry.ts); other words say what they are (ARG_PLAIN).
 */
export const defineRoutine = (prototype: string, steps: readonly KStep[], idle: readonly string[] = []) => {
  const m = /^([^(]+)\((.*)\)$/.exec(prototype);
  if (!m) throw new Error(`defineRoutine: '${prototype}' is not a prototype such as 'mmput(mm, holder)'`);
  const args = m[2] === '' ? [] : m[2].split(',').map((a) => argKind(m[1], a.trim()));
  if (args.length > FRAME_ARGS) throw new Error(`${m[1]}: more arguments than a frame has`);
  return routines.define(m[1], steps, idle, args);
};

/** Argument words that hold no object's number, by what they hold. */
const ARG_PLAIN = new Set(['-', 'pasid', 'pasid+1', 'user_page', 'slot', 'flag', 'result', 'kind', 'code']);
const ARG_ID: Record<string, number> = {
  task: Id.task,
  mm: Id.mm,
  vma: Id.vma,
  file: Id.file,
  page: Id.page,
  svm: Id.svm,
  sdev: Id.sdev,
  holder: Id.holder,
  qi_target: Id.qiTarget,
  dev: Id.dev,
};

function argKind(routine: string, a: string): number {
  if (ARG_PLAIN.has(a)) return Id.none;
  const plus1 = a.endsWith('+1');
  const kind = ARG_ID[plus1 ? a.slice(0, -2) : a];
  if (kind === undefined || (plus1 && kind >= Id.holder))
    throw new Error(`${routine}: unknown argument kind '${a}'`);
  return plus1 ? kind | ID_PLUS1 : kind;
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
  /** file_operations of each client driver, indexed by file.f_op. */
  readonly fileOps: readonly ClientFileOps[];
  /** The notifier ops intel-svm registers (from the selected policy). */
  readonly svmOps: { readonly release: KRoutine };
  /** intel_svm_unbind_mm of the selected policy, for the client drivers. */
  readonly svmUnbind: KRoutine;
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
  /** ioctl(SVM_BIND): a0 = file. */
  readonly bind: KRoutine;
  /** ->release: a0 = file. */
  readonly release: KRoutine;
  /** svm_dev_ops.fault_cb, called by prq_event_thread: a0 = device, a1 = PASID, a2 = result. */
  readonly faultCb?: KRoutine;
}

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
  /** Trace notes of the running action, collected only when `notes` is set (not while searching). */
  notes: string[] | null = null;
  /** Called before every step run, when set: for tests and debugging. */
  onStep: ((r: KRoutine, pc: number) => void) | null = null;
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
  ) {
    this.stack = new Stack(routines, w.dims.stackDepth);
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

  /** Where word `i` of the running routine's frame is; it must be one of its own (frames.ts). */
  private argAt(i: number): number {
    const st = this.stack;
    if (i >= st.args)
      throw new Error(
        `${routines.get(st.routineId).name} uses a${i}, but its frame has ${st.args} words (frames.ts)`,
      );
    return st.fb + 1 + i;
  }

  get a0(): number {
    return this.s[this.argAt(0)];
  }
  set a0(v: number) {
    this.s[this.argAt(0)] = v;
  }
  get a1(): number {
    return this.s[this.argAt(1)];
  }
  set a1(v: number) {
    this.s[this.argAt(1)] = v;
  }
  get a2(): number {
    return this.s[this.argAt(2)];
  }
  set a2(v: number) {
    this.s[this.argAt(2)] = v;
  }
  get a3(): number {
    return this.s[this.argAt(3)];
  }
  set a3(v: number) {
    this.s[this.argAt(3)] = v;
  }
  get a4(): number {
    return this.s[this.argAt(4)];
  }
  set a4(v: number) {
    this.s[this.argAt(4)] = v;
  }
  get a5(): number {
    return this.s[this.argAt(5)];
  }
  set a5(v: number) {
    this.s[this.argAt(5)] = v;
  }

  /** The caller's frame word `i` (0..4): how a routine returns a value. */
  setCallerArg(i: number, v: number): void {
    const b = this.stack.callerBase();
    const caller = routines.get(this.s[b] >>> PC_BITS);
    if (i >= caller.args)
      throw new Error(
        `${caller.name} receives a${i} from its callee, but its frame has ${caller.args} words (frames.ts)`,
      );
    this.s[b + 1 + i] = v;
  }

  /**
   * Calls `r`: the caller resumes at its next step (or at this same step when `again`, to loop),
   * after `r` returns.
   */
  call(r: KRoutine, a0 = 0, a1 = 0, a2 = 0, again = false, a3 = 0, a4 = 0): Ctl {
    const me = routines.get(this.routineId);
    if (!me.callees.has(r.name))
      throw new Error(`${me.name} calls ${r.name}, which frames.ts does not list as its callee`);
    if (!again) this.pc = this.pc + 1;
    if (!this.stack.push(r, a0, a1, a2, a3, a4)) {
      this.fail('capacity', 0, 0, 0);
      return Ctl.BLOCK;
    }
    if (this.notes) this.notes.push(r.name);
    return Ctl.CALL;
  }

  /** Starts a fresh actor stack with `r` as its bottom frame. */
  start(r: KRoutine, a0 = 0, a1 = 0, a2 = 0): void {
    this.stack.s = this.w.s;
    this.stack.push(r, a0, a1, a2, 0, 0);
  }

  /** Jumps to the step labelled `label` in the current routine. */
  jump(label: string): Ctl {
    const r = routines.get(this.routineId);
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
      const r = routines.get(this.routineId);
      const step = r.steps[this.pc];
      if (!step)
        throw new StepError(r.name, r.labels[r.steps.length - 1], 'ran off the end of its list (no return)');
      if (this.onStep) this.onStep(r, this.pc);
      if (this.ownOnly && r.ownOnly[this.pc] === 0) {
        this.strayed = true;
        return progressed;
      }
      let ctl: Ctl;
      try {
        ctl = step(this);
      } catch (e) {
        throw e instanceof StepError ? e : new StepError(r.name, r.labels[this.pc], errorText(e));
      }
      if (!(ctl >= Ctl.NEXT && ctl <= Ctl.JUMP_PREEMPT))
        throw new StepError(r.name, r.labels[this.pc], `returned ${String(ctl)}, not a Ctl`);
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
    const r = routines.get(this.routineId);
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
    return routines.get(this.routineId).idle.has(this.pc);
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
