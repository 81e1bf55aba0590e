/**
 * What must hold when the system has stopped (no kernel actor and no queue engine can move):
 * every kernel actor has finished or is parked at its idle point (else it waits forever: a
 * deadlock), and every object the run allocated has been freed (else: a leak).
 */
import type { World } from '../world/layout.ts';
import { Life, Obj } from '../world/objects.ts';

/** What the properties need of a system: its world, its actors, which of them are idle. */
export interface Subject {
  readonly world: World;
  readonly actorCount: number;
  isKernelActor(a: number): boolean;
  readonly kernel: { atIdle(a: number): boolean };
}

/** The first kernel actor stuck waiting (not finished, not idle), or -1. */
export function deadlockedActor(sys: Subject): number {
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

/**
 * Every object still allocated: each pool's live objects (mm, VMA, file, page, and the drivers'
 * own: intel_svm, intel_svm_dev), and each id a driver's allocator still holds (PASIDs). Tasks and
 * kernel actors are not objects a run frees.
 */
export function leakedObjects(w: World): Leaked[] {
  const out: Leaked[] = [];
  w.pools.forEach((pool, kind) => {
    if (kind === Obj.task || kind === Obj.actor || !pool) return;
    for (const o of pool as unknown as readonly { life: number; index: number }[])
      if (o.life === Life.live) out.push({ kind, index: o.index });
  });
  for (const a of w.arrays.values()) {
    if (a.allocates === undefined) continue;
    for (let i = 0; i < a.words; i++) if (w.s[a.base + i] !== 0) out.push({ kind: a.allocates, index: i });
  }
  return out;
}
