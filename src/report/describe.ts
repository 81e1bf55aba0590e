/**
 * Turning moves and states into kernel words: what an actor did in one step, which named fields
 * changed, and what a violation means.
 */

import { entryFrame, entryPresent, pageKindName } from '../arch/x86/pgtable.ts';
import type { Transition } from '../check/index.ts';
import { leakReport } from '../properties/leak.ts';
import { deadlockedActor } from '../properties/quiescent.ts';
import { siteText, V, type ViolationKind, violationKind } from '../properties/violations.ts';
import type { SvmSystem } from '../system/system.ts';
import type { FieldKind } from '../world/fields.ts';
import { Obj, objName } from '../world/objects.ts';
import { refList, refText } from '../world/refs.ts';
import { type Fields, fieldValue, type View } from '../world/struct.ts';

export interface Change {
  /** The object, as in the kernel's words: mm#0, file#1, PASID table[0], device accel0. */
  obj: string;
  field: string;
  from: number | string;
  to: number | string;
}

export interface StepView {
  index: number;
  actor: number;
  actorName: string;
  actorKind: string;
  choice: number;
  /** The kernel function (routine:step) the actor was at, for kernel actors. */
  at: string;
  /** What happened, in order: functions called and notes. */
  notes: string[];
  changes: Change[];
}

export interface ViolationView {
  /** A property of properties/violations.ts, or a livelock, which the explorer finds on a cycle. */
  kind: ViolationKind | 'livelock';
  message: string;
  /** For a leak: the chain of holders that keeps the leaked objects alive, as object names. */
  cycle?: string[];
  /** For a leak: every object left allocated. */
  leaked?: string[];
  /** For a leak: the tracked references still held. */
  refs?: string[];
  actor?: string;
  /** For a use after free or refcount misuse: the object (page#4, mm#0). */
  object?: string;
  /**
   * For a livelock: the trace is a lasso, and its steps from index cycleStart on (0-based; steps
   * cycleStart + 1 onwards as printed) are the cycle, which ends in the state it began in, the state
   * after the first cycleStart steps.
   */
  cycleStart?: number;
  /**
   * Hardware behaviour the trace relies on that the VT-d specification does not promise (a
   * scenario option turned it on): `speculative-pasid-cache-fill` when the IOMMU loaded a PASID
   * entry with no request for it (hw/vtd/iommu.ts). Absent when the trace needs no assumption.
   */
  assumes?: string[];
}

/** The assumptions a trace relies on (ViolationView.assumes). */
export function traceAssumptions(sys: SvmSystem, trace: readonly Transition[]): string[] {
  const fills = trace.some((t) => sys.actors[t.actor]?.kind === 'iommu-cache');
  return fills ? ['speculative-pasid-cache-fill'] : [];
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** Every struct pool but the kernel actors' (whose stacks are shown as frames), by name, for diffs. */
function pools(sys: SvmSystem): [string, readonly View<Fields>[]][] {
  const out: [string, readonly View<Fields>[]][] = [];
  sys.world.pools.forEach((pool, kind) => {
    if (pool && kind !== Obj.actor) out.push([objName[kind], pool as readonly View<Fields>[]]);
  });
  return out;
}

/** A field's stored word as its declared kind reads: an object's name, NULL, a set, a number. */
function fieldText(kind: FieldKind, v: number): number | string {
  const pool = kind.pool === undefined ? '' : objName[kind.pool];
  switch (kind.tag) {
    case 'ref':
      return v === 0 ? 'NULL' : `${pool}#${v - 1}`;
    case 'obj':
      return `${pool}#${v}`;
    case 'opt':
      return v === 0 ? 'none' : v - 1;
    case 'mask': {
      const members: string[] = [];
      for (let i = 0; i < 31; i++) if (v & (1 << i)) members.push(`${pool}#${i}`);
      return `{${members.join(', ')}}`;
    }
    default:
      return v;
  }
}

const lifeName = ['unused', 'live', 'freed'];

/** The named fields that differ between two states. */
export function diffStates(sys: SvmSystem, before: Int32Array, after: Int32Array): Change[] {
  const out: Change[] = [];
  const fdNum = (slot: number) => sys.scenario.fdNumbers[slot] ?? slot;
  for (const [name, pool] of pools(sys)) {
    for (const v of pool) {
      const fields = v.def.names;
      for (let f = 0; f < fields.length; f++) {
        const a = fieldValue(v.def, before, v.base, f);
        const b = fieldValue(v.def, after, v.base, f);
        if (a === b) continue;
        const obj = `${name}#${v.index}`;
        const kind = v.def.places[f].kind;
        if (fields[f] === 'life') out.push({ obj, field: 'state', from: lifeName[a], to: lifeName[b] });
        else if (name === 'task' && fields[f] === 'prog_pc') continue;
        else out.push({ obj, field: fields[f], from: fieldText(kind, a), to: fieldText(kind, b) });
      }
      if (name === 'task') {
        for (let i = 0; i < sys.world.dims.nfd; i++) {
          const at = v.base + v.def.headWords + i;
          if (before[at] !== after[at])
            out.push({
              obj: `${name}#${v.index}`,
              field: `fd[${fdNum(i)}]`,
              from: fileRef(before[at]),
              to: fileRef(after[at]),
            });
        }
      }
      if (name === 'page') {
        for (let i = 0; i < 2 * sys.world.dims.upages; i += 2) {
          const at = v.base + v.def.headWords + i;
          if (before[at] !== after[at] || before[at + 1] !== after[at + 1])
            out.push({
              obj: `page#${v.index} (${pageKindName[fieldValue(v.def, after, v.base, 1)] ?? '?'})`,
              field: `entry ${i / 2}`,
              from: entryText(before[at]),
              to: entryText(after[at]),
            });
        }
      }
    }
  }
  const hw = sys.hw;
  for (let p = 0; p < hw.npasid; p++) {
    const t = hw.pasidTable + 2 * p;
    if (before[t] !== after[t])
      out.push({ obj: 'PASID table', field: `[${p}]`, from: hex(before[t]), to: hex(after[t]) });
    const c = hw.pasidCache + 2 * p;
    if (before[c] !== after[c])
      out.push({ obj: 'PASID cache', field: `[${p}]`, from: hex(before[c]), to: hex(after[c]) });
    for (let l = 3; l >= 1; l--) {
      const at = hw.pscAt(p, l);
      if (before[at] !== after[at])
        out.push({
          obj: 'paging-structure cache',
          field: `PASID ${p} ${['', 'PDE', 'PDPTE', 'PML4E'][l]}`,
          from: frameRef(before[at]),
          to: frameRef(after[at]),
        });
    }
    for (let i = 0; i < hw.upages; i++) {
      const at = hw.iotlbAt(p, i);
      if (before[at] !== after[at])
        out.push({
          obj: 'IOTLB',
          field: `PASID ${p} page ${i}`,
          from: frameRef(before[at]),
          to: frameRef(after[at]),
        });
      for (let d = 0; d < hw.ndev; d++) {
        const dt = hw.devTlb(d, p, i);
        if (before[dt] !== after[dt])
          out.push({
            obj: `${sys.scenario.devices[d].name} device-TLB`,
            field: `PASID ${p} page ${i}`,
            from: frameRef(before[dt]),
            to: frameRef(after[dt]),
          });
      }
    }
    for (let d = 0; d < hw.ndev; d++) {
      const o = hw.devOutstanding(d, p);
      if (before[o] !== after[o])
        out.push({
          obj: sys.scenario.devices[d].name,
          field: `page request outstanding PASID ${p}`,
          from: before[o] ? `page ${before[o] - 1}` : 'none',
          to: after[o] ? `page ${after[o] - 1}` : 'none',
        });
    }
  }
  const regs = hw.regs.def.names;
  regs.forEach((f, i) => {
    const at = hw.regs.base + i;
    if (before[at] !== after[at])
      out.push({ obj: 'dmar0', field: f, from: hex(before[at]), to: hex(after[at]) });
  });
  hw.dev.forEach((d, di) => {
    d.def.names.forEach((f, i) => {
      const at = d.base + i;
      if (before[at] !== after[at])
        out.push({ obj: sys.scenario.devices[di].name, field: f, from: before[at], to: after[at] });
    });
  });
  for (let p = 0; p < sys.world.dims.pasids; p++) {
    const at = sys.world.array('pasid_idr') + p;
    if (before[at] !== after[at])
      out.push({ obj: 'pasid_idr', field: `[${p}]`, from: svmRef(before[at]), to: svmRef(after[at]) });
  }
  const k = sys.world.kernel.def.names;
  if (before[sys.world.kernel.base] !== after[sys.world.kernel.base]) {
    const at = sys.world.kernel.base + k.indexOf('pasid_mutex');
    if (before[at] !== after[at])
      out.push({ obj: 'pasid_mutex', field: 'owner', from: before[at], to: after[at] });
  }
  return out;
}

const fileRef = (v: number): string => (v ? `file#${v - 1}` : '-');
const svmRef = (v: number): string => (v ? `svm#${v - 1}` : '-');
const frameRef = (v: number): string => (v ? `page#${v - 1}` : '-');
const entryText = (lo: number): string => (entryPresent(lo) ? `→page#${entryFrame(lo)}` : '0');

/** Replays one move with notes on, and says what it did and what it changed. */
export function describeMove(
  sys: SvmSystem,
  before: Int32Array,
  actor: number,
  choice: number,
  index: number,
): StepView {
  const after = new Int32Array(before.length);
  after.set(before);
  sys.world.s = after;
  let at = '';
  if (sys.isKernelActor(actor)) {
    const k = sys.kernel;
    k.bindActor(actor);
    if (k.sp > 0) at = `${sys.routineName(k.routineId)}:${sys.stepLabel(k.routineId, k.pc)}`;
  }
  const notes: string[] = [];
  sys.act(actor, choice, notes);
  return {
    index,
    actor,
    actorName: sys.actors[actor].name,
    actorKind: sys.actors[actor].kind,
    choice,
    at,
    notes,
    changes: diffStates(sys, before, after),
  };
}

/**
 * A livelock (check/liveness), in words: the kernel actors that wait all along the cycle, and where
 * the first of them waits, in the state where the cycle begins; the cycle begins after `cycleStart` steps.
 */
export function describeLivelock(
  sys: SvmSystem,
  state: Int32Array,
  waiting: readonly number[],
  cycleStart: number,
): ViolationView {
  sys.world.s = state;
  const a = waiting[0];
  const k = sys.kernel;
  k.bindActor(a);
  const where = k.sp > 0 ? `${sys.routineName(k.routineId)}:${sys.stepLabel(k.routineId, k.pc)}` : '?';
  const names = waiting.map((w) => sys.actors[w].name);
  return {
    kind: 'livelock',
    message: `${names.join(', ')} ${names.length === 1 ? 'waits' : 'wait'} for ever (${names[0]} in ${where}) while the system keeps moving round the cycle`,
    actor: names[0],
    cycleStart,
  };
}

/** The violation shown by `state` (code from the explorer), in words. */
export function describeViolation(
  sys: SvmSystem,
  state: Int32Array,
  code: number,
  trace: readonly Transition[] = [],
): ViolationView {
  const assumes = traceAssumptions(sys, trace);
  const v = describeFinal(sys, state, code);
  return assumes.length ? { ...v, assumes } : v;
}

function describeFinal(sys: SvmSystem, state: Int32Array, code: number): ViolationView {
  const w = sys.world;
  w.s = state;
  const kind = violationKind[code] ?? 'refcount';
  if (code === V.leak) {
    const r = leakReport(sys.world);
    return {
      kind,
      message: r.message,
      cycle: r.cycle,
      leaked: r.leaked,
      refs: refList(state, w.refsBase, w.dims.refs).map(refText),
    };
  }
  if (code === V.deadlock) {
    const a = deadlockedActor(sys);
    const k = sys.kernel;
    k.bindActor(a);
    const where = k.sp > 0 ? sys.routineName(k.routineId) : '?';
    return { kind, message: `${sys.actors[a].name} waits forever in ${where}`, actor: sys.actors[a].name };
  }
  const kv = w.kernel;
  const objKind = kv.violation_obj >> 8;
  const idx = kv.violation_obj & 0xff;
  const actor = kv.violation_actor !== null ? sys.actors[kv.violation_actor].name : undefined;
  const obj = objKind ? `${objName[objKind]}#${idx}` : '';
  const extra = objKind === 5 ? ` (${pageKindName[w.page[idx].kind]} of mm#${w.page[idx].owner?.index})` : '';
  const by = actor ? ` by ${actor}` : '';
  return {
    kind,
    message: `${siteText(kv.violation_arg)}: ${obj}${extra}${by}`,
    actor,
    ...(obj ? { object: obj } : {}),
  };
}
