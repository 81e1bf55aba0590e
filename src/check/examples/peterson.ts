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
 *
 * A process waits (Model.waiting) from its first step of the entry protocol until it enters. Peterson's
 * algorithm is starvation-free under weak fairness: its waiting loop (pc 2, 3) can run for ever only
 * while the other process never moves, so the liveness check finds no livelock (livelock.test.ts).
 *
 * Footprints are declared, each word a resource, but partial-order reduction finds nothing to reduce:
 * every move writes its process's pc, which violation() reads. That is the visibility condition at
 * work, not a shortcoming of the footprints. The two processes are symmetric only together with
 * renaming the value of turn, and the model does not canonicalize.
 */

import { type Model, markResource } from '../model.ts';

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
    // Trying to enter: past its first step of the entry protocol, not yet in the critical section.
    waiting: (s, i) => s[i] >= 1 && s[i] < CRITICAL,

    resourceCount: 5,
    observed: [0, 1],
    footprint(s, i, reads, writes) {
      const j = 1 - i;
      markResource(reads, i);
      markResource(writes, i);
      const pc = s[i];
      if (pc === 0 || pc === 1) markResource(writes, (pc === 0) !== turnFirst ? FLAG + i : TURN);
      else if (pc === 2) markResource(reads, FLAG + j);
      else if (pc === 3) markResource(reads, TURN);
      else markResource(writes, FLAG + i);
    },
    couldTouch(_s, i, reads, writes) {
      // It loops for ever, so its future is every resource it ever touches.
      markResource(reads, i);
      markResource(reads, FLAG + 1 - i);
      markResource(reads, TURN);
      markResource(writes, i);
      markResource(writes, FLAG + i);
      markResource(writes, TURN);
    },
  };
}
