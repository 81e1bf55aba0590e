/**
 * Symmetry reduction: the explorer stores one representative per orbit of states, the state the
 * model's canonicalize maps every member of the orbit to (Emerson and Sistla 1996; SPIN's symmetry
 * extensions). With N interchangeable actors an orbit holds up to N! states, so the stored graph
 * shrinks by up to that much. Violations survive because the model's symmetries preserve violation()
 * and quiescent() and map moves to moves: the representative of a violating state violates alike,
 * and it is reachable in the quotient exactly when a member of its orbit is reachable in full.
 *
 * A stored trace is a path through representatives: each transition was taken from a representative,
 * and its successor then canonicalized, so the next transition applies to a state that is in general
 * not the concrete one. `concretize` turns it back into a path from the model's initial state: it
 * replays concretely, and at each step takes the move whose successor canonicalizes to the stored
 * one. Such a move exists because the concrete state and the stored one are in one orbit, and the
 * symmetry relating them maps the stored move to it. The concrete trace has the same length and ends
 * in a state of the violating state's orbit, so it violates with the same kind and code.
 */

import { MAX_CHOICES, type Model, type Transition } from '../model.ts';

/**
 * The concrete trace from the initial state that follows `recorded`, a trace through representatives
 * as the explorer stores it with symmetry reduction on. Among the moves that fit it prefers the actor
 * of the previous step (fewer switches read better), then the recorded actor, then the lowest.
 */
export function concretize(model: Model, recorded: readonly Transition[]): Transition[] {
  const w = model.stateWords;
  const scratch = new Int32Array(w);
  const canonical = (s: Int32Array): Int32Array => {
    model.canonicalize!(s, scratch);
    return s;
  };
  const stored = new Int32Array(w);
  const state = new Int32Array(w);
  const nextStored = new Int32Array(w);
  const next = new Int32Array(w);
  const image = new Int32Array(w);
  model.init(stored);
  canonical(stored);
  model.init(state);

  /** Whether `actor` taking `choice` in `state` leads to the orbit of `nextStored`. */
  const reaches = (actor: number, choice: number): boolean => {
    if (!model.step(state, actor, choice, next)) return false;
    image.set(next);
    canonical(image);
    for (let k = 0; k < w; k++) if (image[k] !== nextStored[k]) return false;
    return true;
  };

  const trace: Transition[] = [];
  recorded.forEach(({ actor, choice }, k) => {
    if (!model.step(stored, actor, choice, nextStored)) {
      throw new Error(
        `symmetry: stored trace step ${k + 1} (actor ${actor}, choice ${choice}) is not enabled again: the model must compute its moves from the state vector alone`,
      );
    }
    canonical(nextStored);
    const order = [
      trace.at(-1)?.actor ?? actor,
      actor,
      ...Array.from({ length: model.actorCount }, (_, a) => a),
    ];
    let move: Transition | null = null;
    for (let i = 0; i < order.length && move === null; i++) {
      const choices = Math.min(model.choices(state, order[i]), MAX_CHOICES);
      for (let c = 0; c < choices && move === null; c++)
        if (reaches(order[i], c)) move = { actor: order[i], choice: c };
    }
    if (move === null) {
      throw new Error(
        `symmetry: at trace step ${k + 1} no move of the concrete state reaches the orbit the search ` +
          'stored: canonicalize must give every member of an orbit the same representative, and the ' +
          'permutations it applies must map the moves of every state to the moves of its image',
      );
    }
    model.step(state, move.actor, move.choice, next);
    state.set(next);
    stored.set(nextStored);
    trace.push(move);
  });
  return trace;
}

/**
 * Sorts `count` blocks of `blockWords` words, the first at `start`, into lexicographic order in place;
 * returns whether anything moved. The orbit representative for interchangeable actors whose state is
 * one block each, when nothing else in the state names an actor (a lock owner, a waiter's id, say:
 * those would have to be renamed along with the blocks).
 */
export function sortBlocks(state: Int32Array, start: number, blockWords: number, count: number): boolean {
  let moved = false;
  for (let i = 1; i < count; i++) {
    for (let j = i; j > 0 && compareBlocks(state, start + (j - 1) * blockWords, blockWords) > 0; j--) {
      const a = start + (j - 1) * blockWords;
      for (let k = 0; k < blockWords; k++) {
        const t = state[a + k];
        state[a + k] = state[a + blockWords + k];
        state[a + blockWords + k] = t;
      }
      moved = true;
    }
  }
  return moved;
}

/** Compares the block at `a` with the one after it. */
function compareBlocks(state: Int32Array, a: number, blockWords: number): number {
  for (let k = 0; k < blockWords; k++) {
    const d = state[a + k] - state[a + blockWords + k];
    if (d !== 0) return d;
  }
  return 0;
}
