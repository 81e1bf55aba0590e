/**
 * The smallest model with a daemon: a worker (actor 0) that takes one step, and a daemon (actor 1)
 * that flips a bit for ever. A state where only the daemon can move is quiescent, and quiescent()
 * reports code 7 when the worker is done and the bit is left set: the explorer's engines must find
 * that at depth 2 (the worker's step, then one flip), never waiting for the daemon to stop.
 * A function, so that a worker thread can build it from this module (swarm.ts's ModelSource).
 */

import type { Model } from '../model.ts';

export const withDaemon = (): Model => ({
  stateWords: 2,
  actorCount: 2,
  init: (out) => out.fill(0),
  choices: (s, a) => (a === 1 || s[0] === 0 ? 1 : 0),
  step(src, a, _c, out) {
    out.set(src);
    if (a === 0) out[0] = 1;
    else out[1] ^= 1;
    return true;
  },
  violation: () => 0,
  quiescent: (s) => (s[1] === 1 ? 7 : 0),
  isDaemon: (a) => a === 1,
});
