/**
 * Explaining a leak: from the reference tracker, a graph of who holds whom among the objects left
 * allocated, and the cycle that keeps them alive (or, without a cycle, the holders of each).
 *
 * An edge A → B means "A holds a reference that keeps B": an mm's address space holds its VMAs, a
 * VMA holds its file (f_count), a file's client context holds its binding (intel_svm_dev.users),
 * a binding keeps its intel_svm, and an intel_svm may hold its mm (mm_users, policy v4.4).
 */
import type { World } from '../world/layout.ts';
import { countName, Life, Obj, objName } from '../world/objects.ts';
import { refList } from '../world/refs.ts';
import { leakedObjects } from './quiescent.ts';

export interface LeakReport {
  message: string;
  /** Object names around the cycle, starting from the first leaked object on it. */
  cycle?: string[];
  leaked: string[];
}

interface Edge {
  from: string;
  to: string;
  label: string;
}

export function leakReport(w: World): LeakReport {
  const name = (kind: number, idx: number): string => `${objName[kind]}#${idx}`;
  const leaked = leakedObjects(w).map((o) => name(o.kind, o.index));
  const edges: Edge[] = [];
  for (const r of refList(w.s, w.refsBase, w.dims.refs)) {
    let from: string;
    if (r.holderKind === Obj.fd) from = name(Obj.task, Math.floor(r.holder / w.dims.nfd));
    else if (r.holderKind === Obj.notifier) from = name(Obj.svm, r.holder);
    else from = name(r.holderKind, r.holder);
    const to = name(r.targetKind, r.target);
    if (from !== to) edges.push({ from, to, label: countName[r.count] });
  }
  for (const sd of w.pool('sdev')) {
    if (sd.life === Life.live && sd.svm)
      edges.push({ from: name(Obj.sdev, sd.index), to: name(Obj.svm, sd.svm.index), label: 'devs' });
  }
  const live = new Set(leaked);
  const out = (n: string) => edges.filter((e) => e.from === n && live.has(e.to));
  // The first leaked object that lies on a cycle, and that cycle (DFS over leaked objects only).
  for (const start of leaked) {
    const path = findCycle(start, out);
    if (path) {
      const cycle = path.map((e) => e.from);
      const words = path.map((e) => `${e.from} holds ${e.to} (${e.label})`).join(', ');
      return {
        message: `${leaked.length} objects never freed; a reference cycle keeps them: ${words}`,
        cycle,
        leaked,
      };
    }
  }
  const held = leaked.map((n) => {
    const by = edges.filter((e) => e.to === n).map((e) => `${e.from} (${e.label})`);
    return by.length ? `${n} held by ${by.join(', ')}` : `${n} held by nobody`;
  });
  return { message: `${leaked.length} objects never freed: ${held.join('; ')}`, leaked };
}

function findCycle(start: string, out: (n: string) => Edge[]): Edge[] | undefined {
  const path: Edge[] = [];
  const seen = new Set<string>();
  const dfs = (n: string): boolean => {
    for (const e of out(n)) {
      path.push(e);
      if (e.to === start) return true;
      if (!seen.has(e.to)) {
        seen.add(e.to);
        if (dfs(e.to)) return true;
      }
      path.pop();
    }
    return false;
  };
  return dfs(start) ? path : undefined;
}
