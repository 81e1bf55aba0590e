/**
 * The same model with its moves offered in another order: what makes the searches of a swarm
 * (swarm.ts) differ.
 *
 * A depth-first search follows the first enabled move of each state down, so which bug it meets
 * first, and how soon, depends on the order of actors and choices. SPIN's swarm verification runs
 * many searches that differ in that order (Holzmann, Joshi and Groce, "Swarm verification
 * techniques", 2011); here each search gets its own permutation of the actors and, per actor,
 * choices forward or backward, both drawn from a seed. The states and transitions are the model's:
 * only their numbering differs, and `originalTrace` translates a trace back. So the model's symmetries
 * are the diversified model's too, and its canonicalize is passed on unchanged: symmetry reduction
 * sees states, never the numbers of moves. Its footprints are too, with the actor renumbered, so that
 * partial-order reduction picks among the same ample sets, in the search's own order of actors.
 */

import type { Model, Transition } from '../../model.ts';

export interface Diversified extends Model {
  /** The same moves, numbered as the original model numbers them. */
  originalTrace(trace: readonly Transition[]): Transition[];
}

/** The model with actors permuted and some actors' choices reversed, drawn from `seed`. */
export function diversify(model: Model, seed: number): Diversified {
  const random = mulberry32(seed);
  const n = model.actorCount;
  /** Actor a of the diversified model is actor `perm[a]` of the original. */
  const perm = Int32Array.from({ length: n }, (_, a) => a);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  /** Whether original actor a's choices are offered last first. */
  const reversed = Uint8Array.from({ length: n }, () => (random() < 0.5 ? 1 : 0));
  const choiceOf = (state: Int32Array, actor: number, choice: number): number =>
    reversed[actor] === 0 ? choice : model.choices(state, actor) - 1 - choice;

  const diversified: Diversified = {
    stateWords: model.stateWords,
    actorCount: n,
    init: (out) => model.init(out),
    choices: (state, a) => model.choices(state, perm[a]),
    step: (src, a, c, out) => model.step(src, perm[a], choiceOf(src, perm[a], c), out),
    violation: (state) => model.violation(state),
    quiescent: (state) => model.quiescent(state),
    isDaemon: (a) => model.isDaemon(perm[a]),
    originalTrace(trace) {
      const state = new Int32Array(model.stateWords);
      const next = new Int32Array(model.stateWords);
      model.init(state);
      return trace.map(({ actor, choice }, k) => {
        const original = { actor: perm[actor], choice: choiceOf(state, perm[actor], choice) };
        if (!model.step(state, original.actor, original.choice, next)) {
          throw new Error(`diversified trace step ${k + 1} is not enabled in the original model`);
        }
        state.set(next);
        return original;
      });
    },
  };
  if (model.canonicalize !== undefined)
    diversified.canonicalize = (state, scratch) => model.canonicalize!(state, scratch);
  // Resources name pieces of the state, not moves: only the actor asked about is renumbered.
  if (model.footprint !== undefined && model.couldTouch !== undefined) {
    const { footprint, couldTouch } = model;
    Object.assign(diversified, {
      resourceCount: model.resourceCount,
      observed: model.observed,
      footprint: (state: Int32Array, a: number, reads: Uint32Array, writes: Uint32Array) =>
        footprint.call(model, state, perm[a], reads, writes),
      couldTouch: (state: Int32Array, a: number, reads: Uint32Array, writes: Uint32Array) =>
        couldTouch.call(model, state, perm[a], reads, writes),
    });
  }
  return diversified;
}

/** A small seeded generator (Tommy Ettinger's Mulberry32): the same seed, the same order. */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
