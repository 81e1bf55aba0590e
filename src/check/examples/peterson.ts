/**
 * Peterson's mutual exclusion for two processes, looping forever, one shared-variable access per step.
 *
 * State: [pc0, pc1, flag0, flag1, turn]. Process i (j = 1 - i), correct order:
 *   pc 0: flag[i] = 1
 *   pc 1: turn = j
 *   pc 2: if flag[j] == 0 goto 4 else goto 3
 *   pc 3: if turn == i goto 4 else goto 2
 *   pc 4: critical section; flag[i] = 0, goto 0
 * The 'turn-first' variant swaps pc 0 and pc 1 (hand the turn over, then raise the flag): the other
 * process can then read the flag still down, enter, and be joined by this one, which finds the turn
 * handed back to it. Both at pc 4 is the violation.
 *
 * Reachable states: 32 for the correct order, 48 for turn-first (counted by hand in peterson.test.ts).
 */

import type { Model } from '../model.ts';

export type PetersonVariant = 'correct' | 'turn-first';

export const PETERSON_BOTH_CRITICAL = 1;

const CRITICAL = 4;
const FLAG = 2;
const TURN = 4;

export function peterson(variant: PetersonVariant = 'correct'): Model {
  const turnFirst = variant === 'turn-first';
  return {
    stateWords: 5,
    actorCount: 2,
    init(out) {
      out.fill(0);
    },
    choices: () => 1,
    step(src, i, _choice, out) {
      const j = 1 - i;
      out.set(src);
      switch (src[i]) {
        case 0:
          if (turnFirst) out[TURN] = j;
          else out[FLAG + i] = 1;
          out[i] = 1;
          break;
        case 1:
          if (turnFirst) out[FLAG + i] = 1;
          else out[TURN] = j;
          out[i] = 2;
          break;
        case 2:
          out[i] = src[FLAG + j] === 0 ? CRITICAL : 3;
          break;
        case 3:
          out[i] = src[TURN] === i ? CRITICAL : 2;
          break;
        default:
          out[FLAG + i] = 0;
          out[i] = 0;
      }
      return true;
    },
    violation: (s) => (s[0] === CRITICAL && s[1] === CRITICAL ? PETERSON_BOTH_CRITICAL : 0),
    quiescent: () => 0,
    isDaemon: () => false,
  };
}
