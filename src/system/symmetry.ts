/**
 * Symmetry reduction over interchangeable processes and devices (issue 6, item 4): tasks that run
 * the same program, and neither fork nor are forked, can be exchanged without changing what the
 * system can do, either on the same device, or each bringing along a device of its own that is
 * configured like the others' (exchangeGroups has the rule). An exchange π moves task i's state to
 * task π(i): its task_struct, its mm, its kernel stack, and its range of every pool (world/layout.ts:
 * each task allocates in its own range), and renames every word of the state that names one of
 * those objects; a task's own device moves with it, to the device of π(i): its registers, context
 * words, outstanding page requests and device-TLB, its actor, and every word naming it. The kernel
 * threads (the delayed-fput kworker, the page-request IRQ thread) and the IOMMU are not moved, but
 * the object numbers in them are renamed. PASIDs are not renamed: they are allocated lowest free,
 * whoever asks, and the hardware indexes its tables by them; they move with their intel_svm.
 *
 * canonicalize picks, among the exchanges within each group, the one that sorts the group's
 * processes by a key that no exchange changes (a hash of the process's own state, its device's
 * included, in which an object number counts only as NULL or not); processes with equal keys are tried in every order and
 * the least resulting vector wins. Every state of an orbit thus gets the same representative.
 *
 * The words that name objects (the catalog, built once per system):
 *   task_struct  mm, active_mm (mm + 1); task_works (bitmask of files); fd table (file + 1)
 *   mm_struct    pgd (frame + 1); notifiers (bitmask of svms)
 *   vma          vm_mm (mm + 1); vm_file (file + 1)
 *   file         ctx_sdev (sdev + 1); device (device + 1)           (ctx_pasid is not renamed)
 *   page         owner (mm + 1); page-table entries in the tail (PFN_BASE + frame in bits 31:12)
 *   intel_svm    mm (mm + 1); devs (bitmask of sdevs)      (pasid is not renamed)
 *   sdev         svm (svm + 1); dev (device + 1); sid (the device's requester id, deviceSid)
 *   kernel       pasid_mutex (actor + 1); delayed_fput (stack of file + 1); violation_obj
 *                (kind << 8 | index: a device's too); violation_actor (actor + 1: a device's too)
 *   pasid_idr    svm + 1, per PASID
 *   ref tracker  packed target and holder (kind and index each): renamed, then sorted again
 *   stacks       every kernel actor's frames: the argument words each routine declares
 *                (kernel.ts defineRoutine; 'dev' a device, 'qi_target' an sdev or requester id)
 *   hardware     PASID table and PASID cache entries (FLPTPTR, the PGD's frame); IOTLB and
 *                paging-structure caches (frame + 1); each device's device-TLB (frame + 1); the
 *                invalidation queue's device-TLB invalidations (SID) and page responses (requester
 *                id: DID of a group response, BUS and DEVFN of a stream response), and the page
 *                request queue's requests (BUS and DEVFN): renameQueues
 * Everything else (counts, flags, PASIDs, the other descriptors, the IOMMU's registers, a device's
 * registers and context words) holds no object number.
 */
import { entryFrame, framePhys } from '../arch/x86/pgtable.ts';
import { Qi } from '../drivers/iommu/intel/qi.ts';
import type { Hardware } from '../hw/hardware.ts';
import { PAGE_REQ_DSC, QI_DEIOTLB, QI_PGRP_RESP, QI_PSTRM_RESP, QI_TYPE, qiType } from '../hw/vtd/layouts.ts';
import { framePc, frameRoutine, type Routine } from '../kernel/exec.ts';
import { DF_BITS, DF_MASK } from '../kernel/fs/file.ts';
import type { Scenario, ScenarioTask } from '../scenario/types.ts';
import {
  ID_PLUS1,
  packedCode,
  W_DFPUT,
  W_ENTRY,
  W_HOLDER,
  W_MASK,
  W_PACKED,
  W_QI_TARGET,
  W_SID,
  W_VOBJ,
} from '../world/fields.ts';
import type { World } from '../world/layout.ts';
import { Obj } from '../world/objects.ts';
import type { StructDef } from '../world/struct.ts';

/** A group of interchangeable tasks, and the device each brings along into an exchange. */
export interface SymmetryGroup {
  readonly tasks: readonly number[];
  /** devices[r] goes with tasks[r]; null when the tasks share their devices (none moves). */
  readonly devices: readonly number[] | null;
}

/**
 * The groups (two or more tasks each) of interchangeable tasks of a scenario. Neither side forks or
 * is forked, and either
 *   - the programs are equal, operands included (so the devices are shared and stay), or
 *   - the programs are equal once the device an open names is left out, each task opens exactly
 *     one device, no other task of the scenario opens that device, and the devices are configured
 *     alike (everything but the name). Exchanging two such tasks then exchanges their devices too,
 *     and the induced exchange of devices is one permutation for the whole scenario: no task
 *     outside the group sees its device renamed.
 * A task can be in one group at most: one whose twin has its very program shares its device, so it
 * has no device of its own to bring. Finer symmetries (tasks sharing a device, exchanged together
 * with another device's tasks) are left out.
 */
export function exchangeGroups(sc: Scenario): SymmetryGroup[] {
  const alone = (t: ScenarioTask): boolean =>
    t.forkedBy === undefined && !t.program.some((o) => o.op === 'fork');
  const opened = (t: ScenarioTask): Set<number> =>
    new Set(t.program.flatMap((o) => (o.op === 'open' ? [o.device] : [])));
  const byProgram = new Map<string, number[]>();
  sc.tasks.forEach((t, i) => {
    if (!alone(t)) return;
    const key = JSON.stringify(t.program);
    byProgram.set(key, [...(byProgram.get(key) ?? []), i]);
  });
  const groups: SymmetryGroup[] = [...byProgram.values()]
    .filter((g) => g.length > 1)
    .map((tasks) => ({ tasks, devices: null }));

  const openers = new Map<number, number>();
  for (const t of sc.tasks) for (const d of opened(t)) openers.set(d, (openers.get(d) ?? 0) + 1);
  const byShape = new Map<string, { tasks: number[]; devices: number[] }>();
  sc.tasks.forEach((t, i) => {
    const devs = opened(t);
    if (!alone(t) || devs.size !== 1) return;
    const [d] = devs;
    if (openers.get(d) !== 1) return;
    const { name: _name, ...config } = sc.devices[d];
    const program = t.program.map((o) => (o.op === 'open' ? { ...o, device: -1 } : o));
    const key = JSON.stringify([program, config]);
    const g = byShape.get(key) ?? { tasks: [], devices: [] };
    g.tasks.push(i);
    g.devices.push(d);
    byShape.set(key, g);
  });
  for (const g of byShape.values()) if (g.tasks.length > 1) groups.push(g);
  return groups;
}

/** The tasks of each of exchangeGroups' groups. */
export function symmetryGroups(sc: Scenario): number[][] {
  return exchangeGroups(sc).map((g) => [...g.tasks]);
}

/** How key hashes a frame's argument word (its kind as the routine's frame declares it). */
const HASH_PLAIN = 0; // not an object's number: as it is
const HASH_PLUS1 = 1; // index + 1: NULL or not
const HASH_ID = 2; // a plain index, never NULL: present
const HASH_HOLDER = 3; // a holder: its kind
const HASH_PACKED = 4; // | shift << 8 | width << 16: a packed word, its object's bits left out

/**
 * The symmetry code of each word of a struct laid out at `base` (world/fields.ts): a field's own
 * code, or for a packed word the code of the field in it that holds an object, with its place.
 */
function structCodes(def: StructDef, base: number, into: Int32Array): void {
  for (const p of def.places) {
    if (p.kind.code === 0) continue;
    into[base + p.off] =
      p.mask === -1 ? p.kind.code : packedCode(p.shift, 31 - Math.clz32(p.mask), p.kind.code);
  }
  const tail = def.tailKind;
  if (tail && tail.code !== 0) {
    // A tail of page-table entries holds two words per entry, the frame in the low one.
    const step = tail.code === W_ENTRY ? 2 : 1;
    for (let i = 0; i < def.tailWords; i += step) into[base + def.headWords + i] = tail.code;
  }
}

/**
 * A packed word without its object's bits (HASH_PACKED mode: the object's shift and width), the
 * bits above them moved down into their place: what no exchange of processes changes.
 */
function withoutObject(v: number, mode: number): number {
  const shift = (mode >>> 8) & 31;
  const width = (mode >>> 16) & 31;
  return ((v >>> (shift + width)) << shift) | (v & ((1 << shift) - 1));
}

/** How hashFrames counts a frame word of symmetry code `code`. */
const hashMode = (code: number): number =>
  code === 0
    ? HASH_PLAIN
    : code & W_PACKED
      ? HASH_PACKED | (((code >>> 20) & 31) << 8) | (((code >>> 25) & 31) << 16)
      : code === W_HOLDER
        ? HASH_HOLDER
        : code & ID_PLUS1
          ? HASH_PLUS1
          : HASH_ID;

export class ProcessSymmetry {
  private readonly tasks: number;
  private readonly kactors: number;
  private readonly ndev: number;
  /** The tasks of each group (as `svmsim check` reports them). */
  readonly groups: readonly (readonly number[])[];
  /** Each group with the devices its tasks bring along (exchangeGroups). */
  readonly exchange: readonly SymmetryGroup[];
  /** Per task: the device it brings into an exchange, or -1. */
  private readonly devOf: Int32Array;
  /** Whether some group brings devices along. */
  private readonly devicesMove: boolean;
  /** Per object kind (Obj): slots per owner task, and pool size. */
  private readonly per = new Int32Array(16);
  private readonly size = new Int32Array(16);
  /** Per pool kind: where the pool starts, and words per slot (tasks, mms, actors: one per task). */
  private readonly poolBase = new Int32Array(16);
  private readonly poolWords = new Int32Array(16);
  private readonly moved: readonly number[] = [
    Obj.task,
    Obj.mm,
    Obj.actor,
    Obj.vma,
    Obj.file,
    Obj.page,
    Obj.svm,
    Obj.sdev,
  ];
  /** The catalog: kind of every id word (0 for none), and the offsets of the id words. */
  private readonly wordKind: Int32Array;
  private readonly idOffsets: Int32Array;
  /** Where in an actor slot its sp is, and where its frames start (after the named fields). */
  private readonly spOff: number;
  private readonly framesOff: number;
  private readonly stackDepth: number;
  /** Where each kernel actor's slot starts. */
  private readonly actorBase: Int32Array;
  /** Per task: where its prog_pc is; the words its key hashes, and which of them are ids. */
  private readonly progOff: Int32Array;
  private readonly keyOffs: Int32Array[] = [];
  private readonly keyIds: Uint8Array[] = [];
  /** Per routine id: argument words, and where its arguments' hash modes start in frameModes. */
  private readonly frameArgs: Int32Array;
  /** Per routine id: each frame word's symmetry code (its declared kind, world/fields.ts). */
  private readonly frameCodes: Int32Array[];
  private readonly frameModeAt: Int32Array;
  private readonly frameModes: Int32Array;

  /** The exchange being applied (task i → perm[i]), or the task a key is computed for. */
  private readonly perm: Int32Array;
  /** The exchange of devices it brings along (device d → devPerm[d]), and whether it moves any. */
  private readonly devPerm: Int32Array;
  private devMoved = false;
  /** Per object kind: every number's image under the exchange (filled by tabulate). */
  private readonly maps: Int32Array[] = [];

  // Buffers, allocated once: nothing is allocated per state.
  private readonly orig: Int32Array;
  private readonly best: Int32Array;
  private readonly keys: Float64Array;
  /** Each task's hash part in the canonicalize under way (0 when its progress alone settles it). */
  private readonly hashed: Float64Array;
  /** Per group: its tasks ascending (the slots), and its tasks in sorted order. */
  private readonly slots: Int32Array[];
  private readonly order: Int32Array[];
  private haveBest = false;

  /** `sids`: each device's requester id (system.ts deviceSid), as sdevs and queue entries hold it. */
  constructor(
    private readonly w: World,
    private readonly hw: Hardware,
    exchange: readonly SymmetryGroup[],
    private readonly sids: readonly number[],
    routines: { readonly all: readonly Routine<unknown>[] },
  ) {
    const d = w.dims;
    this.tasks = d.tasks;
    this.kactors = d.kactors;
    this.ndev = hw.ndev;
    this.groups = exchange.map((g) => g.tasks);
    this.exchange = exchange;
    this.devOf = new Int32Array(d.tasks).fill(-1);
    for (const g of exchange)
      for (let r = 0; g.devices && r < g.tasks.length; r++) this.devOf[g.tasks[r]] = g.devices[r];
    this.devicesMove = exchange.some((g) => g.devices !== null);
    this.stackDepth = d.stackDepth;
    this.spOff = w.actor[0].def.names.indexOf('sp');
    this.framesOff = w.actor[0].def.headWords;
    this.actorBase = Int32Array.from(w.actor, (v) => v.base);
    const set = (kind: number, per: number, size: number) => {
      this.per[kind] = per;
      this.size[kind] = size;
    };
    set(Obj.task, 1, d.tasks);
    set(Obj.mm, 1, d.mms);
    // The device actors follow the kernel actors (system.ts), and are renamed with their devices.
    set(Obj.actor, 1, d.kactors + hw.ndev);
    set(Obj.device, 0, hw.ndev);
    set(Obj.vma, d.per.vmas, d.vmas);
    set(Obj.file, d.per.files, d.files);
    set(Obj.page, d.per.frames, d.frames);
    set(Obj.svm, d.per.svms, d.svms);
    set(Obj.notifier, d.per.svms, d.svms);
    set(Obj.sdev, d.per.sdevs, d.sdevs);
    set(Obj.fd, d.nfd, d.tasks * d.nfd);
    const pools: [number, { base: number; def: { words: number } }[]][] = [
      [Obj.task, w.task],
      [Obj.mm, w.mm],
      [Obj.actor, w.actor],
      [Obj.vma, w.vma],
      [Obj.file, w.file],
      [Obj.page, w.page],
      [Obj.svm, w.pool('svm')],
      [Obj.sdev, w.pool('sdev')],
    ];
    for (const [kind, pool] of pools) {
      this.poolBase[kind] = pool[0].base;
      this.poolWords[kind] = pool[0].def.words;
    }

    // The catalog, from the declarations: every struct's fields and tails, the drivers' arrays,
    // and the hardware's entries and caches that hold page frames.
    const kinds = new Int32Array(w.words);
    w.pools.forEach((pool, kind) => {
      if (kind === Obj.actor) return; // frames are renamed routine by routine (mapFrames)
      for (const v of pool ?? []) structCodes(v.def, v.base, kinds);
    });
    structCodes(w.kernel.def, w.kernel.base, kinds);
    for (const a of w.arrays.values()) kinds.fill(a.kind.code, a.base, a.base + a.words);
    for (const [at, code] of hw.wordKinds()) kinds[at] = code;
    this.wordKind = kinds;
    this.idOffsets = Int32Array.from([...kinds.keys()].filter((o) => kinds[o] !== 0));

    // What key reads, tabulated once: each task's words in every moved pool (its actor slot without
    // the frames, which hashFrames reads by routine), its device's block when it brings one along,
    // and each routine's argument words.
    this.progOff = Int32Array.from(w.task.slice(0, d.tasks), (t) => t.base + t.def.names.indexOf('prog_pc'));
    for (let t = 0; t < d.tasks; t++) {
      const offs: number[] = [];
      for (const kind of this.moved) {
        const n = this.per[kind] * this.poolWords[kind];
        const a = this.poolBase[kind] + t * n;
        const end = kind === Obj.actor ? a + this.framesOff : a + n;
        for (let o = a; o < end; o++) offs.push(o);
      }
      if (this.devOf[t] >= 0) {
        const b = hw.devBlock(this.devOf[t]);
        for (let o = b; o < b + hw.devWords; o++) offs.push(o);
      }
      this.keyOffs.push(Int32Array.from(offs));
      this.keyIds.push(Uint8Array.from(offs, (o) => (kinds[o] !== 0 ? 1 : 0)));
    }
    const all = routines.all;
    this.frameArgs = new Int32Array(all.length + 1);
    this.frameModeAt = new Int32Array(all.length + 1);
    const modes: number[] = [];
    this.frameCodes = [new Int32Array(0)];
    for (const [i, r] of all.entries()) {
      const codes = new Int32Array(r.frame.words);
      structCodes(r.frame, 0, codes);
      this.frameCodes.push(codes);
      this.frameArgs[i + 1] = r.frame.words;
      this.frameModeAt[i + 1] = modes.length;
      for (const c of codes) modes.push(hashMode(c));
    }
    this.frameModes = Int32Array.from(modes);

    this.perm = new Int32Array(d.tasks);
    this.devPerm = new Int32Array(hw.ndev);
    for (let kind = 0; kind < 16; kind++) this.maps.push(new Int32Array(this.size[kind]));
    this.orig = new Int32Array(w.words);
    this.best = new Int32Array(w.words);
    this.keys = new Float64Array(d.tasks);
    this.hashed = new Float64Array(d.tasks);
    this.slots = this.groups.map((g) => Int32Array.from([...g].sort((a, b) => a - b)));
    this.order = this.groups.map((g) => Int32Array.from(g));
  }

  /**
   * Model.canonicalize: rewrites `s` into the representative of its orbit; `scratch` holds the
   * candidates. Returns whether `s` changed.
   */
  canonicalize(s: Int32Array, scratch: Int32Array): boolean {
    let ties = false;
    for (let g = 0; g < this.groups.length; g++) {
      const order = this.order[g];
      const slots = this.slots[g];
      // Progress decides the order of processes whose progress differs, so only a process that
      // shares its progress with another of its group needs the hash: the keys then compare as
      // key()'s would, and the representatives are the same. Measured on e57e58bd: 27 % of the
      // keys need their hash at P3 D1 F1, 12 % at P2 D1 F1.
      for (let r = 0; r < slots.length; r++) {
        order[r] = slots[r];
        this.keys[slots[r]] = this.progress(s, slots[r]);
      }
      for (let r = 0; r < slots.length; r++) {
        const p = this.keys[slots[r]];
        let shared = false;
        for (let q = 0; q < slots.length && !shared; q++) shared = q !== r && this.keys[slots[q]] === p;
        if (shared) this.hashed[slots[r]] = this.ownHash(s, slots[r]);
        else this.hashed[slots[r]] = 0;
      }
      for (let r = 0; r < slots.length; r++) this.keys[slots[r]] += this.hashed[slots[r]];
      // Insertion sort by key (groups are small).
      for (let i = 1; i < order.length; i++) {
        const t = order[i];
        let j = i;
        for (; j > 0 && this.keys[order[j - 1]] > this.keys[t]; j--) order[j] = order[j - 1];
        order[j] = t;
      }
      for (let i = 1; i < order.length && !ties; i++) ties = this.keys[order[i]] === this.keys[order[i - 1]];
    }
    if (!ties) {
      if (this.setPerm()) return false;
      this.orig.set(s);
      this.apply(this.orig, s);
      // Changed for sure, no need to compare: the exchange puts some process into a slot whose
      // occupant had another key, and a key depends only on the words of its slot.
      return true;
    }
    // Equal keys: every order of each run of equal keys, and the least vector.
    this.orig.set(s);
    this.haveBest = false;
    this.tryRuns(0, 0, scratch);
    s.set(this.best);
    return !equal(s, this.orig);
  }

  /** Enumerates the orders of the runs of equal keys from group g, position i on. */
  private tryRuns(g: number, i: number, scratch: Int32Array): void {
    if (g === this.groups.length) {
      // The identity's image is the state itself.
      const candidate = this.setPerm() ? this.orig : scratch;
      if (candidate === scratch) this.apply(this.orig, scratch);
      if (!this.haveBest || less(candidate, this.best)) {
        this.best.set(candidate);
        this.haveBest = true;
      }
      return;
    }
    const order = this.order[g];
    if (i >= order.length) {
      this.tryRuns(g + 1, 0, scratch);
      return;
    }
    let end = i + 1;
    while (end < order.length && this.keys[order[end]] === this.keys[order[i]]) end++;
    this.permuteRun(g, i, i, end, scratch);
  }

  /** Every order of order[g][from..end), positions before `at` fixed; then the runs after. */
  private permuteRun(g: number, from: number, at: number, end: number, scratch: Int32Array): void {
    if (at >= end - 1) {
      this.tryRuns(g, end, scratch);
      return;
    }
    const order = this.order[g];
    for (let j = at; j < end; j++) {
      swap(order, at, j);
      this.permuteRun(g, from, at + 1, end, scratch);
      swap(order, at, j);
    }
  }

  /** Sets perm from the groups' orders; returns whether it is the identity. */
  private setPerm(): boolean {
    const perm = this.perm;
    for (let t = 0; t < this.tasks; t++) perm[t] = t;
    let identity = true;
    for (let g = 0; g < this.groups.length; g++) {
      const order = this.order[g];
      const slots = this.slots[g];
      for (let r = 0; r < slots.length; r++) {
        perm[order[r]] = slots[r];
        if (order[r] !== slots[r]) identity = false;
      }
    }
    this.setDevPerm();
    return identity;
  }

  /** Sets devPerm from perm: the device task t brings along goes to the one task perm[t] brings. */
  private setDevPerm(): void {
    const devPerm = this.devPerm;
    for (let d = 0; d < this.ndev; d++) devPerm[d] = d;
    this.devMoved = false;
    if (!this.devicesMove) return;
    for (let t = 0; t < this.tasks; t++) {
      const from = this.devOf[t];
      if (from < 0) continue;
      devPerm[from] = this.devOf[this.perm[t]];
      if (devPerm[from] !== from) this.devMoved = true;
    }
  }

  /** Writes into `dst` the image of `src` under the exchange task i → perm[i]. */
  apply(src: Int32Array, dst: Int32Array): void {
    dst.set(src);
    const perm = this.perm;
    for (let t = 0; t < this.tasks; t++) {
      const to = perm[t];
      if (to === t) continue;
      for (let i = 0; i < this.moved.length; i++) {
        const kind = this.moved[i];
        const n = this.per[kind] * this.poolWords[kind];
        const a = this.poolBase[kind] + t * n;
        const b = this.poolBase[kind] + to * n;
        for (let k = 0; k < n; k++) dst[b + k] = src[a + k];
      }
    }
    if (this.devMoved) {
      const n = this.hw.devWords;
      for (let d = 0; d < this.ndev; d++) {
        const a = this.hw.devBlock(d);
        const b = this.hw.devBlock(this.devPerm[d]);
        if (a !== b) for (let k = 0; k < n; k++) dst[b + k] = src[a + k];
      }
    }
    this.tabulate();
    const offs = this.idOffsets;
    const kinds = this.wordKind;
    for (let i = 0; i < offs.length; i++) {
      const v = dst[offs[i]];
      if (v !== 0) dst[offs[i]] = this.mapWord(kinds[offs[i]], v);
    }
    for (let a = 0; a < this.kactors; a++) this.mapFrames(dst, a);
    this.renameRefs(dst);
    if (this.devMoved) this.renameQueues(dst);
  }

  /**
   * Use as applying `perm` (task i → perm[i]), with the devices the tasks bring along: for tests
   * and tools. `perm` must keep each task in its group.
   */
  setPermutation(perm: readonly number[]): void {
    for (let t = 0; t < this.tasks; t++) this.perm[t] = perm[t] ?? t;
    this.setDevPerm();
  }

  /** Actor a's image under the exchange set last: a task's, or a device's (system.ts numbering). */
  actorImage(a: number): number {
    if (a < this.tasks) return this.perm[a];
    const d = a - this.kactors;
    return d >= 0 && d < this.ndev ? this.kactors + this.devPerm[d] : a;
  }

  /**
   * Task t's sort key: its progress (program position, then call depth) above a hash of its own
   * state in which every object number counts only as NULL or not. The same for task t in s as for
   * task π(t) in π(s), whatever the exchange π. Progress first because a move rarely changes the
   * order of processes at different points of their programs, so fewer successors need an exchange
   * (measured on P3 D1 F1 e57e58bd: a third of the successors exchanged with the hash alone, a sixth
   * with progress first); the stored states are the same, one per orbit, whatever the key.
   */
  key(s: Int32Array, t: number): number {
    return this.progress(s, t) + this.ownHash(s, t);
  }

  /** The progress part of task t's key (program position, then call depth), above bit 32. */
  private progress(s: Int32Array, t: number): number {
    const sp = s[this.actorBase[t] + this.spOff];
    return (s[this.progOff[t]] * 64 + Math.min(sp, 63)) * 2 ** 32;
  }

  /** The hash part of task t's key, below bit 32. */
  private ownHash(s: Int32Array, t: number): number {
    // The device block, when t brings one along, is among keyOffs: its device-TLB entries are ids.
    const offs = this.keyOffs[t];
    const ids = this.keyIds[t];
    let h = 0x811c9dc5;
    for (let i = 0; i < offs.length; i++) {
      const v = s[offs[i]];
      // An id word counts only as NULL or not: every catalog word maps 0 (NULL, empty) to 0 and
      // nothing else to 0, so that much is the same under any exchange, and the rest costs a
      // rename per word (measured: a third of the search's time at P3) to sort slightly more
      // finely. Equal keys are settled by trying the orders (canonicalize).
      h = Math.imul(h ^ (ids[i] === 0 ? v : v === 0 ? 0 : 1), 0x01000193);
    }
    h = Math.imul(h ^ this.hashFrames(s, t), 0x01000193);
    return h >>> 0;
  }

  /** The frames of actor a hashed as key counts them: ids as NULL or not, holders by kind. */
  private hashFrames(s: Int32Array, a: number): number {
    const base = this.actorBase[a];
    const sp = s[base + this.spOff];
    const { frameArgs, frameModeAt, frameModes } = this;
    let fb = base + this.framesOff;
    let h = 0;
    for (let i = 0; i < sp && i < this.stackDepth; i++) {
      const id = frameRoutine(s, fb);
      const args = frameArgs[id];
      const m0 = frameModeAt[id];
      for (let j = 0; j < args; j++) {
        const v = s[fb + 1 + j];
        const mode = frameModes[m0 + j];
        h = Math.imul(
          h ^
            (mode === HASH_PLAIN
              ? v
              : mode === HASH_PLUS1
                ? v === 0
                  ? 0
                  : 1
                : mode === HASH_HOLDER
                  ? (v >>> 16) | 0x10000
                  : (mode & 0xff) === HASH_PACKED
                    ? withoutObject(v, mode) | 0x20000
                    : 1),
          0x01000193,
        );
      }
      h = Math.imul(Math.imul(h ^ id, 0x01000193) ^ framePc(s, fb), 0x01000193);
      fb += 1 + args;
    }
    return h;
  }

  /** Tabulates every object number's image under the exchange in perm and devPerm. */
  private tabulate(): void {
    for (let kind = 0; kind < 16; kind++) {
      const map = this.maps[kind];
      const per = this.per[kind];
      if (kind === Obj.device) {
        map.set(this.devPerm);
        continue;
      }
      for (let idx = 0; idx < map.length; idx++) {
        const owner = (idx / per) | 0;
        // The kworker's and the IRQ thread's actor numbers stay; a device's goes with its device.
        map[idx] =
          kind === Obj.actor && idx >= this.tasks
            ? idx < this.kactors
              ? idx
              : this.kactors + this.devPerm[idx - this.kactors]
            : this.perm[owner] * per + (idx - owner * per);
      }
    }
  }

  /** An object's number under the exchange tabulated last. */
  private mapObj(kind: number, idx: number): number {
    const map = this.maps[kind];
    // Not a process's object (a PASID, a device), or out of range: left as it is.
    return idx >= 0 && idx < map.length ? map[idx] : idx;
  }

  /** A word of kind k (the catalog's, or a routine argument's) under the exchange tabulated last. */
  private mapWord(k: number, v: number): number {
    if (k & W_PACKED) {
      const shift = (k >>> 20) & 31;
      const mask = 2 ** ((k >>> 25) & 31) - 1;
      const sub = (v >>> shift) & mask;
      return (v & ~(mask << shift)) | ((this.mapWord(k & 0xffff, sub) & mask) << shift);
    }
    if (k & W_MASK) {
      const kind = k & 0xff;
      let out = 0;
      for (let m = v; m !== 0; m &= m - 1) {
        const b = this.mapObj(kind, 31 - Math.clz32(m & -m));
        out |= b < 0 ? 1 << 31 : 1 << b;
      }
      return out;
    }
    switch (k) {
      case W_ENTRY:
        return (v & 1) === 0 ? v : framePhys(this.mapObj(Obj.page, entryFrame(v))) | (v & 0xfff);
      case W_VOBJ:
        return v === 0 ? 0 : (v & ~0xff) | (this.mapObj(v >>> 8, v & 0xff) & 0xff);
      case W_DFPUT: {
        let out = 0;
        for (let shift = 0; shift < 32 && v >>> shift !== 0; shift += DF_BITS) {
          const f = this.mapObj(Obj.file, ((v >>> shift) & DF_MASK) - 1);
          out |= (f < 0 ? DF_MASK : f + 1) << shift;
        }
        return out;
      }
      case W_SID:
        for (let d = 0; d < this.ndev; d++) if (this.sids[d] === v) return this.sids[this.devPerm[d]];
        return v;
      case W_HOLDER:
        return (v & ~0xffff) | (this.mapObj(v >>> 16, v & 0xffff) & 0xffff);
    }
    if (k & ID_PLUS1) return v === 0 ? 0 : this.mapObj(k & 0xff, v - 1) + 1;
    return this.mapObj(k, v);
  }

  /** Renames the id words in actor a's frames in place. Frame words are read and written through exec.ts's helpers. */
  private mapFrames(s: Int32Array, a: number): void {
    // Kernel actors' slots differ in size (each stack is sized to its bottom routine's calls).
    const base = this.actorBase[a];
    const sp = s[base + this.spOff];
    let fb = base + this.framesOff;
    for (let i = 0; i < sp && i < this.stackDepth; i++) {
      const id = frameRoutine(s, fb);
      const codes = this.frameCodes[id];
      for (let j = 0; j < codes.length; j++) {
        let k = codes[j];
        if (k === W_QI_TARGET) {
          // qi_submit_sync's target is an sdev for an invalidation, else a requester id; the
          // descriptor's kind is its first word.
          const q = s[fb + 1];
          k = q === Qi.pasid_cache || q === Qi.iotlb_pasid || q === Qi.dev_iotlb_pasid ? Obj.sdev : W_SID;
        }
        if (k !== 0) s[fb + 1 + j] = this.mapWord(k, s[fb + 1 + j]);
      }
      fb += 1 + codes.length;
    }
  }

  /**
   * Renames the requester ids in the queues' entries (a consumed entry is all zeros, no device's
   * id): the invalidation queue's device-TLB invalidations and page responses, as qi_submit_sync
   * writes them (qi.ts), and the page request queue's requests, as prqAppend writes them.
   */
  private renameQueues(s: Int32Array): void {
    const hw = this.hw;
    for (let slot = 0; slot < hw.iqSize; slot++) {
      const at = hw.iq + 4 * slot;
      switch (qiType(s, at)) {
        case QI_TYPE.DEIOTLB:
          QI_DEIOTLB.set(s, at, 'SID', this.mapWord(W_SID, QI_DEIOTLB.get(s, at, 'SID')));
          break;
        case QI_TYPE.PGRP_RESP:
          QI_PGRP_RESP.set(s, at, 'DID', this.mapWord(W_SID, QI_PGRP_RESP.get(s, at, 'DID')));
          break;
        case QI_TYPE.PSTRM_RESP: {
          const rid = (QI_PSTRM_RESP.get(s, at, 'BUS') << 8) | QI_PSTRM_RESP.get(s, at, 'DEVFN');
          const to = this.mapWord(W_SID, rid);
          QI_PSTRM_RESP.set(s, at, 'BUS', to >> 8);
          QI_PSTRM_RESP.set(s, at, 'DEVFN', to & 0xff);
          break;
        }
      }
    }
    for (let slot = 0; slot < hw.prqSize; slot++) {
      const at = hw.prq + 4 * slot;
      const rid = (PAGE_REQ_DSC.get(s, at, 'BUS') << 8) | PAGE_REQ_DSC.get(s, at, 'DEVFN');
      const to = this.mapWord(W_SID, rid);
      if (to === rid) continue;
      PAGE_REQ_DSC.set(s, at, 'BUS', to >> 8);
      PAGE_REQ_DSC.set(s, at, 'DEVFN', to & 0xff);
    }
  }

  /** Renames both ends of every reference in the tracker, then sorts them again (refs.ts). */
  private renameRefs(s: Int32Array): void {
    const base = this.w.refsBase;
    const end = base + this.w.dims.refs;
    let n = base;
    for (; n < end && s[n] !== 0; n++) {
      const v = s[n] - 1;
      const tk = (v >>> 3) & 15;
      const hk = (v >>> 13) & 15;
      const t = this.mapObj(tk, (v >>> 7) & 63);
      const h = this.mapObj(hk, (v >>> 17) & 1023);
      s[n] = 1 + ((v & 7) | (tk << 3) | (t << 7) | (hk << 13) | (h << 17));
    }
    for (let i = base + 1; i < n; i++) {
      const x = s[i];
      let j = i;
      for (; j > base && s[j - 1] > x; j--) s[j] = s[j - 1];
      s[j] = x;
    }
  }
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function equal(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic a < b. */
function less(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}
