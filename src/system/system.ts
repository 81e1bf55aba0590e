/**
 * The whole modelled system for one scenario and one policy, as a Model the explorer can search:
 * kernel actors (each task, the delayed-fput kworker, the page-request IRQ thread) and hardware
 * actors (each PCI device, the IOMMU's invalidation-queue engine, the IOMMU's cache fills).
 */
import type { Model } from '../check/index.ts';
import { accelNowaitOps, accelOps } from '../drivers/accel/accel.ts';
import { ClientContext } from '../drivers/client.ts';
import { gfxOps } from '../drivers/gfx/gfx.ts';
import { intelSvmState } from '../drivers/iommu/intel/state.ts';
import {
  intel_mm_release,
  intel_svm_bind_mm,
  intel_svm_unbind_mm,
  prq_event_thread,
  type SvmPolicy,
  svmRoutines,
} from '../drivers/iommu/intel/svm.ts';
import { Hardware } from '../hw/hardware.ts';
import { deviceChoices, dmaAttempt, dmaEnabled } from '../hw/pci/device.ts';
import {
  cacheFill,
  cacheFillable,
  cacheFillChoices,
  describeFill,
  qiPending,
  qiProcessOne,
} from '../hw/vtd/iommu.ts';
import { DMAR_CAP, DMAR_ECAP } from '../hw/vtd/layouts.ts';
import { RoutineTable } from '../kernel/exec.ts';
import { delayed_fput } from '../kernel/fs/file.ts';
import {
  type ClientFileOps,
  type KDecl,
  Kernel,
  type KernelConfig,
  type KRoutine,
} from '../kernel/kernel.ts';
import { setup_process, task_main } from '../kernel/task.ts';
import { deadlockedActor, leakedObjects } from '../properties/quiescent.ts';
import { V } from '../properties/violations.ts';
import type { Scenario } from '../scenario/types.ts';
import { type Dims, World } from '../world/layout.ts';
import { OwnMoves } from './footprint.ts';
import { exchangeGroups, ProcessSymmetry } from './symmetry.ts';

export type ActorKind = 'task' | 'kworker' | 'irq' | 'device' | 'iommu-qi' | 'iommu-cache';

export interface ActorInfo {
  kind: ActorKind;
  name: string;
}

/** The client drivers, by the name a scenario's device gives. */
const clientDrivers: Record<string, ClientFileOps> = {
  accel: accelOps,
  'accel-nowait': accelNowaitOps,
  gfx: gfxOps,
};

/**
 * Most frames on a kernel call stack: a call beyond it is a capacity violation. Call chains in
 * kernel/frames.ts go 12 deep (task_main, do_exit, __fput, accel_release, intel_svm_unbind_mm,
 * mmput, __mmput, exit_mmap, __mmu_notifier_release, intel_mm_release, the flush, qi_submit_sync),
 * so this is a limit a check could reach: changing it could change the states a check finds.
 */
const STACK_DEPTH = 10;

/** The bottom routine of the page-request IRQ thread (every policy's prq routine has this name). */

/**
 * A scenario bigger than the state vector's fixed-width words allow: the loader turns it into an
 * input error at the scenario field to change (`path`, as in the YAML).
 */
export class CapacityError extends Error {
  readonly path: string[];
  constructor(
    sc: Scenario,
    what: string,
    needs: number,
    room: number,
    per: { frames: number; files: number; svms: number },
  ) {
    const tasks = sc.tasks.length;
    const each: Record<string, string> = {
      'page frames': `${per.frames} each: 2 × (4 page-table pages + pages: ${sc.upages})`,
      files: `${per.files} each: the most opens one process makes`,
      intel_svms: `${per.svms} each: the most binds one process makes`,
      intel_svm_devs: `${per.svms} each: the most binds one process makes`,
    };
    const fit = Math.floor(room / (needs / tasks));
    super(
      `${tasks} processes (copies and forks included) need ${needs} ${what} (${each[what]}); the model has room for ${room}: at most ${fit} such processes`,
    );
    this.path = what === 'page frames' && sc.upages > 1 ? ['pages'] : ['processes'];
  }
}

/**
 * Pool sizes for a scenario: enough for everything it can allocate, racing faults included. Pools
 * are cut into one range per task (world/layout.ts), each big enough for the task that needs most.
 */
export function dimsFor(sc: Scenario, stackWords: readonly number[] = []): Dims {
  const tasks = sc.tasks.length;
  const ops = sc.tasks.flatMap((t) => t.program);
  const most = (op: string): number =>
    Math.max(1, ...sc.tasks.map((t) => t.program.filter((o) => o.op === op).length));
  const binds = Math.max(1, ops.filter((o) => o.op === 'bind').length);
  const opens = ops.filter((o) => o.op === 'open').length;
  const mmaps = ops.filter((o) => o.op === 'mmap').length;
  const nfd = Math.max(1, ...ops.map((o) => ('fd' in o ? o.fd + 1 : 0)));
  const kactors = tasks + 2;
  const per = {
    // VMA slots are never reused, so every VMA ever allocated takes one: the initial buffer
    // (setup_process) and one per mmap op of the task (each op runs once); a forked child copies
    // its parent's, so with fork the looser bound of every mmap in the scenario stays.
    vmas:
      1 +
      (ops.some((o) => o.op === 'fork')
        ? mmaps
        : Math.max(0, ...sc.tasks.map((t) => t.program.filter((o) => o.op === 'mmap').length))),
    // A file belongs to the task that opened it; a bind allocates at most one svm and one sdev.
    files: most('open'),
    // PGD + three tables + data pages, twice over for tables re-populated while dying.
    frames: 2 * (4 + sc.upages),
    svms: most('bind'),
    sdevs: most('bind'),
  };
  // Files, svms and sdevs are named by bits of one word (task_works, notifiers, devs), and a
  // reference packs a frame's number in 6 bits (world/refs.ts).
  const limits: [string, number, number][] = [
    ['files', tasks * per.files, 31],
    ['intel_svms', tasks * per.svms, 31],
    ['intel_svm_devs', tasks * per.sdevs, 31],
    ['page frames', tasks * per.frames, 64],
  ];
  for (const [what, n, max] of limits) if (n > max) throw new CapacityError(sc, what, n, max, per);
  return {
    tasks,
    mms: tasks,
    vmas: tasks * per.vmas,
    files: tasks * per.files,
    frames: tasks * per.frames,
    svms: tasks * per.svms,
    sdevs: tasks * per.sdevs,
    pasids: binds,
    per,
    devices: sc.devices.length,
    kactors,
    nfd,
    upages: sc.upages,
    refs: tasks * (16 + 2 * sc.upages) + 4 * binds + 4 * opens * tasks,
    iqSize: 2 * kactors + 2,
    prqSize: sc.devices.length * binds + 2,
    stackDepth: STACK_DEPTH,
    // Each task runs task_main, then the delayed-fput kworker, then the page-request IRQ thread
    // (see SvmSystem): each stack is as long as the heaviest call chain its bottom routine starts
    // (RoutineTable.stackWords).
    stackWords,
  };
}

export class SvmSystem implements Model {
  readonly world: World;
  readonly hw: Hardware;
  readonly kernel: Kernel;
  readonly actors: ActorInfo[] = [];
  readonly stateWords: number;
  readonly actorCount: number;
  private readonly firstDevice: number;
  /**
   * Exchanges of identical processes, with the devices they bring along (symmetry.ts); undefined
   * when no two are alike. A device's actor is firstDevice + its index, so that exchanging devices
   * exchanges their actors (ProcessSymmetry.actorImage).
   */
  readonly symmetry?: ProcessSymmetry;
  /** Model.canonicalize, present only when the scenario has identical processes. */
  readonly canonicalize?: (state: Int32Array, scratch: Int32Array) => boolean;
  /** Footprints for partial-order reduction: which moves touch only their actor's own words. */
  readonly own: OwnMoves;
  readonly resourceCount: number;
  readonly observed: readonly number[];

  constructor(
    readonly scenario: Scenario,
    readonly policy: SvmPolicy,
  ) {
    const svm = svmRoutines(policy);
    const clients = [...new Set(scenario.devices.map((d) => d.client))];
    const fileOps = clients.map((c) => clientDrivers[c]);
    const T = scenario.tasks.length;
    const cfg: KernelConfig = {
      tasks: T,
      kworker: T,
      prqThread: T + 1,
      programs: scenario.tasks.map((t) => t.program),
      fileOps,
      svmOps: { release: intel_mm_release },
      devices: scenario.devices.map((d, i) => ({
        name: d.name,
        client: clients.indexOf(d.client),
        sid: deviceSid(i),
        ats: d.ats,
        streamRequests: d.streamRequests,
        faultCb: d.faultCb,
        pasids: d.pasids,
        badRequests: d.badRequests,
      })),
    };
    // The routines of this system, numbered from its actors' bottom routines along their calls;
    // the policy gives the steps of intel-svm's four.
    const impl = new Map<KDecl, KRoutine>([
      [intel_svm_bind_mm, svm.bind],
      [intel_svm_unbind_mm, svm.unbind],
      [intel_mm_release, svm.release],
      [prq_event_thread, svm.prq],
    ]);
    const table = new RoutineTable<Kernel>([task_main, delayed_fput, svm.prq], cfg, (d) => impl.get(d));
    const stacks = [task_main, delayed_fput, svm.prq].map((r) => table.stackWords(r, STACK_DEPTH));
    const dims = dimsFor(scenario, [...scenario.tasks.map(() => stacks[0]), stacks[1], stacks[2]]);
    this.hw = new Hardware(dims, scenario.devices.length);
    this.world = new World(dims, this.hw.words, { ...intelSvmState(dims), fileContext: ClientContext });
    this.hw.attach(this.world);
    this.kernel = new Kernel(this.world, this.hw, cfg, table);
    for (const t of scenario.tasks) this.actors.push({ kind: 'task', name: t.name });
    this.actors.push({ kind: 'kworker', name: 'kworker/u:delayed_fput' });
    this.actors.push({ kind: 'irq', name: 'irq/dmar0-prq' });
    this.firstDevice = this.actors.length;
    for (const d of scenario.devices) this.actors.push({ kind: 'device', name: d.name });
    this.actors.push({ kind: 'iommu-qi', name: 'dmar0 invalidation queue' });
    this.actors.push({ kind: 'iommu-cache', name: 'dmar0 caches' });
    this.actorCount = this.actors.length;
    this.stateWords = this.world.words;
    this.scratch = new Int32Array(this.stateWords);
    this.prq = svm.prq;
    const groups = exchangeGroups(scenario);
    if (groups.length > 0) {
      const sids = cfg.devices.map((d) => d.sid);
      const sym = new ProcessSymmetry(this.world, this.hw, groups, sids, this.kernel.routines);
      this.symmetry = sym;
      this.canonicalize = (state, scratch) => sym.canonicalize(state, scratch);
    }
    this.own = new OwnMoves(this.world, this.kernel, cfg.programs);
    this.resourceCount = this.own.resourceCount;
    this.observed = this.own.observed;
  }

  footprint(state: Int32Array, actor: number, reads: Uint32Array, writes: Uint32Array): void {
    this.own.footprint(state, actor, reads, writes);
  }

  couldTouch(state: Int32Array, actor: number, reads: Uint32Array, writes: Uint32Array): void {
    this.own.couldTouch(state, actor, reads, writes);
  }

  private readonly prq: ReturnType<typeof svmRoutines>['prq'];

  init(out: Int32Array): void {
    out.fill(0);
    const w = this.world;
    w.s = out;
    const k = this.kernel;
    this.scenario.tasks.forEach((t, i) => {
      if (t.forkedBy !== undefined) return;
      setup_process(k, i);
      k.bindActor(i);
      k.start(task_main);
    });
    k.bindActor(k.cfg.kworker);
    k.start(delayed_fput);
    k.bindActor(k.cfg.prqThread);
    k.start(this.prq);
    w.kernel.qi_free_cnt = this.hw.iqSize;
    // A 2016 Broadwell/Skylake-era SVM-capable IOMMU: queued invalidation, device-TLB, extended
    // context, page requests, 20-bit PASIDs; no caching mode, no deferred invalidation.
    DMAR_CAP.encode({ CM: 0 }, w.s, this.hw.regs.base);
    DMAR_ECAP.encode(
      { QI: 1, DT: 1, ECS: 1, DIS: 0, PRS: 1, SRS: 0, PSS: 19, PASID: 1 },
      w.s,
      this.hw.regs.base + 2,
    );
    this.scenario.devices.forEach((d, i) => {
      this.hw.dev[i].budget = d.dma;
      this.hw.dev[i].pri_enabled = 1;
    });
  }

  choices(state: Int32Array, actor: number): number {
    const info = this.actors[actor];
    switch (info.kind) {
      case 'device':
        return deviceChoices(this.hw, this.kernel.cfg.devices[actor - this.firstDevice]);
      case 'iommu-cache':
        return this.scenario.speculativeCaching ? cacheFillChoices(this.hw) : 0;
      case 'iommu-qi':
        return 1;
      default:
        return state[this.world.actor[actor].base] === 1 ? 0 : 1;
    }
  }

  step(src: Int32Array, actor: number, choice: number, out: Int32Array): boolean {
    if (choice >= this.choices(src, actor)) return false;
    // Cheap read-only checks first: most hardware choices are not enabled, and copying the
    // state only to find that out is most of the cost of asking.
    this.world.s = src;
    if (this.world.kernel.violation !== 0 || !this.mayMove(actor, choice)) return false;
    out.set(src);
    this.world.s = out;
    return this.act(actor, choice);
  }

  /** False when `actor` certainly cannot take `choice` in the world's current state. */
  private mayMove(actor: number, choice: number): boolean {
    const w = this.world;
    switch (this.actors[actor].kind) {
      case 'device':
        return dmaEnabled(
          w,
          this.hw,
          this.kernel.cfg.devices[actor - this.firstDevice],
          actor - this.firstDevice,
          choice,
        );
      case 'iommu-qi':
        return qiPending(this.hw);
      case 'iommu-cache':
        return cacheFillable(w, this.hw, choice);
      default:
        return w.actor[actor].done === 0 && w.actor[actor].sp > 0;
    }
  }

  /** Runs one move of `actor` on the world's current state vector. */
  act(actor: number, choice: number, notes?: string[]): boolean {
    const w = this.world;
    const hw = this.hw;
    switch (this.actors[actor].kind) {
      case 'device': {
        const d = actor - this.firstDevice;
        if (!dmaEnabled(w, hw, this.kernel.cfg.devices[d], d, choice)) return false;
        const text = dmaAttempt(w, hw, this.kernel.cfg.devices[d], d, actor, choice);
        notes?.push(text);
        return true;
      }
      case 'iommu-qi': {
        if (!qiPending(hw)) return false;
        const text = qiProcessOne(w, hw, actor, (sid) => this.deviceOfSid(sid));
        notes?.push(text);
        return true;
      }
      case 'iommu-cache': {
        if (!cacheFill(w, hw, choice)) return false;
        notes?.push(describeFill(choice));
        return true;
      }
      default: {
        if (w.actor[actor].done === 1) return false;
        const k = this.kernel;
        k.bindActor(actor);
        k.notes = notes ?? null;
        const moved = k.run();
        k.notes = null;
        return moved;
      }
    }
  }

  deviceOfSid(sid: number): number {
    for (let d = 0; d < this.scenario.devices.length; d++) if (deviceSid(d) === sid) return d;
    return -1;
  }

  violation(state: Int32Array): number {
    this.world.s = state;
    const v = this.world.kernel.violation;
    return v === V.capacity ? V.capacity : v;
  }

  quiescent(state: Int32Array): number {
    this.world.s = state;
    if (deadlockedActor(this) >= 0) return V.deadlock;
    if (leakedObjects(this.world).length > 0) return V.leak;
    return 0;
  }

  /**
   * Liveness (check/liveness): a kernel actor waits when it is stuck mid-routine, as deadlockedActor
   * judges a settled system: not finished, not parked at its idle step, and its next step blocks
   * (a mutex held, a completion not yet signalled).
   */
  waiting(state: Int32Array, actor: number): boolean {
    if (!this.isKernelActor(actor)) return false;
    this.world.s = state;
    const a = this.world.actor[actor];
    if (a.done === 1 || a.sp === 0 || this.kernel.atIdle(actor)) return false;
    return !this.step(state, actor, 0, this.scratch);
  }

  private readonly scratch: Int32Array;

  isDaemon(actor: number): boolean {
    const kind = this.actors[actor].kind;
    return kind === 'device' || kind === 'iommu-cache';
  }

  /** Kernel actors (tasks, kworker, IRQ thread) are the ones with call stacks. */
  isKernelActor(actor: number): boolean {
    return actor < this.firstDevice;
  }

  routineName(id: number): string {
    return this.kernel.routines.get(id).name;
  }

  stepLabel(id: number, pc: number): string {
    return this.kernel.routines.get(id).labels[pc] ?? `+${pc}`;
  }
}

/** PCI requester id of device i: bus 0, device 2 + i, function 0 (devfn = dev << 3). */
export const deviceSid = (i: number): number => (2 + i) << 3;
