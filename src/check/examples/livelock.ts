/**
 * SPIN's textbook non-progress cycles, as checker models with Model.waiting: small systems that never
 * settle, where an actor waits for ever although the others keep moving, and look-alikes where it
 * only seems to (the search must tell them apart by weak fairness). Answers derived by hand in
 * livelock.test.ts.
 *
 * flagWait: a waiter (actor 0) blocked until a flag is set, a setter (actor 1) that runs once, and a
 * ticker (actor 2) that flips a bit for ever. State [waiter pc, setter pc, flag, tick].
 *   Promela: `active proctype W() { flag == 1 }`  `active proctype S() { ... }`
 *            `active proctype T() { do :: tick = 1 - tick od }`
 * The waiter either blocks (no move until the flag is up) or spins, SPIN's
 * `do :: flag == 1 -> break :: else -> skip od` as two steps, pc 0 (test: up, done at pc 2; down, pc 1)
 * and pc 1 (back to pc 0); a spinning waiter moves all along, and weak fairness then asks it to.
 * Variants of the setter:
 *   'never-set'      does its work and forgets the flag: once it has, the waiter waits for ever while
 *                    the ticker ticks, a livelock (stem: the setter's step; cycle: two ticks);
 *   'set'            sets the flag. The waiter starves only if the setter is never scheduled though it
 *                    could run all along: an unfair schedule, not a finding under weak fairness;
 *   'set-when-even'  sets it, but can only when tick is 0. The ticker can flip past every chance, and
 *                    since the setter is not continuously enabled, weak fairness does not oblige the
 *                    scheduler to run it: a livelock from the initial state (only strong fairness,
 *                    which the checker does not assume, would rule it out).
 *
 * politeRetry: two actors that each raise a flag, back off when they see the other's raised, and retry:
 *   pc 0: flag[i] = 1    pc 1: flag[j] == 1 ? goto 2 : goto 3    pc 2: flag[i] = 0, goto 0
 *   pc 3: flag[i] = 0 (done with the critical section)           pc 4: done
 * State [pc0, pc1, flag0, flag1]; an actor waits at pc 0-2. In lock step both retry for ever, each
 * taking its turn: a fair livelock from the initial state, the classic "after you" in a doorway.
 */

import type { Model } from '../model.ts';

export type FlagWaitVariant = 'never-set' | 'set' | 'set-when-even';
export type Waiter = 'blocks' | 'spins';

const WAITER = 0;
const SETTER = 1;
const FLAG = 2;
const TICK = 3;

export function flagWait(variant: FlagWaitVariant, waiter: Waiter = 'blocks'): Model {
  return {
    stateWords: 4,
    actorCount: 3,
    init: (out) => out.fill(0),
    choices: () => 1,
    step(src, a, _c, out) {
      out.set(src);
      if (a === WAITER && waiter === 'blocks') {
        if (src[WAITER] !== 0 || src[FLAG] === 0) return false;
        out[WAITER] = 1;
      } else if (a === WAITER) {
        if (src[WAITER] === 2) return false;
        out[WAITER] = src[WAITER] === 1 ? 0 : src[FLAG] === 1 ? 2 : 1;
      } else if (a === SETTER) {
        if (src[SETTER] !== 0 || (variant === 'set-when-even' && src[TICK] !== 0)) return false;
        out[SETTER] = 1;
        if (variant !== 'never-set') out[FLAG] = 1;
      } else {
        out[TICK] = 1 - src[TICK];
      }
      return true;
    },
    violation: () => 0,
    quiescent: () => 0,
    isDaemon: () => false,
    waiting: (s, a) => a === WAITER && s[WAITER] < (waiter === 'blocks' ? 1 : 2),
  };
}

const DONE = 4;

export function politeRetry(): Model {
  return {
    stateWords: 4,
    actorCount: 2,
    init: (out) => out.fill(0),
    choices: () => 1,
    step(src, i, _c, out) {
      const j = 1 - i;
      out.set(src);
      switch (src[i]) {
        case 0:
          out[2 + i] = 1;
          out[i] = 1;
          return true;
        case 1:
          out[i] = src[2 + j] === 1 ? 2 : 3;
          return true;
        case 2:
          out[2 + i] = 0;
          out[i] = 0;
          return true;
        case 3:
          out[2 + i] = 0;
          out[i] = DONE;
          return true;
        default:
          return false;
      }
    },
    violation: () => 0,
    quiescent: () => 0,
    isDaemon: () => false,
    waiting: (s, i) => s[i] < 3,
  };
}
