/**
 * Livelocks: cycles of reachable states along which an actor waits for ever (Model.waiting) while the
 * system keeps moving, under weak fairness. SPIN's non-progress cycles (`-l`), with "progress" being
 * the waiting actor getting what it waits for; TLC's liveness checking with WF on every actor.
 *
 * A cycle is a finding when
 *   1. some actor w waits in every state of it: the event w waits for never comes;
 *   2. some non-daemon actor moves in it: the system keeps moving (a daemon's background work, a
 *      cache fill, is not progress; a state where only daemons can move is quiescent, and the
 *      safety search judges it there);
 *   3. it is weakly fair: every actor enabled in every state of the cycle takes a step in it. An actor
 *      that could move all along and is never scheduled is an artefact of an unfair scheduler, not a
 *      bug (a real scheduler runs it eventually), so such a cycle is no finding.
 *
 * The check runs on the explored graph (graph.ts). For each actor w, the states where w waits form a
 * subgraph; Tarjan's algorithm splits it into strongly connected components, and a component holds a
 * cycle meeting 1-3 exactly when it has a cycle at all, a non-daemon edge inside it, and every actor
 * either steps inside it or is disabled in one of its states. (If so, a cycle through all its states
 * and edges is fair; if an actor is enabled in all its states and never steps inside it, no cycle in
 * it is fair, so no finer decomposition is needed, as it would be for strong fairness.)
 *
 * The lasso reported for w starts its cycle at the component's least visited index. BFS numbers states
 * in order of depth, so that is the state with the shortest stem among all of w's livelocks; the stem
 * is its BFS trace. The cycle is built greedily inside the component: from the entry, go by the
 * shortest path to the nearest edge or state that discharges some obligation still open (an actor
 * that must step or be seen disabled, a non-daemon move), until none is left, then back to the entry.
 */

import { transitionActor } from '../model.ts';
import { type StateGraph, UNSTORED } from './graph.ts';

export interface FoundLasso {
  /** The actor that waits in every state of the cycle. */
  waiter: number;
  /** Visited index of the state where the cycle begins and ends: the stem leads here. */
  entry: number;
  /** The cycle's packed transitions, from the entry back to it. */
  cycle: number[];
}

export interface LivelockSearch {
  /** One lasso per actor that can wait for ever, shortest stem first. */
  lassos: FoundLasso[];
  /** States that lie on some cycle of the graph, livelock or not. */
  cyclicStates: number;
  /** States in which some actor waits. */
  waitingStates: number;
}

export function findLivelocks(graph: StateGraph, daemon: Uint8Array): LivelockSearch {
  const n = graph.states;
  const compOf = new Int32Array(n);
  let cyclicStates = 0;
  components(
    graph,
    () => true,
    compOf,
    (comp) => {
      if (cyclic(graph, comp)) cyclicStates += comp.length;
    },
  );
  let waitingStates = 0;
  const lassos: FoundLasso[] = [];
  if (!graph.anyWaiting) return { lassos, cyclicStates, waitingStates };
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < graph.actorCount; a++) {
      if (graph.isWaiting(i, a)) {
        waitingStates++;
        break;
      }
    }
  }
  for (let w = 0; w < graph.actorCount; w++) {
    let best: { entry: number; id: number } | null = null;
    components(
      graph,
      (i) => graph.isWaiting(i, w),
      compOf,
      (comp, id) => {
        if (!cyclic(graph, comp) || !fair(graph, comp, compOf, id, daemon)) return;
        let entry = comp[0];
        for (const v of comp) if (v < entry) entry = v;
        if (best === null || entry < best.entry) best = { entry, id };
      },
    );
    if (best === null) continue;
    const { entry, id } = best;
    lassos.push({ waiter: w, entry, cycle: cycleThrough(graph, entry, compOf, id, daemon) });
  }
  lassos.sort((x, y) => x.entry - y.entry || x.waiter - y.waiter);
  return { lassos, cyclicStates, waitingStates };
}

/**
 * Tarjan's strongly connected components of the subgraph of expanded states where `member` holds,
 * iteratively (a recursive walk would overflow on a long path). Each component is passed to `visit`
 * as it completes, with its members' compOf set to its id; compOf of non-members is -1.
 */
function components(
  graph: StateGraph,
  member: (i: number) => boolean,
  compOf: Int32Array,
  visit: (comp: number[], id: number) => void,
): void {
  const n = graph.states;
  compOf.fill(-1);
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  let sp = 0;
  let csp = 0;
  let counter = 0;
  let id = 0;
  const enter = (v: number): void => {
    order[v] = low[v] = counter++;
    stack[sp++] = v;
    onStack[v] = 1;
    callNode[csp] = v;
    callEdge[csp++] = graph.first(v);
  };
  for (let root = 0; root < n; root++) {
    if (order[root] >= 0 || !member(root)) continue;
    enter(root);
    while (csp > 0) {
      const v = callNode[csp - 1];
      const e = callEdge[csp - 1];
      if (e < graph.first(v + 1)) {
        callEdge[csp - 1] = e + 1;
        const t = graph.target(e);
        if (t === UNSTORED || t >= n || !member(t)) continue;
        if (order[t] < 0) enter(t);
        else if (onStack[t] !== 0 && order[t] < low[v]) low[v] = order[t];
        continue;
      }
      csp--;
      if (csp > 0) {
        const u = callNode[csp - 1];
        if (low[v] < low[u]) low[u] = low[v];
      }
      if (low[v] !== order[v]) continue;
      const comp: number[] = [];
      let x: number;
      do {
        x = stack[--sp];
        onStack[x] = 0;
        compOf[x] = id;
        comp.push(x);
      } while (x !== v);
      visit(comp, id++);
    }
  }
}

/** Whether a component holds a cycle: more than one state, or a state with an edge to itself. */
function cyclic(graph: StateGraph, comp: readonly number[]): boolean {
  if (comp.length > 1) return true;
  const v = comp[0];
  for (let e = graph.first(v); e < graph.first(v + 1); e++) if (graph.target(e) === v) return true;
  return false;
}

/** Whether `t` is a state of component `id`. */
const inside = (graph: StateGraph, compOf: Int32Array, id: number, t: number): boolean =>
  t !== UNSTORED && t < graph.states && compOf[t] === id;

/** Marks in `enabled` the actors that have a move in state v. */
function enabledIn(graph: StateGraph, v: number, enabled: Uint8Array): void {
  enabled.fill(0);
  for (let e = graph.first(v); e < graph.first(v + 1); e++) enabled[transitionActor(graph.label(e))] = 1;
}

/**
 * Whether component `id` holds a weakly fair cycle with a non-daemon move: every actor steps inside it
 * or is disabled in one of its states, and some non-daemon actor steps inside it.
 */
function fair(
  graph: StateGraph,
  comp: readonly number[],
  compOf: Int32Array,
  id: number,
  daemon: Uint8Array,
): boolean {
  const actors = graph.actorCount;
  const stepped = new Uint8Array(actors);
  const disabled = new Uint8Array(actors);
  const enabled = new Uint8Array(actors);
  let moving = false;
  for (const v of comp) {
    enabledIn(graph, v, enabled);
    for (let a = 0; a < actors; a++) if (enabled[a] === 0) disabled[a] = 1;
    for (let e = graph.first(v); e < graph.first(v + 1); e++) {
      if (!inside(graph, compOf, id, graph.target(e))) continue;
      const a = transitionActor(graph.label(e));
      stepped[a] = 1;
      if (daemon[a] === 0) moving = true;
    }
  }
  if (!moving) return false;
  for (let a = 0; a < actors; a++) if (stepped[a] === 0 && disabled[a] === 0) return false;
  return true;
}

/** A fair cycle through `entry` inside component `id` (known to hold one), as packed transitions. */
function cycleThrough(
  graph: StateGraph,
  entry: number,
  compOf: Int32Array,
  id: number,
  daemon: Uint8Array,
): number[] {
  const actors = graph.actorCount;
  const pending = new Uint8Array(actors).fill(1);
  let open = actors;
  let needMove = true;
  const enabled = new Uint8Array(actors);
  const seeState = (v: number): void => {
    enabledIn(graph, v, enabled);
    for (let a = 0; a < actors; a++) {
      if (pending[a] !== 0 && enabled[a] === 0) {
        pending[a] = 0;
        open--;
      }
    }
  };
  const discharges = (e: number): boolean => {
    const a = transitionActor(graph.label(e));
    if (pending[a] !== 0 || (needMove && daemon[a] === 0)) return true;
    enabledIn(graph, graph.target(e), enabled);
    for (let b = 0; b < actors; b++) if (pending[b] !== 0 && enabled[b] === 0) return true;
    return false;
  };
  const cycle: number[] = [];
  let cur = entry;
  seeState(entry);
  while (open > 0 || needMove) {
    for (const e of pathWithin(graph, cur, compOf, id, discharges)) {
      const a = transitionActor(graph.label(e));
      cycle.push(graph.label(e));
      if (pending[a] !== 0) {
        pending[a] = 0;
        open--;
      }
      if (daemon[a] === 0) needMove = false;
      cur = graph.target(e);
      seeState(cur);
    }
  }
  if (cur !== entry) {
    for (const e of pathWithin(graph, cur, compOf, id, (e) => graph.target(e) === entry)) {
      cycle.push(graph.label(e));
    }
  }
  return cycle;
}

/**
 * The edges of a shortest path inside component `id` from `src` that ends with an edge `goal` accepts.
 * The component is strongly connected and the caller knows such an edge exists in it.
 */
function pathWithin(
  graph: StateGraph,
  src: number,
  compOf: Int32Array,
  id: number,
  goal: (e: number) => boolean,
): number[] {
  /** For each state reached: the edge that reached it and the state it came from (-1 at src). */
  const via = new Map<number, { edge: number; from: number }>([[src, { edge: -1, from: -1 }]]);
  const queue = [src];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (let e = graph.first(v); e < graph.first(v + 1); e++) {
      const t = graph.target(e);
      if (!inside(graph, compOf, id, t)) continue;
      if (goal(e)) {
        const path = [e];
        for (let u = v; u !== src; ) {
          const { edge, from } = via.get(u)!;
          path.push(edge);
          u = from;
        }
        return path.reverse();
      }
      if (!via.has(t)) {
        via.set(t, { edge: e, from: v });
        queue.push(t);
      }
    }
  }
  throw new Error(
    `livelock search: no path inside the component from state ${src}; the graph is inconsistent`,
  );
}
