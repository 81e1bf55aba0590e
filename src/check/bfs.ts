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
 */

import { StateArena } from './arena.ts';
import { type Engine, type EngineConfig, tooManyChoices } from './engine.ts';
import { Findings } from './findings.ts';
import { MAX_CHOICES, type Model, packTransition, transitionActor } from './model.ts';
import { IntVector } from './vector.ts';
import { NO_PARENT, VisitedSet } from './visited.ts';

/** Poll the clock every this many expansions: rare enough to cost nothing, often enough for 50 ms. */
const CLOCK_EVERY = 16;

export class BreadthFirst implements Engine {
  readonly visited: VisitedSet;
  readonly findings: Findings;
  transitions = 0;
  depth = 0;
  cutBy: 'max-states' | 'max-depth' | null = null;
  private readonly model: Model;
  private readonly config: EngineConfig;
  private readonly queue: StateArena;
  private readonly switches = new IntVector();
  private readonly daemon: Uint8Array;
  private readonly cur: Int32Array;
  private readonly next: Int32Array;
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

    const init = this.cur;
    model.init(init);
    this.visited.add(init, NO_PARENT, NO_PARENT);
    if (this.visited.arena === null) this.queue.append(init);
    this.switches.push(0);
    const v = model.violation(init);
    if (v !== 0) {
      if (this.findings.wants('state', v)) this.findings.record('state', v, 0, 0);
      this.finish();
    }
  }

  get maxDepth(): number {
    return this.visited.size > this.levelEnd ? this.depth + 1 : this.depth;
  }

  get bytes(): number {
    const queue = this.visited.arena === null ? this.queue.bytes : 0;
    return this.visited.bytes + queue + this.switches.bytes;
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
    const { model, cur, next, daemon } = this;
    this.queue.copy(i, cur);
    if (this.prune && model.violation(cur) !== 0) return;
    const lookupOnly = this.depth >= this.config.maxDepth;
    const lastActor = i === 0 ? -1 : transitionActor(this.visited.transitionOf(i));
    const switches = this.switches.get(i);
    const actors = model.actorCount;
    let moved = false;
    for (let a = 0; a < actors; a++) {
      const n = model.choices(cur, a);
      if (n > MAX_CHOICES) throw tooManyChoices(a, n);
      const sw = a === lastActor || lastActor < 0 ? switches : switches + 1;
      for (let c = 0; c < n; c++) {
        if (!model.step(cur, a, c, next)) continue;
        this.transitions++;
        if (daemon[a] === 0) moved = true;
        if (lookupOnly) {
          if (this.cutBy === null && this.visited.find(next) < 0) this.cutBy = 'max-depth';
        } else if (!this.store(i, packTransition(a, c), sw)) {
          return;
        }
      }
    }
    if (!moved) {
      const q = model.quiescent(cur);
      if (q !== 0 && this.findings.wants('quiescent', q)) this.findings.record('quiescent', q, i, this.depth);
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
    const r = visited.add(next, i, t);
    if (r >= 0) {
      this.switches.push(sw);
      if (visited.arena === null) this.queue.append(next);
      const v = this.model.violation(next);
      if (v !== 0 && this.findings.wants('state', v)) this.findings.record('state', v, r, this.depth + 1);
    } else if (~r >= this.levelEnd && sw < this.switches.get(~r)) {
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
