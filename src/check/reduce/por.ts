/**
 * Partial-order reduction by ample sets (Peled 1993; Clarke, Grumberg and Peled, "Model Checking",
 * ch. 10; what SPIN does): in a state where some actor's next move commutes with everything the others
 * can still do, explore only that actor's moves. The interleavings this skips differ from the explored
 * ones only in the order of independent moves, so they reach no violation the explored ones miss.
 *
 * An ample set here is all the enabled moves of one non-daemon actor `a`, chosen when:
 * - C0: `a` has an enabled move. The engines step it; when none is enabled they ask for the next
 *   candidate, and with none left expand fully.
 * - C1: nothing another actor can do before `a` moves depends on `a`'s move. The model's footprint of
 *   `a`'s next move (what it reads, including what decides whether and how it can move, and what it
 *   writes) must not meet what any other actor, daemons included, couldTouch from here on: no write of
 *   `a` on anything they read or write, no read of `a` on anything they write. Then every other
 *   actor's move, now or later, commutes with each of `a`'s moves and neither enables nor disables it:
 *   the set is persistent.
 * - C2: `a`'s footprint writes nothing violation() reads (Model.observed), so its moves never change
 *   that result anywhere. Quiescence needs no such condition: a state with some non-daemon move
 *   enabled is not quiescent, and by C1 `a`'s moves stay enabled until `a` moves, so every path to a
 *   quiescent state contains a move of `a` that can be brought to the front; induction on the path's
 *   length reaches the very same quiescent state (Godefroid's argument for deadlocks).
 * - C3, the cycle proviso, so that no move is postponed forever round a cycle of reduced states:
 *   every cycle of the explored graph must hold a fully expanded state. DFS: an ample move that leads
 *   to a state on the stack closes a cycle, and the state is then expanded fully (SPIN's proviso;
 *   every cycle in a DFS holds such a back edge). BFS: an ample move that leads to a state of the
 *   current or an earlier level does the same. A cycle cannot gain a level at every edge, so some edge
 *   on it goes to a level no deeper than its source's, which was stored before the source was
 *   expanded; moves to the next level, new or already found, are fine.
 * Together these preserve every reachable (kind, code) of violation: a shortest path to a violating
 * state either contains an ample move, which commutes to the front and shortens the rest, or does not,
 * and then the ample move carries the whole path along (invisibly, by C2) to the ample successor; C3
 * keeps the second case from repeating forever. Traces stay real paths, but a BFS trace is then
 * shortest among the explored paths, not among all.
 *
 * Violating states are never expanded, so a step that refuses to move from one (as a model whose
 * steps record violations in the state may do) need not list what it checks for that in its
 * footprint; any move that may record a violation writes an observed resource and is never ample.
 *
 * Ample sets are chosen on whatever state the engine expands, so with symmetry reduction they are
 * chosen on orbit representatives and the proviso is checked on the quotient graph, which is what
 * makes the two reductions sound together (Emerson, Jha and Peled 1997).
 */

import type { Model } from '../model.ts';

/**
 * Whether `model` declares what partial-order reduction needs. Throws when it declares only part of
 * it, or a malformed part: a model that half declares footprints was meant to be reduced.
 */
export function declaresFootprints(model: Model): boolean {
  const members = {
    resourceCount: model.resourceCount,
    observed: model.observed,
    footprint: model.footprint,
    couldTouch: model.couldTouch,
  };
  const missing = Object.entries(members)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length === 4) return false;
  if (missing.length > 0) {
    throw new Error(
      `the model declares some footprint members but not ${missing.join(', ')}; partial-order reduction ` +
        'needs resourceCount, observed, footprint and couldTouch together (or none, to explore unreduced)',
    );
  }
  const count = model.resourceCount!;
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`model.resourceCount must be a positive integer, not ${count}`);
  }
  for (const r of model.observed!) {
    if (!Number.isInteger(r) || r < 0 || r >= count) {
      throw new Error(`model.observed names resource ${r}; resources are 0..${count - 1}`);
    }
  }
  return true;
}

export class AmpleSets {
  private readonly model: Model;
  private readonly actors: number;
  /** Words per resource bitset. */
  private readonly words: number;
  private readonly daemon: Uint8Array;
  private readonly observed: Uint32Array;
  /** The footprint of the candidate's next move. */
  private readonly reads: Uint32Array;
  private readonly writes: Uint32Array;
  /** What each actor couldTouch, one bitset row per actor, asked for only when a candidate needs it
   * (`known`): a candidate usually meets a conflict at the first actor it is checked against. */
  private readonly futureReads: Uint32Array;
  private readonly futureWrites: Uint32Array;
  private readonly known: Uint8Array;
  /** Views of the rows, made once so that no state allocates one. */
  private readonly futureReadRows: Uint32Array[];
  private readonly futureWriteRows: Uint32Array[];

  /** `model` must declare footprints (declaresFootprints). */
  constructor(model: Model) {
    this.model = model;
    this.actors = model.actorCount;
    const w = (this.words = (model.resourceCount! + 31) >>> 5);
    this.daemon = Uint8Array.from({ length: this.actors }, (_, a) => (model.isDaemon(a) ? 1 : 0));
    this.observed = new Uint32Array(w);
    for (const r of model.observed!) this.observed[r >>> 5] |= 1 << (r & 31);
    this.reads = new Uint32Array(w);
    this.writes = new Uint32Array(w);
    this.futureReads = new Uint32Array(this.actors * w);
    this.futureWrites = new Uint32Array(this.actors * w);
    this.known = new Uint8Array(this.actors);
    const rows = (bits: Uint32Array) =>
      Array.from({ length: this.actors }, (_, b) => bits.subarray(b * w, (b + 1) * w));
    this.futureReadRows = rows(this.futureReads);
    this.futureWriteRows = rows(this.futureWrites);
  }

  get bytes(): number {
    return (2 * this.actors + 3) * this.words * 4 + this.actors;
  }

  /**
   * The first actor at or after `from` whose moves in `state` satisfy C1 and C2 and that has a
   * choice to make, or -1. Whether one of its choices is enabled (C0) is for the caller to find out
   * as it steps them; when none is, it asks again from the next actor.
   */
  select(state: Int32Array, from: number): number {
    const { model, actors, words: w, daemon, observed, reads, writes } = this;
    this.known.fill(0);
    for (let a = from; a < actors; a++) {
      if (daemon[a] !== 0 || model.choices(state, a) === 0) continue;
      reads.fill(0);
      writes.fill(0);
      model.footprint!(state, a, reads, writes);
      let independent = true;
      for (let k = 0; k < w && independent; k++) independent = (writes[k] & observed[k]) === 0;
      for (let b = 0; b < actors && independent; b++) {
        if (b !== a) independent = this.independentOf(state, b);
      }
      if (independent) return a;
    }
    return -1;
  }

  /** Whether the candidate's footprint (`reads`, `writes`) meets nothing actor b couldTouch. */
  private independentOf(state: Int32Array, b: number): boolean {
    const { words: w, reads, writes, futureReads: fr, futureWrites: fw } = this;
    if (this.known[b] === 0) {
      const r = this.futureReadRows[b];
      const x = this.futureWriteRows[b];
      r.fill(0);
      x.fill(0);
      this.model.couldTouch!(state, b, r, x);
      this.known[b] = 1;
    }
    const base = b * w;
    for (let k = 0; k < w; k++) {
      const theirWrites = fw[base + k];
      if ((writes[k] & (theirWrites | fr[base + k])) !== 0 || (reads[k] & theirWrites) !== 0) return false;
    }
    return true;
  }
}
