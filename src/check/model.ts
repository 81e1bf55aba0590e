/**
 * The explorer's view of a system: a transition system over flat state vectors.
 *
 * A state is one `Int32Array` of `stateWords` words. The explorer copies, hashes and compares
 * these vectors and asks the model for successors; it knows nothing of what the words mean.
 * Nothing in `src/check/` imports from the rest of `src/`.
 */

/** A transition: which actor moved, and which of its nondeterministic choices it took. */
export interface Transition {
  actor: number;
  choice: number;
}

/** Packs a transition into one integer (actor in the high bits, choice in the low 8). */
export const packTransition = (actor: number, choice: number): number => (actor << 8) | choice;
export const transitionActor = (t: number): number => t >>> 8;
export const transitionChoice = (t: number): number => t & 0xff;
export const MAX_CHOICES = 256;

export interface Model {
  /** Words in every state vector. */
  readonly stateWords: number;
  /** Number of actors; actor ids run from 0 to actorCount - 1. */
  readonly actorCount: number;
  /** Writes the initial state into `out` (of length stateWords). */
  init(out: Int32Array): void;
  /**
   * An upper bound on the number of nondeterministic choices `actor` has in `state` (0 when it
   * certainly cannot move, at most MAX_CHOICES). `step` is asked for each choice below it.
   */
  choices(state: Int32Array, actor: number): number;
  /**
   * Computes the successor of `src` when `actor` takes `choice`, writing it into `out`.
   * `src` is never modified. Returns false (and leaves `out` unspecified) when that move is not
   * enabled in `src`: a blocked actor, or a choice that does not apply.
   * A step that would leave the state unchanged should report false, so that a finished system
   * reaches a state with no successors.
   */
  step(src: Int32Array, actor: number, choice: number, out: Int32Array): boolean;
  /**
   * Checked on every state the search reaches: 0 if the state shows no violation, otherwise a
   * model-defined positive code. Models record violations that happen during a step (an access to
   * a freed object, say) in the state itself, so this is how they reach the explorer.
   */
  violation(state: Int32Array): number;
  /**
   * Checked on states where no non-daemon actor can move (quiescence): 0 if the end state is
   * acceptable, otherwise a positive code (a leak, a deadlock).
   */
  quiescent(state: Int32Array): number;
  /**
   * Daemon actors do background work (a cache fill, say) that never has to happen: a state in
   * which only daemons can move is quiescent.
   */
  isDaemon(actor: number): boolean;
  /**
   * Liveness (liveness/cycles.ts): whether `actor` is waiting in `state` for an event (a lock, a
   * reply, a flag another actor sets), blocked or spinning. A cycle of states all along which some
   * actor waits, while the system keeps moving fairly, is a livelock: it waits for ever. Not waiting
   * when absent; a model that never waits has no livelocks.
   */
  waiting?(state: Int32Array, actor: number): boolean;

  /*
   * Partial-order reduction (por.ts) asks for the next four together; a model without them is
   * explored unreduced. They describe moves in terms of resources: model-chosen pieces of the state
   * (a word, a struct, a lock), numbered 0..resourceCount-1 and passed around as bitsets of
   * ceil(resourceCount / 32) words (set a bit with `markResource`). A resource must stand for every
   * word a move reads or writes through it; the explorer compares bitsets, never words.
   */
  /** How many resources the footprints below name. */
  readonly resourceCount?: number;
  /** The resources violation() reads. A move that writes none of them cannot change its result. */
  readonly observed?: readonly number[];
  /**
   * The resources `actor`'s next move from `state` may read or write, whichever choice it takes,
   * including those that decide how many choices it has and which are enabled. `reads` and `writes`
   * come zeroed; set bits in them. For an actor that cannot move, the resources that keep it blocked.
   */
  footprint?(state: Int32Array, actor: number, reads: Uint32Array, writes: Uint32Array): void;
  /**
   * Every resource `actor` may read or write in any move it makes from `state` on, along any
   * interleaving with the other actors: a summary of its future, which may only shrink as the system
   * moves on. Nothing for an actor that has finished. `reads` and `writes` come zeroed.
   */
  couldTouch?(state: Int32Array, actor: number, reads: Uint32Array, writes: Uint32Array): void;

  /**
   * Symmetry reduction (symmetry.ts): rewrites `state` in place into the representative of its orbit
   * under the model's symmetries (for interchangeable actors, their blocks sorted, say), using
   * `scratch` (stateWords words) as it likes. Every member of an orbit must get the same
   * representative, and the symmetries must map moves to moves and preserve violation(), quiescent()
   * and isDaemon(). Returns whether the state changed.
   */
  canonicalize?(state: Int32Array, scratch: Int32Array): boolean;
}

/** Sets the bit of `resource` in a footprint bitset (see Model.footprint). */
export function markResource(bits: Uint32Array, resource: number): void {
  bits[resource >>> 5] |= 1 << (resource & 31);
}
