/**
 * The layout of the world state: every kernel object, every hardware structure, every kernel
 * actor's call stack and the lock holders, as fixed pools in one Int32Array.
 *
 * Pools are sized from the scenario (Dims). Each pool is an array of one struct; a slot is
 * `unused`, `live` or `freed` (see Life) and is never reused, so a stale pointer is detectable.
 * Every field is declared with its kind (world/fields.ts): a reference reads as the object or null.
 *
 * Every object belongs to a task, its owner: a task's mm is mm `task`; a VMA, page frame or
 * intel_svm belongs to its mm's task, an intel_svm_dev to its svm's, a file to the task that opened
 * it. Each pool but the mm's is cut into one range of `Dims.per` slots per owner, and an owner
 * allocates only in its own range. An object's number then says whose it is and how many of its
 * owner's objects came before it, not when it was allocated relative to other tasks' objects, so
 * that exchanging two identical processes maps states to states (system/symmetry.ts).
 */
import { type FieldKind, mask, type Pools, ref, special, value, W_DFPUT, W_ENTRY, W_VOBJ } from './fields.ts';
import { Obj } from './objects.ts';
import {
  decodeWord,
  defineStruct,
  encodeWord,
  type Fields,
  type Memory,
  makeView,
  type StructDef,
  type View,
  withTail,
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

/** File descriptors per task: the fd table is the task_struct's tail. */
export const TaskDef = (nfd: number) =>
  defineStruct(
    'task_struct',
    {
      life: value(),
      mm: ref('mm'),
      active_mm: ref('mm'),
      flags: value(),
      /** Files whose final __fput is queued as task work. */
      task_works: mask('file'),
      /** Set by exit_task_work: task_work_add fails from then on. */
      work_exited: value(),
      /** Position in the scenario program. */
      prog_pc: value(),
    },
    { words: nfd, kind: ref('file') },
  );
export const MmDef = defineStruct('mm_struct', {
  life: value(),
  mm_users: value(),
  mm_count: value(),
  /** The PGD's page frame. */
  pgd: ref('page'),
  /** The intel_svms whose notifier is on this mm's list. */
  notifiers: mask('svm'),
  /** mmap_sem: 0 free, n > 0 readers, -1 a writer. */
  mmap_sem: value(),
  /** Which step of exit_mmap has run (0 none .. 4 all). */
  exit_mmap_step: value(),
});
export const VmaDef = defineStruct('vm_area_struct', {
  life: value(),
  vm_mm: ref('mm'),
  vm_start: value(),
  vm_pages: value(),
  vm_file: ref('file'),
  vm_flags: value(),
});
/** struct file's own fields; a client driver's context follows them (its private_data, see drivers/). */
export const FileFields = {
  life: value(),
  f_count: value(),
  /** The client driver whose file_operations this file has (see drivers/). */
  f_op: value(),
  device: ref('device'),
};
/**
 * A page frame's struct page: life (Life), kind (PageKind, 1..5) and owner share one word, since
 * there are many frames (two sets of tables and data pages per mm) and all three are small; the
 * frame's modelled page-table entries (two words each, the frame in the low word) follow it.
 */
export const PageDef = (upages: number) =>
  defineStruct(
    'page',
    { life: value(2), kind: value(3), owner: ref('mm', 10) },
    { words: 2 * upages, kind: special(W_ENTRY) },
  );
export const KernelDef = defineStruct('kernel', {
  pasid_mutex: ref('actor'),
  /**
   * delayed_fput_list (final fput from a kernel thread or after exit): a stack of file + 1 in 5-bit
   * fields, the newest in the low bits (kernel/fs/file.ts).
   */
  delayed_fput: special(W_DFPUT),
  /** struct q_inval (dmar.c, v4.5): next free slot, oldest slot not yet reclaimed, free slots. */
  qi_free_head: value(),
  qi_free_tail: value(),
  qi_free_cnt: value(),
  /** Actors inside an SRCU read section of the notifier core's srcu_struct (mmu_notifier.ts). */
  srcu_readers: value(),
  /** First violation seen during a step: kind (see properties), object, detail, actor. */
  violation: value(),
  violation_obj: special(W_VOBJ),
  violation_arg: value(),
  violation_actor: ref('actor'),
});
/** A kernel actor: whether it finished, and its call stack (frames, kernel/exec.ts) as the tail. */
export const ActorDef = defineStruct('actor', {
  /** 0 running, 1 finished. */
  done: value(),
  sp: value(),
});

export type TaskView = View<ReturnType<typeof TaskDef>['fields']>;
export type MmView = View<typeof MmDef.fields>;
export type VmaView = View<typeof VmaDef.fields>;
export type FileView = View<typeof FileFields>;
export type PageView = View<ReturnType<typeof PageDef>['fields']>;
export type ActorView = View<typeof ActorDef.fields>;
export type KernelView = View<typeof KernelDef.fields>;

declare module './fields.ts' {
  interface Pools {
    task: TaskView;
    mm: MmView;
    vma: VmaView;
    file: FileView;
    page: PageView;
  }
}

/**
 * A pool a driver declares (its structs, world/layout.ts knows none of them): `count` instances of
 * `def`, object kind `kind` (Obj).
 */
export interface DriverPool {
  readonly kind: number;
  readonly def: StructDef;
  readonly count: number;
}

/** A driver's array of words (the PASID allocator's idr), each of kind `kind`. */
export interface DriverArray {
  readonly name: string;
  readonly words: number;
  readonly kind: FieldKind;
  /** When a non-zero word means id `i` is allocated: the kind (Obj) of the ids, for the leak check. */
  readonly allocates?: number;
}

/** What the drivers of a system add to its state: their pools, their arrays, a file context. */
export interface DriverState {
  readonly pools: readonly DriverPool[];
  readonly arrays: readonly DriverArray[];
  /** The fields a client driver keeps in each file (its private_data context). */
  readonly fileContext: Fields;
}

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
  readonly pools: View<Fields>[][] = [];
  readonly task: TaskView[] = [];
  readonly mm: MmView[] = [];
  readonly vma: VmaView[] = [];
  readonly file: FileView[] = [];
  readonly page: PageView[] = [];
  readonly actor: ActorView[] = [];
  readonly kernel: KernelView;
  /** The declared structs of each pool, by object kind (for symmetry, leaks and printing). */
  readonly defs: StructDef[] = [];
  /** The drivers' arrays, by name: where each starts, how many words, of what kind. */
  readonly arrays = new Map<string, { base: number; words: number; kind: FieldKind; allocates?: number }>();
  /** The reference tracker: a sorted array of packed references (see refs.ts), 0 = empty. */
  readonly refsBase: number;
  /** Where the hardware model's words start, and how many it has (see hw/). */
  readonly hwBase: number;
  private next = 0;

  constructor(
    readonly dims: Dims,
    hwWords: number,
    drivers: DriverState,
  ) {
    this.s = new Int32Array(0);
    this.addPool(Obj.task, TaskDef(dims.nfd), dims.tasks, this.task);
    this.addPool(Obj.mm, MmDef, dims.mms, this.mm);
    this.addPool(Obj.vma, VmaDef, dims.vmas, this.vma);
    this.addPool(
      Obj.file,
      defineStruct('file', { ...FileFields, ...drivers.fileContext }),
      dims.files,
      this.file,
    );
    this.addPool(Obj.page, PageDef(dims.upages), dims.frames, this.page);
    for (const p of drivers.pools) this.addPool(p.kind, p.def, p.count, []);
    this.defs[Obj.actor] = ActorDef;
    this.pools[Obj.actor] = this.actor as unknown as View<Fields>[];
    for (let a = 0; a < dims.kactors; a++)
      this.actor.push(
        makeView(
          withTail(ActorDef, dims.stackWords[a]),
          this,
          a,
          this.take(ActorDef.headWords + dims.stackWords[a]),
        ),
      );
    this.kernel = makeView(KernelDef, this, 0, this.take(KernelDef.words));
    for (const a of drivers.arrays) this.arrays.set(a.name, { ...a, base: this.take(a.words) });
    this.refsBase = this.take(dims.refs);
    this.hwBase = this.take(hwWords);
    this.words = this.next;
    this.s = new Int32Array(this.words);
  }

  /** The views of pool `name` (Obj's names), typed by fields.ts Pools. */
  pool<N extends keyof Pools>(name: N): Pools[N][] {
    return this.pools[Obj[name]] as unknown as Pools[N][];
  }

  /** Word `i` of a driver's array, as its declared kind reads (pasid_idr: the svm, or null). */
  arrayAt(name: string, i: number): unknown {
    const a = this.arrays.get(name);
    if (!a) throw new Error(`no array '${name}' in this world`);
    return decodeWord(this, a.kind, this.s[a.base + i]);
  }

  setArrayAt(name: string, i: number, value: unknown): void {
    const a = this.arrays.get(name);
    if (!a) throw new Error(`no array '${name}' in this world`);
    this.s[a.base + i] = encodeWord(a.kind, value);
  }

  /** Where a driver's array starts. */
  array(name: string): number {
    const a = this.arrays.get(name);
    if (!a) throw new Error(`no array '${name}' in this world`);
    return a.base;
  }

  /** Reserves `n` words and returns their offset. */
  private take(n: number): number {
    const at = this.next;
    this.next += n;
    return at;
  }

  private addPool(kind: number, def: StructDef, count: number, into: unknown[]): void {
    this.defs[kind] = def;
    this.pools[kind] = into as View<Fields>[];
    for (let i = 0; i < count; i++) into.push(makeView(def, this, i, this.take(def.words)));
  }
}
