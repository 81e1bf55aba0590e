/**
 * Depth-first search, SPIN's default order: one successor at a time, descending at once into each new
 * state. It holds only the current path besides the visited set, and often reaches deep bugs long
 * before BFS would, but its first trace is usually far from shortest; search.ts shortens it afterwards.
 *
 * The recursion is an explicit stack of frames (state vector, visited index, and where the iteration
 * over actors and choices stands) so that the search can stop at any step and resume after the event
 * loop has had its turn.
 *
 * maxDepth here has SPIN's weakness: a state first met below the bound is not expanded, and is not
 * expanded later either when met again on a shorter path. The result is then reported incomplete.
 *
 * With partial-order reduction a frame first steps the moves of its ample actor (por.ts) only. When
 * one of them leads to a state on the stack, the cycle proviso has the frame go on to every other
 * actor's moves; a bit per visited index says which states are on the stack. With symmetry reduction
 * every successor is canonicalized before it is looked up or stored.
 */

import { MAX_CHOICES, type Model, packTransition } from '../model.ts';
import { AmpleSets } from '../reduce/por.ts';
import { NO_PARENT, VisitedSet } from '../store/visited.ts';
import { type Engine, type EngineConfig, type ReductionCounts, tooManyChoices } from './engine.ts';
import { Findings } from './findings.ts';

/** Poll the clock every this many steps (see bfs.ts). */
const CLOCK_EVERY = 64;

export class DepthFirst implements Engine {
  readonly visited: VisitedSet;
  readonly findings: Findings;
  transitions = 0;
  maxDepth = 0;
  cutBy: 'max-states' | 'max-depth' | null = null;
  readonly reduced: ReductionCounts = { ampleStates: 0, provisoFallbacks: 0, canonicalized: 0 };
  private readonly model: Model;
  private readonly config: EngineConfig;
  private readonly daemon: Uint8Array;
  private readonly next: Int32Array;
  private readonly ample: AmpleSets | null;
  private readonly symmetric: boolean;
  private readonly scratch: Int32Array;
  /** With partial-order reduction: bit i set while visited state i is on the stack. */
  private onStack: Uint32Array;
  /** Frame d: the state (a view into `stack`), its index, actor and choice reached, the actor's choice
   * count, and whether a non-daemon actor has moved (else the state is quiescent). With partial-order
   * reduction also its ample actor (-1: expanded fully from the start) and whether the proviso
   * has it expanded fully after all. */
  private stack: Int32Array;
  private views: Int32Array[] = [];
  private frameIndex: Int32Array;
  private frameActor: Int32Array;
  private frameChoice: Int32Array;
  private frameLimit: Int32Array;
  private frameMoved: Uint8Array;
  private frameAmple: Int32Array;
  private frameFull: Uint8Array;
  private top = -1;
  private done = false;

  constructor(model: Model, config: EngineConfig) {
    this.model = model;
    this.config = config;
    this.visited = new VisitedSet(model.stateWords, { hashCompaction: config.hashCompaction });
    this.findings = new Findings(config.target);
    this.daemon = Uint8Array.from({ length: model.actorCount }, (_, a) => (model.isDaemon(a) ? 1 : 0));
    this.next = new Int32Array(model.stateWords);
    this.ample = config.por ? new AmpleSets(model) : null;
    this.symmetric = config.symmetry;
    this.scratch = new Int32Array(model.stateWords);
    this.onStack = new Uint32Array(this.ample === null ? 0 : 1024);
    const frames = 64;
    this.stack = new Int32Array(frames * model.stateWords);
    this.frameIndex = new Int32Array(frames);
    this.frameActor = new Int32Array(frames);
    this.frameChoice = new Int32Array(frames);
    this.frameLimit = new Int32Array(frames);
    this.frameMoved = new Uint8Array(frames);
    this.frameAmple = new Int32Array(frames);
    this.frameFull = new Uint8Array(frames);
    this.makeViews();

    model.init(this.next);
    if (this.symmetric) model.canonicalize!(this.next, this.scratch);
    this.visited.add(this.next, NO_PARENT, NO_PARENT);
    const v = model.violation(this.next);
    if (v !== 0) {
      if (this.findings.wants('state', v)) this.findings.record('state', v, 0, 0);
      this.finish();
    } else {
      this.push(0, this.next);
    }
  }

  get depth(): number {
    return Math.max(this.top, 0);
  }

  get queued(): number {
    return this.depth;
  }

  get bytes(): number {
    const frames = this.frameIndex.length;
    return (
      this.visited.bytes +
      this.stack.byteLength +
      frames * 22 +
      this.onStack.byteLength +
      (this.ample?.bytes ?? 0)
    );
  }

  runSlice(deadline: number): boolean {
    let polls = 0;
    while (!this.done && this.top >= 0) {
      if (++polls % CLOCK_EVERY === 0 && performance.now() >= deadline) break;
      const d = this.top;
      if (!this.advance(d)) {
        this.leave(d);
        continue;
      }
      if (this.symmetric && this.model.canonicalize!(this.next, this.scratch)) this.reduced.canonicalized++;
      if (d >= this.config.maxDepth) this.lookUp(d);
      else this.visit(d);
    }
    if (this.top < 0) this.finish();
    return this.done;
  }

  /** Steps frame d's state to its next successor, into `next`; false when it has no more. */
  private advance(d: number): boolean {
    const { model, next } = this;
    const s = this.views[d];
    const actors = model.actorCount;
    let a = this.frameActor[d];
    let c = this.frameChoice[d];
    let limit = this.frameLimit[d];
    for (;;) {
      if (c < limit) {
        if (model.step(s, a, c++, next)) break;
      } else if ((a = this.frameAmple[d] < 0 ? a + 1 : this.nextAfterAmple(d, a)) < actors) {
        c = 0;
        limit = model.choices(s, a);
        if (limit > MAX_CHOICES) throw tooManyChoices(a, limit);
      } else {
        return false;
      }
    }
    this.frameActor[d] = a;
    this.frameChoice[d] = c;
    this.frameLimit[d] = limit;
    this.transitions++;
    if (this.daemon[a] === 0) this.frameMoved[d] = 1;
    return true;
  }

  /**
   * The actor frame d steps after actor a, when the frame began with an ample actor: none (`actors`)
   * once the ample actor has moved, unless the proviso asks for the others; the next candidate when
   * it could not move, or every actor when no candidate is left.
   */
  private nextAfterAmple(d: number, a: number): number {
    const amp = this.frameAmple[d];
    if (a === amp) {
      if (this.frameFull[d] === 0) {
        if (this.frameMoved[d] !== 0) return this.model.actorCount;
        const next = this.ample!.select(this.views[d], amp + 1);
        this.frameAmple[d] = next;
        if (next >= 0) return next;
        // No candidate left: expand fully, from the first actor.
        this.reduced.ampleStates--;
        return 0;
      }
      a = -1;
    }
    a++;
    return a === amp ? a + 1 : a;
  }

  /** Pops frame d, all its successors seen; if no non-daemon actor could move there, it is quiescent. */
  private leave(d: number): void {
    this.top--;
    if (this.ample !== null) {
      const i = this.frameIndex[d];
      this.onStack[i >>> 5] &= ~(1 << (i & 31));
    }
    if (this.frameMoved[d] !== 0) return;
    const q = this.model.quiescent(this.views[d]);
    if (q !== 0 && this.findings.wants('quiescent', q)) {
      this.findings.record('quiescent', q, this.frameIndex[d], d);
      if (!this.config.findAll) this.finish();
    }
  }

  /** At maxDepth: the successor is only looked up, to learn whether the bound kept anything out. */
  private lookUp(d: number): void {
    if (this.cutBy !== null && this.frameAmple[d] < 0) return;
    const r = this.visited.find(this.next);
    if (r < 0) {
      if (this.cutBy === null) this.cutBy = 'max-depth';
    } else {
      this.checkProviso(d, r);
    }
  }

  /** An ample move of frame d that leads to state i, on the stack, closes a cycle: expand fully. */
  private checkProviso(d: number, i: number): void {
    if (this.frameAmple[d] < 0 || this.frameFull[d] !== 0) return;
    if ((this.onStack[i >>> 5] & (1 << (i & 31))) === 0) return;
    this.frameFull[d] = 1;
    this.reduced.ampleStates--;
    this.reduced.provisoFallbacks++;
  }

  /** Adds the successor frame d just stepped to and, when it is new and violates nothing, descends. */
  private visit(d: number): void {
    const { visited, next } = this;
    if (visited.size >= this.config.maxStates && visited.find(next) < 0) {
      this.cutBy = 'max-states';
      this.finish();
      return;
    }
    const t = packTransition(this.frameActor[d], this.frameChoice[d] - 1);
    const r = visited.add(next, this.frameIndex[d], t, this.views[d]);
    if (r < 0) {
      if (this.ample !== null) this.checkProviso(d, ~r);
      return;
    }
    const v = this.model.violation(next);
    if (v === 0) {
      this.push(r, next);
    } else if (this.findings.wants('state', v)) {
      this.findings.record('state', v, r, d + 1);
      if (!this.config.findAll) this.finish();
    }
  }

  private push(index: number, state: Int32Array): void {
    const d = this.top + 1;
    if (d === this.frameIndex.length) this.growStack();
    this.views[d].set(state);
    this.frameIndex[d] = index;
    this.frameActor[d] = -1;
    this.frameChoice[d] = 0;
    this.frameLimit[d] = 0;
    this.frameMoved[d] = 0;
    this.frameAmple[d] = -1;
    this.frameFull[d] = 0;
    if (this.ample !== null) this.enterAmple(d, index);
    this.top = d;
    if (d > this.maxDepth) this.maxDepth = d;
  }

  /** Marks state `index` on the stack and starts frame d at its ample actor, if it has one. */
  private enterAmple(d: number, index: number): void {
    if (index >>> 5 >= this.onStack.length) {
      const grown = new Uint32Array(Math.max(this.onStack.length * 2, (index >>> 5) + 1));
      grown.set(this.onStack);
      this.onStack = grown;
    }
    this.onStack[index >>> 5] |= 1 << (index & 31);
    const amp = this.ample!.select(this.views[d], 0);
    if (amp < 0) return;
    this.reduced.ampleStates++;
    this.frameAmple[d] = amp;
    this.frameActor[d] = amp;
    const limit = this.model.choices(this.views[d], amp);
    if (limit > MAX_CHOICES) throw tooManyChoices(amp, limit);
    this.frameLimit[d] = limit;
  }

  private growStack(): void {
    const frames = this.frameIndex.length * 2;
    const grown = <T extends Int32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const a = make(frames);
      a.set(old);
      return a;
    };
    this.stack = grown(this.stack, (n) => new Int32Array(n * this.model.stateWords));
    this.frameIndex = grown(this.frameIndex, (n) => new Int32Array(n));
    this.frameActor = grown(this.frameActor, (n) => new Int32Array(n));
    this.frameChoice = grown(this.frameChoice, (n) => new Int32Array(n));
    this.frameLimit = grown(this.frameLimit, (n) => new Int32Array(n));
    this.frameMoved = grown(this.frameMoved, (n) => new Uint8Array(n));
    this.frameAmple = grown(this.frameAmple, (n) => new Int32Array(n));
    this.frameFull = grown(this.frameFull, (n) => new Uint8Array(n));
    this.makeViews();
  }

  /** One view per frame, made when the stack grows, so that no step allocates one. */
  private makeViews(): void {
    const w = this.model.stateWords;
    const frames = this.frameIndex.length;
    this.views = Array.from({ length: frames }, (_, d) => this.stack.subarray(d * w, (d + 1) * w));
  }

  settle(): void {
    this.findings.settle(() => 0);
  }

  private finish(): void {
    this.settle();
    this.done = true;
  }
}
