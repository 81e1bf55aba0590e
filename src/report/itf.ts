/**
 * One state of the modelled system as an ITF state (Informal Trace Format, Apalache ADR-015, the
 * trace format Apalache and Quint read and write): a value per variable, in ITF's expression forms.
 * Objects are named as the text trace names them (mm#0, file#1); sets of reference holders are
 * `#set`s, tables indexed by PASID or by page are `#map`s, 64-bit hardware entries are `#bigint`s.
 */
import { entryFrame, entryPresent } from '../arch/x86/pgtable.ts';
import type { SvmSystem } from '../system/system.ts';
import { countName, Life, Obj, objName } from '../world/objects.ts';
import { refList } from '../world/refs.ts';
import { fieldValue } from '../world/struct.ts';

/** An ITF expression (ADR-015): strings, integers, booleans, lists, records, and the # forms. */
export type ItfValue =
  | string
  | number
  | boolean
  | ItfValue[]
  | { '#bigint': string }
  | { '#tup': ItfValue[] }
  | { '#set': ItfValue[] }
  | { '#map': [ItfValue, ItfValue][] }
  | { [field: string]: ItfValue };

export interface ItfState {
  '#meta': { index: number };
  [variable: string]: ItfValue | { index: number };
}

/**
 * The variables of every state:
 * - action: the move that led here ({actor, choice, text}; actor '' in the initial state);
 * - objects: every allocated or freed kernel object by name, its state and its fields (a task's fd
 *   table and a page-table page's entries as maps);
 * - holders: per object, the set of {holder, count, refs} that pin it, from the reference tracker;
 * - pasid_table, pasid_idr: the PASID table entries (64-bit) and the driver's PASID allocator;
 * - iommu: the DMAR unit's registers and caches (PASID cache, paging-structure caches, IOTLB);
 * - devices: each PCI device's state, its device-TLB and its outstanding page requests;
 * - actors: each actor's kind and, for kernel actors, its call stack and the step it is at.
 */
export const ITF_VARS = [
  'action',
  'objects',
  'holders',
  'pasid_table',
  'pasid_idr',
  'iommu',
  'devices',
  'actors',
] as const;

export interface ItfAction {
  actor: string;
  choice: number;
  text: string;
}

/** A 64-bit value from its two words, low first, as ITF's big integer. */
const u64 = (lo: number, hi: number): { '#bigint': string } => ({
  '#bigint': ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(),
});
const map = (entries: [ItfValue, ItfValue][]): { '#map': [ItfValue, ItfValue][] } => ({ '#map': entries });
const tup = (...xs: ItfValue[]): { '#tup': ItfValue[] } => ({ '#tup': xs });
const pageRef = (v: number): string => `page#${v - 1}`;

/** The state `s` of `sys` as ITF variables; `index` is its position in the trace. */
export function itfState(sys: SvmSystem, s: Int32Array, index: number, action: ItfAction): ItfState {
  return {
    '#meta': { index },
    action: { ...action },
    objects: objects(sys, s),
    holders: holders(sys, s),
    ...pasids(sys, s),
    iommu: iommu(sys, s),
    devices: devices(sys, s),
    actors: actors(sys, s),
  };
}

function objects(sys: SvmSystem, s: Int32Array): ItfValue {
  const w = sys.world;
  w.s = s;
  const out: [ItfValue, ItfValue][] = [];
  const pools = [w.task, w.mm, w.vma, w.file, w.page, w.pool('svm'), w.pool('sdev')];
  const names = ['task', 'mm', 'vma', 'file', 'page', 'svm', 'sdev'];
  pools.forEach((pool, n) => {
    for (const v of pool) {
      if (v.life === Life.unused) continue;
      const rec: Record<string, ItfValue> = { state: v.life === Life.live ? 'live' : 'freed' };
      v.def.names.forEach((f, i) => {
        if (f !== 'life') rec[f] = fieldValue(v.def, s, v.base, i);
      });
      if (names[n] === 'task') {
        const fds: [ItfValue, ItfValue][] = [];
        for (let i = 0; i < w.dims.nfd; i++) {
          const f = s[v.base + v.def.headWords + i];
          if (f) fds.push([sys.scenario.fdNumbers[i] ?? i, `file#${f - 1}`]);
        }
        rec.fd = map(fds);
      }
      if (names[n] === 'page') {
        const entries: [ItfValue, ItfValue][] = [];
        for (let i = 0; i < w.dims.upages; i++) {
          const lo = s[v.base + v.def.headWords + 2 * i];
          if (entryPresent(lo)) entries.push([i, `page#${entryFrame(lo)}`]);
        }
        rec.entries = map(entries);
      }
      out.push([`${names[n]}#${v.index}`, rec]);
    }
  });
  return map(out);
}

/** Who pins each object, from the reference tracker, and each bound sdev's hold on its svm. */
function holders(sys: SvmSystem, s: Int32Array): ItfValue {
  const w = sys.world;
  w.s = s;
  const held = new Map<string, Map<string, { holder: string; count: string; refs: number }>>();
  const add = (target: string, holder: string, count: string) => {
    let byHolder = held.get(target);
    if (!byHolder) held.set(target, (byHolder = new Map()));
    const key = `${holder} ${count}`;
    const h = byHolder.get(key);
    if (h) h.refs++;
    else byHolder.set(key, { holder, count, refs: 1 });
  };
  for (const r of refList(s, w.refsBase, w.dims.refs)) {
    const holder =
      r.holderKind === Obj.fd
        ? `task#${Math.floor(r.holder / w.dims.nfd)} fd[${sys.scenario.fdNumbers[r.holder % w.dims.nfd] ?? r.holder % w.dims.nfd}]`
        : r.holderKind === Obj.actor
          ? (sys.actors[r.holder]?.name ?? `actor#${r.holder}`)
          : `${objName[r.holderKind]}#${r.holder}`;
    add(`${objName[r.targetKind]}#${r.target}`, holder, countName[r.count]);
  }
  for (const sd of w.pool('sdev'))
    if (sd.life === Life.live && sd.svm) add(`svm#${sd.svm.index}`, `sdev#${sd.index}`, 'devs');
  return map([...held].map(([target, hs]) => [target, { '#set': [...hs.values()] }]));
}

function pasids(sys: SvmSystem, s: Int32Array): { pasid_table: ItfValue; pasid_idr: ItfValue } {
  const hw = sys.hw;
  const table: [ItfValue, ItfValue][] = [];
  for (let p = 0; p < hw.npasid; p++)
    table.push([p, u64(s[hw.pasidTable + 2 * p], s[hw.pasidTable + 2 * p + 1])]);
  const idr: [ItfValue, ItfValue][] = [];
  for (let p = 0; p < sys.world.dims.pasids; p++) {
    const v = s[sys.world.array('pasid_idr') + p];
    if (v) idr.push([p, `svm#${v - 1}`]);
  }
  return { pasid_table: map(table), pasid_idr: map(idr) };
}

function iommu(sys: SvmSystem, s: Int32Array): ItfValue {
  const hw = sys.hw;
  const registers: Record<string, ItfValue> = {};
  hw.regs.def.names.forEach((f, i) => {
    registers[f] = s[hw.regs.base + i] >>> 0;
  });
  const pasidCache: [ItfValue, ItfValue][] = [];
  const psc: [ItfValue, ItfValue][] = [];
  const iotlb: [ItfValue, ItfValue][] = [];
  for (let p = 0; p < hw.npasid; p++) {
    const c = hw.pasidCache + 2 * p;
    pasidCache.push([p, u64(s[c], s[c + 1])]);
    for (let l = 3; l >= 1; l--) {
      const v = s[hw.pscAt(p, l)];
      if (v) psc.push([tup(p, ['', 'PDE', 'PDPTE', 'PML4E'][l]), pageRef(v)]);
    }
    for (let i = 0; i < hw.upages; i++) {
      const v = s[hw.iotlbAt(p, i)];
      if (v) iotlb.push([tup(p, i), pageRef(v)]);
    }
  }
  return {
    registers,
    pasid_cache: map(pasidCache),
    paging_structure_cache: map(psc),
    iotlb: map(iotlb),
  };
}

function devices(sys: SvmSystem, s: Int32Array): ItfValue {
  const hw = sys.hw;
  return map(
    hw.dev.map((d, di) => {
      const rec: Record<string, ItfValue> = {};
      d.def.names.forEach((f, i) => {
        rec[f] = s[d.base + i];
      });
      const tlb: [ItfValue, ItfValue][] = [];
      const outstanding: [ItfValue, ItfValue][] = [];
      for (let p = 0; p < hw.npasid; p++) {
        for (let i = 0; i < hw.upages; i++) {
          const v = s[hw.devTlb(di, p, i)];
          if (v) tlb.push([tup(p, i), pageRef(v)]);
        }
        const o = s[hw.devOutstanding(di, p)];
        if (o) outstanding.push([p, o - 1]);
      }
      rec.device_tlb = map(tlb);
      rec.page_requests_outstanding = map(outstanding);
      return [sys.scenario.devices[di].name, rec];
    }),
  );
}

/** Each actor's kind; a kernel actor's call stack, bottom first, as routine:step, and its top. */
function actors(sys: SvmSystem, s: Int32Array): ItfValue {
  sys.world.s = s;
  return map(
    sys.actors.map((a, i) => {
      const rec: Record<string, ItfValue> = { kind: a.kind };
      if (sys.isKernelActor(i)) {
        const k = sys.kernel;
        k.bindActor(i);
        const stack = k
          .frames()
          .map((f) => `${sys.routineName(f.routineId)}:${sys.stepLabel(f.routineId, f.pc)}`);
        rec.stack = stack;
        rec.routine = k.sp > 0 ? sys.routineName(k.routineId) : '';
        rec.step = k.sp > 0 ? sys.stepLabel(k.routineId, k.pc) : '';
      }
      return [a.name, rec];
    }),
  );
}
