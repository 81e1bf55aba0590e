/**
 * The explored state graph, kept for the liveness check (cycles.ts): every edge the breadth-first
 * search steps, and for every expanded state which actors wait there (Model.waiting).
 *
 * A safety search needs one parent link per state; a cycle needs every edge. The BFS expands states
 * in the order of their visited-set indices, so the edges of state i are recorded as one run after
 * those of state i - 1 (compressed sparse rows): per edge its target index and packed transition, per
 * state where its run begins and a bitset of its waiting actors. An edge whose target was never stored
 * (cut off by maxDepth) has target -1: it says its actor could move there, and leads nowhere we know.
 *
 * Which actors can move in a state is read from its edges, so that the search computes nothing twice.
 */

import type { Model } from '../model.ts';
import { IntVector } from '../store/vector.ts';

/** The target of an edge to a state the search did not store. */
export const UNSTORED = -1;

export class StateGraph {
  readonly actorCount: number;
  /** Words of one state's waiting bitset: ceil(actorCount / 32). */
  private readonly waitWords: number;
  private readonly model: Model;
  private readonly firstEdge = new IntVector();
  private readonly targets = new IntVector();
  private readonly labels = new IntVector();
  private readonly waits = new IntVector();
  /** Whether any state has a waiting actor: without one there is no livelock to look for. */
  anyWaiting = false;

  constructor(model: Model) {
    this.model = model;
    this.actorCount = model.actorCount;
    this.waitWords = model.waiting === undefined ? 0 : (model.actorCount + 31) >>> 5;
  }

  /** States expanded so far: 0..states-1 have their edges recorded. */
  get states(): number {
    return this.firstEdge.length;
  }

  get edges(): number {
    return this.targets.length;
  }

  get bytes(): number {
    return this.firstEdge.bytes + this.targets.bytes + this.labels.bytes + this.waits.bytes;
  }

  /** Starts the edges of state `index`, which must be the next state in order, and asks who waits in it. */
  begin(index: number, state: Int32Array): void {
    if (index !== this.firstEdge.length) {
      throw new Error(
        `state graph: state ${index} expanded out of order (expected ${this.firstEdge.length})`,
      );
    }
    this.firstEdge.push(this.targets.length);
    for (let w = 0; w < this.waitWords; w++) {
      let bits = 0;
      const end = Math.min(32, this.actorCount - w * 32);
      for (let b = 0; b < end; b++) if (this.model.waiting!(state, w * 32 + b)) bits |= 1 << b;
      if (bits !== 0) this.anyWaiting = true;
      this.waits.push(bits);
    }
  }

  /** Records an edge of the state begun last: to state `to` (or UNSTORED), by packed transition `t`. */
  edge(to: number, t: number): void {
    this.targets.push(to);
    this.labels.push(t);
  }

  /** The edges of state i are `first(i)` up to `first(i + 1)`. */
  first(i: number): number {
    return i < this.firstEdge.length ? this.firstEdge.get(i) : this.targets.length;
  }

  target(e: number): number {
    return this.targets.get(e);
  }

  label(e: number): number {
    return this.labels.get(e);
  }

  /** Whether `actor` waits in state i (false for a state never expanded). */
  isWaiting(i: number, actor: number): boolean {
    if (this.waitWords === 0 || i >= this.firstEdge.length) return false;
    return (this.waits.get(i * this.waitWords + (actor >>> 5)) & (1 << (actor & 31))) !== 0;
  }
}
