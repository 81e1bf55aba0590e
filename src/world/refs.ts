/**
 * The reference tracker: every count increment is recorded with who holds it, like the kernel's
 * ref_tracker (lib/ref_tracker.c, v5.17+), so that a leak can be explained as a chain of holders.
 *
 * A reference is packed into one word: count kind, target object, holder object. The tracker keeps
 * them sorted in a fixed region of the state, so that the same set of references is the same state
 * whatever order they were taken in.
 */
import { countName, objName } from './objects.ts';

export interface Ref {
  count: number;
  targetKind: number;
  target: number;
  holderKind: number;
  holder: number;
}

export const packRef = (
  count: number,
  targetKind: number,
  target: number,
  holderKind: number,
  holder: number,
) => 1 + (count | (targetKind << 3) | (target << 7) | (holderKind << 13) | (holder << 17));

export function unpackRef(w: number): Ref {
  const v = w - 1;
  return {
    count: v & 7,
    targetKind: (v >>> 3) & 15,
    target: (v >>> 7) & 63,
    holderKind: (v >>> 13) & 15,
    holder: (v >>> 17) & 1023,
  };
}

/** Adds a reference; returns false when the tracker is full (the scenario's pools are too small). */
export function refAdd(s: Int32Array, base: number, cap: number, ref: number): boolean {
  if (s[base + cap - 1] !== 0) return false;
  let i = base + cap - 1;
  while (i > base && (s[i - 1] === 0 || s[i - 1] > ref)) {
    s[i] = s[i - 1];
    i--;
  }
  s[i] = ref;
  return true;
}

/** Removes one copy of a reference; returns false when that holder held no such reference. */
export function refDel(s: Int32Array, base: number, cap: number, ref: number): boolean {
  const end = base + cap;
  for (let i = base; i < end && s[i] !== 0; i++) {
    if (s[i] === ref) {
      for (let j = i; j < end - 1; j++) s[j] = s[j + 1];
      s[end - 1] = 0;
      return true;
    }
  }
  return false;
}

export function refList(s: Int32Array, base: number, cap: number): Ref[] {
  const out: Ref[] = [];
  for (let i = base; i < base + cap && s[i] !== 0; i++) out.push(unpackRef(s[i]));
  return out;
}

export const refText = (r: Ref): string =>
  `${objName[r.targetKind]}#${r.target}.${countName[r.count]} held by ${objName[r.holderKind]}#${r.holder}`;
