/**
 * A livelock as a user reads it: a lasso, the stem from the initial state to the state where the cycle
 * begins, then the cycle back to that state. Rebuilt from the visited set (the stem: the BFS trace to
 * the entry) and the cycle search's edges, then replayed against the model to confirm it, as a safety
 * trace is (search.ts): the cycle must close, its actor must wait all along it, and it must be fair.
 */

import { type Model, type Transition, transitionActor, transitionChoice } from '../model.ts';
import type { VisitedSet } from '../store/visited.ts';
import { replay, traceTo } from '../trace/trace.ts';
import type { FoundLasso } from './cycles.ts';

export interface Lasso {
  /** From the initial state to the state where the cycle begins. */
  stem: Transition[];
  /** From that state back to it. */
  cycle: Transition[];
  /** The actors that wait in every state of the cycle, in order (the one the violation code names among them). */
  waiting: number[];
}

export function lassoOf(model: Model, visited: VisitedSet, found: FoundLasso): Lasso {
  const stem = traceTo(visited, found.entry);
  const cycle = found.cycle.map((t) => ({ actor: transitionActor(t), choice: transitionChoice(t) }));
  const states = replay(model, [...stem, ...cycle]);
  const loop = states.slice(stem.length);
  const fail = (what: string): Error =>
    new Error(
      `the livelock cycle of actor ${found.waiter} ${what} on replay: the model must compute init, step ` +
        'and waiting from the state vector alone' +
        (visited.compacted ? ' (or a hash-compaction collision occurred; rerun without it)' : ''),
    );
  if (!sameState(loop[0], loop[loop.length - 1])) throw fail('does not return to its first state');
  loop.pop();
  const waiting: number[] = [];
  for (let a = 0; a < model.actorCount; a++) {
    if (loop.every((s) => model.waiting?.(s, a) === true)) waiting.push(a);
  }
  if (!waiting.includes(found.waiter)) throw fail('does not wait all along');
  if (!cycle.some((t) => !model.isDaemon(t.actor))) throw fail('has no move by a non-daemon actor');
  const next = new Int32Array(model.stateWords);
  const disabled = (s: Int32Array, a: number): boolean => {
    const n = model.choices(s, a);
    for (let c = 0; c < n; c++) if (model.step(s, a, c, next)) return false;
    return true;
  };
  for (let a = 0; a < model.actorCount; a++) {
    if (cycle.some((t) => t.actor === a) || loop.some((s) => disabled(s, a))) continue;
    throw fail(`is not fair (actor ${a} could move all along and never does)`);
  }
  return { stem, cycle, waiting };
}

function sameState(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
