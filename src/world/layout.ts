/**
 * The layout of the world state: every kernel object, every hardware structure, every kernel
 * actor's call stack and the lock holders, as fixed pools in one Int32Array.
 *
 * Pools are sized from the scenario (Dims). Each pool is an array of one struct; a slot is
 * `unused`, `live` or `freed` (see Life) and is never reused, so a stale pointer is detectable.
 * Pointers are stored as index + 1 (0 is NULL).
 *
 * Every object belongs to a task, its owner: a task's mm is mm `task`; a VMA, page frame or
 * intel_svm belongs to its mm's task, an intel_svm_dev to its svm's, a file to the task that opened
 * it. Each pool but the mm's is cut into one range of `Dims.per` slots per owner, and an owner
 * allocates only in its own range. An object's number then says whose it is and how many of its
 * owner's objects came before it, not when it was allocated relative to other tasks' objects, so
 * that exchanging two identical processes maps states to states (system/symmetry.ts).
 */
import {
  definePackedStruct,
  defineStruct,
  type Memory,
  makeView,
  type StructDef,
  type View,
} from './struct.ts';

/** Pool sizes for one scenario. */
export interface Dims {
  tasks: number;
  mms: number;
  vmas: number;
  files: number;
  /** Physical page frames available to page tables and user data. */
  frames: number;
  /** intel_svm structs. */
  svms: number;
  sdevs: number;
  /** PASIDs: pasid_idr and PASID-table entries (at most one live intel_svm per bind in the scenario). */
  pasids: number;
  /** Slots per owner task in the pools cut into per-task ranges (pool size = tasks * per). */
  per: { vmas: number; files: number; frames: number; svms: number; sdevs: number };
  devices: number;
  /** Kernel actors (tasks, the delayed-fput worker, the page-request IRQ thread). */
  kactors: number;
  /** Fds per task. */
  nfd: number;
  /** User pages per mm (page-table entries modelled in a PTE page). */
  upages: number;
  /** Reference-tracker entries. */
  refs: number;
  /** Invalidation-queue and page-request-queue ring sizes (in descriptors). */
  iqSize: number;
  prqSize: number;
  /** Most frames on a kernel actor's call stack: a deeper call is a capacity violation. */
  stackDepth: number;
  /**
   * Words of frames on each kernel actor's call stack, by actor: the heaviest call chain from its
   * bottom routine (see kernel/frames.ts), since frames hold only their routine's own words.
   */
  stackWords: readonly number[];
}

export const TaskDef = defineStruct('task_struct', [
  'life',
  'mm',
  'active_mm',
  'flags',
  /** Bitmask of files whose final __fput is queued as task work. */
  'task_works',
  /** Set by exit_task_work: task_work_add fails from then on. */
  'work_exited',
  /** Position in the scenario program. */
  'prog_pc',
] as const);
export const MmDef = defineStruct('mm_struct', [
  'life',
  'mm_users',
  'mm_count',
  /** Frame of the PGD, as index + 1. */
  'pgd',
  /** Bitmask of svm indices whose notifier is on this mm's list. */
  'notifiers',
  /** mmap_sem: 0 free, n > 0 readers, -1 a writer. */
  'mmap_sem',
  /** Which step of exit_mmap has run (0 none .. 4 all). */
  'exit_mmap_step',
] as const);
export const VmaDef = defineStruct('vm_area_struct', [
  'life',
  'vm_mm',
  'vm_start',
  'vm_pages',
  'vm_file',
  'vm_flags',
] as const);
export const FileDef = defineStruct('file', [
  'life',
  'f_count',
  /** The client driver whose file_operations this file has (see drivers/). */
  'f_op',
  /** Device index + 1. */
  'device',
  /** Client context: PASID + 1 once bound. */
  'ctx_pasid',
  /** Client context: the binding (sdev index + 1). */
  'ctx_sdev',
] as const);
/**
 * A page frame's struct page: life (Life), kind (PageKind, 1..5) and owner (mm index + 1) share one
 * word, since there are many frames (two sets of tables and data pages per mm) and all three are
 * small; the frame's modelled page-table entries (two words each) follow it.
 */
export const PageDef = definePackedStruct('page', ['life', 'kind', 'owner'] as const, [2, 3, 10]);
export const SvmDef = defineStruct('intel_svm', [
  'life',
  'mm',
  'pasid',
  /** The embedded mmu_notifier: 0 never registered, 1 on the mm's list, 2 unhashed. */
  'notifier',
  /** Bitmask of sdev indices on svm->devs. */
  'devs',
] as const);
export const SdevDef = defineStruct('intel_svm_dev', [
  'life',
  'svm',
  'dev',
  'users',
  'did',
  'sid',
  'dev_iotlb',
  /** sdev->ops: 1 when the client passed svm_dev_ops with a fault_cb, else 0. */
  'ops',
] as const);
export const KernelDef = defineStruct('kernel', [
  /** pasid_mutex owner: actor id + 1, or 0. */
  'pasid_mutex',
  /**
   * delayed_fput_list (final fput from a kernel thread or after exit): a stack of file + 1 in 5-bit
   * fields, the newest in the low bits (kernel/fs/file.ts).
   */
  'delayed_fput',
  /** struct q_inval (dmar.c, v4.5): next free slot, oldest slot not yet reclaimed, free slots. */
  'qi_free_head',
  'qi_free_tail',
  'qi_free_cnt',
  /** Actors inside an SRCU read section of the notifier core's srcu_struct (mmu_notifier.ts). */
  'srcu_readers',
  /** First violation seen during a step: kind (see properties), object, detail, actor + 1. */
  'violation',
  'violation_obj',
  'violation_arg',
  'violation_actor',
] as const);
export const ActorDef = defineStruct('actor', [
  /** 0 running, 1 finished. */
  'done',
  'sp',
] as const);

/**
 * The first unused slot in `owner`'s range of `pool` (`per` slots from owner * per), or undefined
 * when the owner has used them all. How every allocator picks a slot (see the header).
 */
export function unusedSlot<T extends { life: number }>(
  pool: readonly T[],
  owner: number,
  per: number,
): T | undefined {
  for (let i = owner * per; i < (owner + 1) * per; i++) if (pool[i].life === 0) return pool[i];
  return undefined;
}

/** Base of the modelled physical memory: frame f lives at ((PFN_BASE + f) << 12). */
export const PFN_BASE = 0x100;

export class World implements Memory {
  s: Int32Array;
  readonly words: number;
  readonly task: View<(typeof TaskDef.fields)[number]>[] = [];
  readonly mm: View<(typeof MmDef.fields)[number]>[] = [];
  readonly vma: View<(typeof VmaDef.fields)[number]>[] = [];
  readonly file: View<(typeof FileDef.fields)[number]>[] = [];
  readonly page: View<(typeof PageDef.fields)[number]>[] = [];
  readonly svm: View<(typeof SvmDef.fields)[number]>[] = [];
  readonly sdev: View<(typeof SdevDef.fields)[number]>[] = [];
  readonly actor: View<(typeof ActorDef.fields)[number]>[] = [];
  readonly kernel: View<(typeof KernelDef.fields)[number]>;
  /** pasid_idr: PASID -> svm index + 1. */
  readonly idrBase: number;
  /** The reference tracker: a sorted array of packed references (see refs.ts), 0 = empty. */
  readonly refsBase: number;
  /** Where the hardware model's words start, and how many it has (see hw/). */
  readonly hwBase: number;
  private next = 0;

  constructor(
    readonly dims: Dims,
    hwWords: number,
  ) {
    this.s = new Int32Array(0);
    this.pool(TaskDef, dims.tasks, this.task, dims.nfd);
    this.pool(MmDef, dims.mms, this.mm);
    this.pool(VmaDef, dims.vmas, this.vma);
    this.pool(FileDef, dims.files, this.file);
    this.pool(PageDef, dims.frames, this.page, 2 * dims.upages);
    this.pool(SvmDef, dims.svms, this.svm);
    this.pool(SdevDef, dims.sdevs, this.sdev);
    for (let a = 0; a < dims.kactors; a++) this.pool(ActorDef, 1, this.actor, dims.stackWords[a], a);
    this.kernel = makeView(KernelDef, this, 0, this.take(KernelDef.words));
    this.idrBase = this.take(dims.pasids);
    this.refsBase = this.take(dims.refs);
    this.hwBase = this.take(hwWords);
    this.words = this.next;
    this.s = new Int32Array(this.words);
  }

  /** Reserves `n` words and returns their offset. */
  private take(n: number): number {
    const at = this.next;
    this.next += n;
    return at;
  }

  private pool<F extends string>(
    def: StructDef<F>,
    count: number,
    into: View<F>[],
    tail = 0,
    first = 0,
  ): void {
    const d = tail === def.tailWords ? def : { ...def, tailWords: tail, words: def.headWords + tail };
    for (let i = 0; i < count; i++)
      into.push(makeView(d as StructDef<F>, this, first + i, this.take(d.words)));
  }
}
