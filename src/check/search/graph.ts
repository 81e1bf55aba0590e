/**
 * The reachable state graph of a small model, edges and all, for drawing (svmsim check
 * --dump-dot): a plain breadth-first walk that keeps every state and every transition, up to a cap
 * on states. No reductions: the graph is the model's own. Violating states are kept, not expanded,
 * as the search treats them.
 */
import type { Model, Transition } from '../model.ts';

export interface StateGraph {
  /** states[0] is the initial state; a state's index is the order BFS reached it in. */
  states: Int32Array[];
  /** The BFS tree: the state each state was first reached from (-1 for the initial state). */
  parent: Int32Array;
  edges: { from: number; to: number; move: Transition }[];
  /** Per state: its violation code (0 none), and whether it was found as a quiescent (end) violation. */
  violation: Int32Array;
  quiescent: Uint8Array;
  /** True when the cap stopped the walk: states past it, and edges to them, are missing. */
  truncated: boolean;
}

export function stateGraph(model: Model, maxStates: number): StateGraph {
  const index = new Map<string, number>();
  const states: Int32Array[] = [];
  const parents: number[] = [];
  const edges: StateGraph['edges'] = [];
  const codes: number[] = [];
  const ends: number[] = [];
  let truncated = false;
  const key = (s: Int32Array) => Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString('base64');
  const add = (s: Int32Array, parent: number): number => {
    const k = key(s);
    const known = index.get(k);
    if (known !== undefined) return known;
    if (states.length >= maxStates) {
      truncated = true;
      return -1;
    }
    index.set(k, states.length);
    states.push(s);
    parents.push(parent);
    codes.push(model.violation(s));
    ends.push(0);
    return states.length - 1;
  };
  const init = new Int32Array(model.stateWords);
  model.init(init);
  add(init, -1);
  for (let i = 0; i < states.length; i++) {
    if (codes[i] !== 0) continue;
    const s = states[i];
    let busy = false;
    for (let a = 0; a < model.actorCount; a++) {
      const n = model.choices(s, a);
      for (let c = 0; c < n; c++) {
        const next = new Int32Array(model.stateWords);
        if (!model.step(s, a, c, next)) continue;
        if (!model.isDaemon(a)) busy = true;
        const to = add(next, i);
        if (to >= 0) edges.push({ from: i, to, move: { actor: a, choice: c } });
      }
    }
    if (!busy) {
      const end = model.quiescent(s);
      if (end !== 0) {
        codes[i] = end;
        ends[i] = 1;
      }
    }
  }
  return {
    states,
    parent: Int32Array.from(parents),
    edges,
    violation: Int32Array.from(codes),
    quiescent: Uint8Array.from(ends),
    truncated,
  };
}
