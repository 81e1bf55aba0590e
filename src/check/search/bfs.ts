/**
 * Breadth-first search: levels in order of depth, so the first violation found has a shortest trace.
 *
 * States get visited-set indices in BFS order, so the queue is just the index range [head, size): in
 * exact mode the states are read back from the visited set's arena, and with hash compaction (where
 * the set keeps no states) from a StateArena of our own whose expanded chunks are freed as we go.
 *
 * Among traces of equal length the one with fewer actor switches reads better, so every state keeps
 * the switch count of its best known trace. A state of the next level can still be reached more
 * cheaply while the current level is expanded; its parent is then moved. This is greedy: one (switches,
 * last actor) label per state, so it finds the fewest switches given each parent's kept label, not
 * always the global minimum (that would need a label per state and last actor).
 *
 * A violation does not end the search at once: the rest of its level is expanded so that its parent
 * links and any equally short violation are final, then the search stops (or with findAll goes on,
 * never expanding a violating state).
 *
 * With partial-order reduction a state is first expanded through an ample set (por.ts); when one of
 * its moves leads back to the current or an earlier level, the cycle proviso has the state expanded
 * fully. With symmetry reduction every successor is canonicalized before it is looked up or stored.
 *
 * For the liveness check (search.ts) every edge is recorded in a StateGraph as it is stepped, lookups
 * at maxDepth included; the reductions are then off.
 */

import type { StateGraph } from '../liveness/graph.ts';
import { MAX_CHOICES, type Model, packTransition, transitionActor } from '../model.ts';
import { AmpleSets } from '../reduce/por.ts';
import { StateArena } from '../store/arena.ts';
import { IntVector } from '../store/vector.ts';
import { NO_PARENT, VisitedSet } from '../store/visited.ts';
import { type Engine, type EngineConfig, type ReductionCounts, tooManyChoices } from './engine.ts';
import { Findings } from './findings.ts';

/** Poll the clock every this many expansions: rare enough to cost nothing, often enough for 50 ms. */
const CLOCK_EVERY = 16;

export class BreadthFirst implements Engine {
  readonly visited: VisitedSet;
  readonly findings: Findings;
  transitions = 0;
  depth = 0;
  cutBy: 'max-states' | 'max-depth' | null = null;
  readonly reduced: ReductionCounts = { ampleStates: 0, provisoFallbacks: 0, canonicalized: 0 };
  private readonly model: Model;
  private readonly config: EngineConfig;
  private readonly queue: StateArena;
  private readonly switches = new IntVector();
  private readonly daemon: Uint8Array;
  private readonly cur: Int32Array;
  private readonly next: Int32Array;
  private readonly ample: AmpleSets | null;
  private readonly symmetric: boolean;
  private readonly scratch: Int32Array;
  private readonly graph: StateGraph | null;
  /** Set per expansion: whether its successors are only looked up (at maxDepth). */
  private lookupOnly = false;
  /** Set while an ample set is expanded; `revisited` when one of its moves led to this level or an
   * earlier one, which the cycle proviso forbids. */
  private ampleMode = false;
  private revisited = false;
  /** Next index to expand. */
  private head = 0;
  /** First index of the current level, and first index of the next. */
  private levelStart = 0;
  private levelEnd = 1;
  private done = false;
  /** Whether to skip violating states when expanding: they are only ever reached here with findAll
   * or a target, as otherwise the search ends with the level that found them. */
  private readonly prune: boolean;

  constructor(model: Model, config: EngineConfig) {
    this.model = model;
    this.config = config;
    this.prune = config.findAll || config.target !== null;
    this.visited = new VisitedSet(model.stateWords, { hashCompaction: config.hashCompaction });
    this.findings = new Findings(config.target);
    this.queue = this.visited.arena ?? new StateArena(model.stateWords);
    this.daemon = Uint8Array.from({ length: model.actorCount }, (_, a) => (model.isDaemon(a) ? 1 : 0));
    this.cur = new Int32Array(model.stateWords);
    this.next = new Int32Array(model.stateWords);
    this.ample = config.por ? new AmpleSets(model) : null;
    this.symmetric = config.symmetry;
    this.scratch = new Int32Array(model.stateWords);
    this.graph = config.graph ?? null;

    const init = this.cur;
    model.init(init);
    if (this.symmetric) model.canonicalize!(init, this.scratch);
    this.visited.add(init, NO_PARENT, NO_PARENT);
    if (this.visited.arena === null) this.queue.append(init);
    this.switches.push(0);
    const v = model.violation(init);
    if (v !== 0) {
      if (this.findings.wants('state', v)) this.findings.record('state', v, 0, 0);
      this.finish();
    }
  }

  get queued(): number {
    return this.visited.size - this.head;
  }

  get maxDepth(): number {
    return this.visited.size > this.levelEnd ? this.depth + 1 : this.depth;
  }

  get bytes(): number {
    const queue = this.visited.arena === null ? this.queue.bytes : 0;
    return (
      this.visited.bytes + queue + this.switches.bytes + (this.ample?.bytes ?? 0) + (this.graph?.bytes ?? 0)
    );
  }

  runSlice(deadline: number): boolean {
    let polls = 0;
    while (!this.done) {
      if (this.head === this.levelEnd && !this.nextLevel()) break;
      if (++polls % CLOCK_EVERY === 0 && performance.now() >= deadline) break;
      this.expand(this.head++);
    }
    if (this.visited.arena === null) this.queue.release(this.head);
    this.switches.release(this.levelStart);
    return this.done;
  }

  /**
   * Called when the current level is fully expanded: its findings and the next level's parents are
   * now final. Ends the search (returning false) when it has found what it looked for or has nothing
   * left to expand.
   */
  private nextLevel(): boolean {
    this.settle();
    if ((this.findings.any && !this.config.findAll) || this.visited.size === this.levelEnd) {
      this.done = true;
      return false;
    }
    this.depth++;
    this.levelStart = this.levelEnd;
    this.levelEnd = this.visited.size;
    return true;
  }

  private expand(i: number): void {
    const { model, cur, daemon } = this;
    // Only this method writes `cur`, so the arena may copy just the blocks that differ from the
    // state expanded before (usually a sibling).
    this.queue.copyOver(i, cur);
    this.graph?.begin(i, cur);
    if (this.prune && model.violation(cur) !== 0) return;
    this.lookupOnly = this.depth >= this.config.maxDepth;
    const lastActor = i === 0 ? -1 : transitionActor(this.visited.transitionOf(i));
    const switches = this.switches.get(i);
    const actors = model.actorCount;
    let expanded = -1;
    if (this.ample !== null) {
      expanded = this.expandAmple(i, lastActor, switches);
      if (expanded === -2) return;
      if (expanded >= 0 && !this.revisited) {
        this.reduced.ampleStates++;
        return;
      }
      if (expanded >= 0) this.reduced.provisoFallbacks++;
    }
    // An ample actor has moved, and it is no daemon: the state is not quiescent.
    let moved = expanded >= 0;
    for (let a = 0; a < actors; a++) {
      if (a === expanded) continue;
      const moves = this.expandActor(i, a, a === lastActor || lastActor < 0 ? switches : switches + 1);
      if (moves < 0) return;
      if (moves > 0 && daemon[a] === 0) moved = true;
    }
    if (!moved) {
      const q = model.quiescent(cur);
      if (q !== 0 && this.findings.wants('quiescent', q)) this.findings.record('quiescent', q, i, this.depth);
    }
  }

  /**
   * Expands state i through the first ample set whose actor can move. Returns that actor (with
   * `revisited` telling whether the proviso rejects the set), -1 when there is none, or -2 when
   * maxStates ended the search.
   */
  private expandAmple(i: number, lastActor: number, switches: number): number {
    const ample = this.ample!;
    this.revisited = false;
    this.ampleMode = true;
    let a = ample.select(this.cur, 0);
    for (; a >= 0; a = ample.select(this.cur, a + 1)) {
      const moves = this.expandActor(i, a, a === lastActor || lastActor < 0 ? switches : switches + 1);
      if (moves < 0) a = -2;
      if (moves !== 0) break;
    }
    this.ampleMode = false;
    return a;
  }

  /**
   * Steps every choice of actor a in state i, storing (or at maxDepth looking up) the successors.
   * Returns how many moves were enabled, or -1 when maxStates ended the search.
   */
  private expandActor(i: number, a: number, sw: number): number {
    const { model, cur, next } = this;
    const n = model.choices(cur, a);
    if (n > MAX_CHOICES) throw tooManyChoices(a, n);
    let moves = 0;
    for (let c = 0; c < n; c++) {
      if (!model.step(cur, a, c, next)) continue;
      moves++;
      this.transitions++;
      if (this.symmetric && model.canonicalize!(next, this.scratch)) this.reduced.canonicalized++;
      if (this.lookupOnly) {
        if (this.cutBy === null || this.ampleMode || this.graph !== null) this.lookUp(packTransition(a, c));
      } else if (!this.store(i, packTransition(a, c), sw)) {
        return -1;
      }
    }
    return moves;
  }

  /**
   * At maxDepth: learns whether the bound keeps `next` out, and whether it revisits a stored state;
   * records the edge, by transition t, for the liveness check.
   */
  private lookUp(t: number): void {
    const r = this.visited.find(this.next);
    this.graph?.edge(r, t);
    if (r < 0) {
      if (this.cutBy === null) this.cutBy = 'max-depth';
    } else if (this.ampleMode) {
      this.revisited = true;
    }
  }

  /**
   * Adds `next`, reached from state i by transition t with `sw` actor switches, or moves its parent
   * to i when that is cheaper and it is still unexpanded. Returns false when maxStates ends the search.
   */
  private store(i: number, t: number, sw: number): boolean {
    const { visited, next } = this;
    if (visited.size >= this.config.maxStates && visited.find(next) < 0) {
      this.cutBy = 'max-states';
      this.finish();
      return false;
    }
    const r = visited.add(next, i, t, this.cur);
    this.graph?.edge(r >= 0 ? r : ~r, t);
    if (r >= 0) {
      this.switches.push(sw);
      if (visited.arena === null) this.queue.append(next);
      const v = this.model.violation(next);
      if (v !== 0 && this.findings.wants('state', v)) this.findings.record('state', v, r, this.depth + 1);
    } else if (~r < this.levelEnd) {
      if (this.ampleMode) this.revisited = true;
    } else if (sw < this.switches.get(~r)) {
      visited.reparent(~r, i, t);
      this.switches.set(~r, sw);
    }
    return true;
  }

  settle(): void {
    this.findings.settle((i) => this.switches.get(i));
  }

  private finish(): void {
    this.settle();
    this.done = true;
  }
}
