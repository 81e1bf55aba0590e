/**
 * Helpers for tests: a system booted from a scenario text, stepping one actor at a time, and a
 * memory that records what a move touches.
 */
import { findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import type { SvmPolicy } from '../drivers/iommu/intel/svm.ts';
import { parseScenario } from '../scenario/load.ts';
import { SvmSystem } from './system.ts';

export interface Booted {
  sys: SvmSystem;
  /** The current state; `move` replaces it. */
  s: Int32Array;
  /** Moves `actor` (by name) once; returns whether it could move, and the notes it made. */
  move(actor: string, choice?: number): { moved: boolean; notes: string[] };
  /** Moves `actor` until it cannot, at most `max` times; returns all notes. */
  runActor(actor: string, max?: number): string[];
}

export function boot(yaml: string, policy: string | SvmPolicy = 'e57e58bd'): Booted {
  const p = typeof policy === 'string' ? findPolicy(policy) : policy;
  if (!p) throw new Error(`no policy ${policy}`);
  const sys = new SvmSystem(parseScenario(yaml, 'test.yaml'), p);
  const b: Booted = {
    sys,
    s: new Int32Array(sys.stateWords),
    move(actor, choice = 0) {
      const a = sys.actors.findIndex((x) => x.name === actor);
      if (a < 0) throw new Error(`no actor ${actor}`);
      const next = new Int32Array(sys.stateWords);
      next.set(b.s);
      sys.world.s = next;
      const notes: string[] = [];
      const moved = sys.act(a, choice, notes);
      if (moved) b.s = next;
      sys.world.s = b.s;
      return { moved, notes };
    },
    runActor(actor, max = 100) {
      const all: string[] = [];
      for (let i = 0; i < max; i++) {
        const r = b.move(actor);
        if (!r.moved) break;
        all.push(...r.notes);
      }
      return all;
    },
  };
  sys.init(b.s);
  sys.world.s = b.s;
  return b;
}

/** A one-process scenario with one device, the program given as YAML list items. */
export function oneProcess(
  program: string[],
  opts: { client?: string; dma?: number; pages?: number } = {},
): string {
  return [
    'name: t',
    `pages: ${opts.pages ?? 1}`,
    'devices:',
    `  - { name: dev0, client: ${opts.client ?? 'accel'}, ats: true, dma: ${opts.dma ?? 0} }`,
    'processes:',
    '  - name: proc',
    '    program:',
    ...program.map((p) => `      - ${p}`),
  ].join('\n');
}

/**
 * A view of `s` that reports the index of every word read or written to `touch`. Bulk methods
 * report their range (fill) or are refused, so that no access goes unseen.
 */
export function recording(s: Int32Array, touch: (i: number, write: boolean) => void): Int32Array {
  return new Proxy(s, {
    get(t, k) {
      if (typeof k === 'string' && /^\d+$/.test(k)) {
        touch(+k, false);
        return t[+k];
      }
      if (k === 'length') return t.length;
      if (k === 'fill')
        return (v: number, from = 0, to = t.length) => {
          for (let i = from; i < to; i++) touch(i, true);
          t.fill(v, from, to);
        };
      const v = Reflect.get(t, k, t);
      if (typeof v === 'function') throw new Error(`recording memory: ${String(k)}() is not recorded`);
      return v;
    },
    set(t, k, v) {
      if (typeof k !== 'string' || !/^\d+$/.test(k)) throw new Error(`recording memory: set ${String(k)}`);
      touch(+k, true);
      t[+k] = v;
      return true;
    },
  });
}
