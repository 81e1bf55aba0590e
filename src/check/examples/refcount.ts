/**
 * A reference-counted object shared by an owner and N users, freed when the count drops to zero.
 *
 * The owner holds the initial reference and drops it once, at any time. Each user does R rounds of
 * get then put. A get must fail once the object is gone (the user then stops); a put that drops the
 * count to zero frees the object. One shared-variable access per step.
 *
 * 'correct': get is one atomic increment-unless-zero (the kernel's kref_get_unless_zero).
 * 'check-then-get': get reads the count and, seeing it non-zero, increments it in a second step. The
 * owner's put can run in between, free the object, and the increment lands in freed memory: the
 * model records that in the state, and REFCOUNT_USE_AFTER_FREE is its violation.
 *
 * State: [count, freed, uaf, owner, user_0 .. user_N-1]; owner 0 holding, 1 dropped; a user's word is
 * round * phases + phase, or R * phases when done. A quiescent state whose object is not freed has
 * leaked it: REFCOUNT_LEAK.
 *
 * Reachable states of 'correct': 2 (2R+1)^N. Each user is at one of 2R+1 places (R rounds, before or
 * holding, or done). With the owner still holding, all (2R+1)^N placements are reachable and the count
 * follows from them. With the owner's reference dropped, the object is live iff some user holds it:
 * (2R+1)^N - (R+1)^N placements have a holder, and the (R+1)^N without one are reachable only freed
 * (a live object with nobody holding would need a count above the holders).
 * 'check-then-get': 2 (3R+1)^N + N R (2R+1)^(N-1), with its violating states (refcount.test.ts).
 */

import type { Model } from '../model.ts';

export type RefcountVariant = 'correct' | 'check-then-get';

export const REFCOUNT_USE_AFTER_FREE = 1;
export const REFCOUNT_LEAK = 2;

const COUNT = 0;
const FREED = 1;
const UAF = 2;
const OWNER = 3;
const USERS = 4;

export function refcount(n: number, rounds: number, variant: RefcountVariant = 'correct'): Model {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(rounds) || rounds < 1) {
    throw new Error(`refcount: n and rounds must be positive integers, not n=${n}, rounds=${rounds}`);
  }
  const split = variant === 'check-then-get';
  const phases = split ? 3 : 2;
  const done = rounds * phases;

  /** count--, freeing at zero; freeing twice is as much a use after free as touching freed memory. */
  const put = (out: Int32Array): void => {
    if (out[FREED] !== 0) out[UAF] = 1;
    out[COUNT]--;
    if (out[COUNT] === 0) out[FREED] = 1;
  };

  return {
    stateWords: USERS + n,
    actorCount: n + 1,
    init(out) {
      out.fill(0);
      out[COUNT] = 1;
    },
    choices(s, a) {
      if (a === n) return s[OWNER] === 0 ? 1 : 0;
      return s[USERS + a] < done ? 1 : 0;
    },
    step(src, a, _choice, out) {
      if (a === n) {
        if (src[OWNER] !== 0) return false;
        out.set(src);
        put(out);
        out[OWNER] = 1;
        return true;
      }
      const pc = src[USERS + a];
      if (pc >= done) return false;
      const phase = pc % phases;
      out.set(src);
      if (phase === 0) {
        if (src[COUNT] === 0) {
          out[USERS + a] = done;
          return true;
        }
        if (!split) out[COUNT]++;
      } else if (phase === 1 && split) {
        if (src[FREED] !== 0) out[UAF] = 1;
        out[COUNT]++;
      } else {
        put(out);
      }
      out[USERS + a] = pc + 1;
      return true;
    },
    violation: (s) => (s[UAF] !== 0 ? REFCOUNT_USE_AFTER_FREE : 0),
    quiescent: (s) => (s[FREED] === 0 ? REFCOUNT_LEAK : 0),
    isDaemon: () => false,
  };
}
