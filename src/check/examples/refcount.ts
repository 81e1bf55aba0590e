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
 *
 * With `work` W > 0 a user holding its reference takes W steps of its own before the put (private
 * work, touching only its own word), which puts W more holding places in each round: 2 (R(W+2)+1)^N
 * states for 'correct', 2 (R(W+3)+1)^N + N R (2R+1)^(N-1) for 'check-then-get'.
 *
 * Reductions. Each word is a resource; violation() reads only uaf. Every step of a get or a put
 * touches the shared count, so with W = 0 no move is independent of the others and partial-order
 * reduction leaves the state space as it is; the work steps touch the user's word alone and are
 * reduced. The users are interchangeable: a state's orbit representative has their words sorted.
 */

import { type Model, markResource } from '../model.ts';
import { sortBlocks } from '../reduce/symmetry.ts';

export type RefcountVariant = 'correct' | 'check-then-get';

export const REFCOUNT_USE_AFTER_FREE = 1;
export const REFCOUNT_LEAK = 2;

const COUNT = 0;
const FREED = 1;
const UAF = 2;
const OWNER = 3;
const USERS = 4;

export function refcount(n: number, rounds: number, variant: RefcountVariant = 'correct', work = 0): Model {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(rounds) || rounds < 1) {
    throw new Error(`refcount: n and rounds must be positive integers, not n=${n}, rounds=${rounds}`);
  }
  if (!Number.isInteger(work) || work < 0) {
    throw new Error(`refcount: work must be a non-negative integer, not ${work}`);
  }
  const split = variant === 'check-then-get';
  /** Per round: the get (check and increment when split), `work` steps holding, the put. */
  const phases = (split ? 3 : 2) + work;
  const putPhase = phases - 1;
  const done = rounds * phases;

  /** count--, freeing at zero; freeing twice is as much a use after free as touching freed memory. */
  const put = (out: Int32Array): void => {
    if (out[FREED] !== 0) out[UAF] = 1;
    out[COUNT]--;
    if (out[COUNT] === 0) out[FREED] = 1;
  };

  /** What a put (or the split get's increment) reads and writes besides the actor's own word. */
  const touchObject = (reads: Uint32Array, writes: Uint32Array): void => {
    markResource(reads, COUNT);
    markResource(reads, FREED);
    markResource(writes, COUNT);
    markResource(writes, FREED);
    markResource(writes, UAF);
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
      } else if (phase === putPhase) {
        put(out);
      }
      out[USERS + a] = pc + 1;
      return true;
    },
    violation: (s) => (s[UAF] !== 0 ? REFCOUNT_USE_AFTER_FREE : 0),
    quiescent: (s) => (s[FREED] === 0 ? REFCOUNT_LEAK : 0),
    isDaemon: () => false,

    resourceCount: USERS + n,
    observed: [UAF],
    footprint(s, a, reads, writes) {
      const own = a === n ? OWNER : USERS + a;
      markResource(reads, own);
      if (s[own] >= (a === n ? 1 : done)) return;
      markResource(writes, own);
      const phase = a === n ? putPhase : s[own] % phases;
      if (phase === 0) {
        markResource(reads, COUNT);
        if (!split) markResource(writes, COUNT);
      } else if ((phase === 1 && split) || phase === putPhase) {
        touchObject(reads, writes);
      }
    },
    couldTouch(s, a, reads, writes) {
      const own = a === n ? OWNER : USERS + a;
      if (s[own] >= (a === n ? 1 : done)) return;
      // Every round ends in a put, so an actor not done will touch the object again.
      markResource(reads, own);
      markResource(writes, own);
      touchObject(reads, writes);
    },
    canonicalize: (s) => sortBlocks(s, USERS, 1, n),
  };
}
