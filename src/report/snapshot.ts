/**
 * Snapshots of the world for reports: every allocated (or freed) object with its named fields,
 * the reference graph from the tracker, and the hardware's tables and caches, as plain JSON.
 * The HTML report embeds one snapshot per step.
 */
import type { Transition } from '../check/index.ts';
import type { SvmSystem } from '../system/system.ts';
import { countName, Life, objName } from '../world/objects.ts';
import { refList } from '../world/refs.ts';
import { fieldValue } from '../world/struct.ts';
import type { StepView, ViolationView } from './describe.ts';
import { traceSteps } from './text.ts';

export interface ObjectSnapshot {
  /** mm#0, file#1, page#3 ... */
  id: string;
  kind: string;
  state: 'live' | 'freed';
  fields: Record<string, number>;
}

export interface RefEdge {
  /** The holder: an object id, or a task's fd slot (task#0 fd), or an actor's temporary pin. */
  from: string;
  to: string;
  /** The count the reference is on: mm_users, mm_count, f_count, users, vm_area, mapped. */
  count: string;
}

export interface Snapshot {
  objects: ObjectSnapshot[];
  refs: RefEdge[];
  hardware: {
    pasidTable: string[];
    pasidCache: string[];
    iotlb: Record<string, string>;
    deviceTlb: Record<string, string>;
  };
}

export interface ReportData {
  svmsim: string;
  command: 'run' | 'check';
  scenario: { name: string; description: string; text: string };
  policy: string;
  actors: { name: string; kind: string }[];
  /** steps[i] leads from snapshots[i] to snapshots[i + 1]; snapshots[0] is the initial state. */
  steps: StepView[];
  snapshots: Snapshot[];
  violation: ViolationView | null;
  /** Object ids the report should highlight: the leak cycle, or the object used after free. */
  highlight: string[];
  /**
   * For `check`: how the search of the reported scenario and policy ended, so that a report
   * without a counterexample says whether it is a proof (verified over N states) or not
   * (incomplete, and what stopped it).
   */
  outcome?: { verdict: 'verified' | 'violation' | 'incomplete'; states: number; stoppedBy?: string };
  /** For `check`: the comparison table. */
  results?: {
    scenario: string;
    policy: string;
    verdict: string;
    violation: string;
    trace: number;
    states: number;
    transitions: number;
    seconds: number;
  }[];
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

export function snapshot(sys: SvmSystem, s: Int32Array): Snapshot {
  const w = sys.world;
  w.s = s;
  const objects: ObjectSnapshot[] = [];
  const pools = [w.task, w.mm, w.vma, w.file, w.page, w.pool('svm'), w.pool('sdev')];
  const names = ['task', 'mm', 'vma', 'file', 'page', 'svm', 'sdev'];
  pools.forEach((pool, n) => {
    for (const v of pool) {
      if (v.life === Life.unused) continue;
      const fields: Record<string, number> = {};
      v.def.names.forEach((f, i) => {
        if (f !== 'life') fields[f] = fieldValue(v.def, s, v.base, i);
      });
      objects.push({
        id: `${names[n]}#${v.index}`,
        kind: names[n],
        state: v.life === Life.live ? 'live' : 'freed',
        fields,
      });
    }
  });
  const refs = refList(s, w.refsBase, w.dims.refs).map((r) => ({
    from:
      r.holderKind === 10
        ? `task#${Math.floor(r.holder / w.dims.nfd)}`
        : `${objName[r.holderKind]}#${r.holder}`,
    to: `${objName[r.targetKind]}#${r.target}`,
    count: countName[r.count],
  }));
  for (const sd of w.pool('sdev'))
    if (sd.life === Life.live && sd.svm)
      refs.push({ from: `sdev#${sd.index}`, to: `svm#${sd.svm.index}`, count: 'devs' });
  const hw = sys.hw;
  const iotlb: Record<string, string> = {};
  const deviceTlb: Record<string, string> = {};
  for (let p = 0; p < hw.npasid; p++) {
    for (let i = 0; i < hw.upages; i++) {
      if (s[hw.iotlbAt(p, i)]) iotlb[`PASID ${p} page ${i}`] = `page#${s[hw.iotlbAt(p, i)] - 1}`;
      for (let d = 0; d < hw.ndev; d++)
        if (s[hw.devTlb(d, p, i)])
          deviceTlb[`${sys.scenario.devices[d].name} PASID ${p} page ${i}`] =
            `page#${s[hw.devTlb(d, p, i)] - 1}`;
    }
  }
  return {
    objects,
    refs,
    hardware: {
      pasidTable: Array.from({ length: hw.npasid }, (_, p) => hex(s[hw.pasidTable + 2 * p])),
      pasidCache: Array.from({ length: hw.npasid }, (_, p) => hex(s[hw.pasidCache + 2 * p])),
      iotlb,
      deviceTlb,
    },
  };
}

/** Everything a report shows for one trace. */
export function reportData(
  sys: SvmSystem,
  command: 'run' | 'check',
  trace: readonly Transition[],
  violation: ViolationView | null,
  version: string,
): ReportData {
  const { steps } = traceSteps(sys, trace);
  let s = new Int32Array(sys.stateWords);
  sys.init(s);
  const snapshots = [snapshot(sys, s)];
  for (const t of trace) {
    const next = new Int32Array(sys.stateWords);
    sys.step(s, t.actor, t.choice, next);
    s = next;
    snapshots.push(snapshot(sys, s));
  }
  const highlight = violation?.cycle ?? (violation?.object ? [violation.object] : []);
  return {
    svmsim: version,
    command,
    scenario: { name: sys.scenario.name, description: sys.scenario.description, text: sys.scenario.text },
    policy: sys.policy.name,
    actors: sys.actors.map((a) => ({ name: a.name, kind: a.kind })),
    steps,
    snapshots,
    violation,
    highlight,
  };
}
