/**
 * Counterexample traces: rebuilt from the visited set's parent links, and replayed against a model
 * to recover the states along them (for printing, and to load a trace file written by another run).
 */

import { MAX_CHOICES, type Model, type Transition, transitionActor, transitionChoice } from '../model.ts';
import type { VisitedSet } from '../store/visited.ts';

/** The transitions from the initial state (index 0) to state `index`, following parent links. */
export function traceTo(visited: VisitedSet, index: number): Transition[] {
  const packed: number[] = [];
  for (let i = index; i !== 0; i = visited.parentOf(i)) packed.push(visited.transitionOf(i));
  packed.reverse();
  return packed.map((t) => ({ actor: transitionActor(t), choice: transitionChoice(t) }));
}

/**
 * The states along `trace`: element 0 is the initial state, element k the state after step k.
 * Throws, naming the step, when a step is not enabled where the trace takes it: the trace belongs to
 * another model or variant, or the model is not a function of its state vector.
 */
export function replay(model: Model, trace: readonly Transition[]): Int32Array[] {
  const states: Int32Array[] = [];
  walk(model, trace, (state) => states.push(state.slice()));
  return states;
}

/** The state at the end of `trace`, without keeping the ones along it. Throws as `replay` does. */
export function finalState(model: Model, trace: readonly Transition[]): Int32Array {
  let last: Int32Array = new Int32Array(model.stateWords);
  walk(model, trace, (state) => {
    last = state;
  });
  return last.slice();
}

function walk(model: Model, trace: readonly Transition[], visit: (state: Int32Array) => void): void {
  let state = new Int32Array(model.stateWords);
  let next = new Int32Array(model.stateWords);
  model.init(state);
  visit(state);
  trace.forEach(({ actor, choice }, k) => {
    const where = `trace step ${k + 1} (actor ${actor}, choice ${choice})`;
    if (!Number.isInteger(actor) || actor < 0 || actor >= model.actorCount) {
      throw new Error(`${where}: no such actor; the model has actors 0..${model.actorCount - 1}`);
    }
    if (!Number.isInteger(choice) || choice < 0 || choice >= MAX_CHOICES) {
      throw new Error(`${where}: a choice must be an integer in 0..${MAX_CHOICES - 1}`);
    }
    if (choice >= model.choices(state, actor) || !model.step(state, actor, choice, next)) {
      throw new Error(`${where}: this move is not enabled in the state reached after step ${k}`);
    }
    [state, next] = [next, state];
    visit(state);
  });
}
