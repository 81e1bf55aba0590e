/**
 * What must hold when the system has stopped (no kernel actor and no queue engine can move):
 * every kernel actor has finished or is parked at its idle point (else it waits forever: a
 * deadlock), and every object the run allocated has been freed (else: a leak).
 */
import type { SvmSystem } from '../system/system.ts';
import type { World } from '../world/layout.ts';
import { Life, Obj } from '../world/objects.ts';

/** The first kernel actor stuck waiting (not finished, not idle), or -1. */
export function deadlockedActor(sys: SvmSystem): number {
  const w = sys.world;
  for (let a = 0; a < sys.actorCount; a++) {
    if (!sys.isKernelActor(a) || w.actor[a].done === 1) continue;
    if (w.actor[a].sp === 0) continue;
    if (!sys.kernel.atIdle(a)) return a;
  }
  return -1;
}

export interface Leaked {
  kind: number;
  index: number;
}

/** Every object still allocated: mm, VMA, file, page, svm, sdev, PASID, registered notifier. */
export function leakedObjects(w: World): Leaked[] {
  const out: Leaked[] = [];
  const pools: [number, { life: number; index: number }[]][] = [
    [Obj.mm, w.mm],
    [Obj.vma, w.vma],
    [Obj.file, w.file],
    [Obj.page, w.page],
    [Obj.svm, w.pool('svm')],
    [Obj.sdev, w.pool('sdev')],
  ];
  for (const [kind, pool] of pools)
    for (const o of pool) if (o.life === Life.live) out.push({ kind, index: o.index });
  for (let p = 0; p < w.dims.pasids; p++)
    if (w.s[w.array('pasid_idr') + p] !== 0) out.push({ kind: Obj.pasid, index: p });
  return out;
}
