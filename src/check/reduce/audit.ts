/**
 * Checks, on every reachable state of a small model, the claims its reduction members make, so that a
 * wrong footprint or canonicalize shows up as a named state and actor rather than as a missed bug.
 * The reductions trust these members; the soundness of their results rests on them.
 *
 * Footprints (por.ts), for every reachable state s and actors a, b:
 * - a's footprint lies within what a couldTouch, and what a couldTouch never grows along a move;
 *   together these make couldTouch cover every later move of a, which C1 relies on;
 * - a's footprint stays the same across b's moves that write nothing it reads;
 * - when a's and b's footprints are independent (neither writes what the other reads or writes) and
 *   a's writes nothing observed (only such moves are ever ample), a's move leaves b's enabled choices
 *   as they were, b's leaves a's, and the two commute; where b's move violates, a's move before it
 *   must leave the same violation (violating states are never expanded, so no more is needed);
 * - a move whose footprint writes nothing observed leaves violation() as it was.
 * Canonicalize (symmetry.ts): it is idempotent, preserves violation() and quiescent(), and s and its
 * representative have the same successors up to canonicalization.
 *
 * It keeps every state in a Set of strings: for models of thousands of states, in tests.
 */

import { MAX_CHOICES, type Model } from '../model.ts';

export interface AuditOptions {
  /** Stop, reporting what was found so far, after this many states (default 100 000). */
  maxStates?: number;
  /** Report at most this many problems (default 10). */
  maxProblems?: number;
}

/** The problems found, each naming the state and actors concerned; empty when every claim holds. */
export function auditReductions(model: Model, options: AuditOptions = {}): string[] {
  const maxStates = options.maxStates ?? 100_000;
  const maxProblems = options.maxProblems ?? 10;
  const problems: string[] = [];
  const complain = (s: Int32Array, what: string): void => {
    if (problems.length < maxProblems) problems.push(`in state [${s.join(',')}]: ${what}`);
  };
  const init = new Int32Array(model.stateWords);
  model.init(init);
  const seen = new Set<string>([init.join(',')]);
  const queue: Int32Array[] = [init];
  for (let head = 0; head < queue.length && seen.size < maxStates; head++) {
    const s = queue[head];
    if (model.violation(s) !== 0) continue;
    const moves = movesOf(model, s);
    if (model.resourceCount !== undefined) auditFootprints(model, s, moves, complain);
    if (model.canonicalize !== undefined) auditCanonical(model, s, moves, complain);
    for (const { next } of moves) {
      const key = next.join(',');
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(next);
      }
    }
    if (problems.length >= maxProblems) break;
  }
  return problems;
}

interface Move {
  actor: number;
  choice: number;
  next: Int32Array;
}

function movesOf(model: Model, s: Int32Array): Move[] {
  const moves: Move[] = [];
  for (let actor = 0; actor < model.actorCount; actor++) {
    const n = Math.min(model.choices(s, actor), MAX_CHOICES);
    for (let choice = 0; choice < n; choice++) {
      const next = new Int32Array(model.stateWords);
      if (model.step(s, actor, choice, next)) moves.push({ actor, choice, next });
    }
  }
  return moves;
}

interface Bits {
  reads: Uint32Array;
  writes: Uint32Array;
}

function auditFootprints(
  model: Model,
  s: Int32Array,
  moves: Move[],
  complain: (s: Int32Array, what: string) => void,
): void {
  const words = (model.resourceCount! + 31) >>> 5;
  const bits = (fill: (reads: Uint32Array, writes: Uint32Array) => void): Bits => {
    const b = { reads: new Uint32Array(words), writes: new Uint32Array(words) };
    fill(b.reads, b.writes);
    return b;
  };
  const within = (a: Uint32Array, b: Uint32Array): boolean => a.every((w, k) => (w & ~b[k]) === 0);
  const meet = (a: Uint32Array, b: Uint32Array): boolean => a.some((w, k) => (w & b[k]) !== 0);
  const observed = new Uint32Array(words);
  for (const r of model.observed ?? []) observed[r >>> 5] |= 1 << (r & 31);
  const actors = model.actorCount;
  const print = Array.from({ length: actors }, (_, a) => bits((r, w) => model.footprint!(s, a, r, w)));
  const future = Array.from({ length: actors }, (_, a) => bits((r, w) => model.couldTouch!(s, a, r, w)));

  for (let a = 0; a < actors; a++) {
    if (model.choices(s, a) === 0) continue;
    if (!within(print[a].reads, future[a].reads) || !within(print[a].writes, future[a].writes)) {
      complain(s, `actor ${a}'s footprint is not within what it couldTouch`);
    }
  }
  for (const m of moves) {
    for (let b = 0; b < actors; b++) {
      const later = bits((r, w) => model.couldTouch!(m.next, b, r, w));
      if (!within(later.reads, future[b].reads) || !within(later.writes, future[b].writes)) {
        complain(s, `what actor ${b} couldTouch grows when actor ${m.actor} takes choice ${m.choice}`);
      }
    }
    if (!meet(print[m.actor].writes, observed) && model.violation(m.next) !== model.violation(s)) {
      complain(s, `actor ${m.actor}'s choice ${m.choice} writes nothing observed, yet changes violation()`);
    }
    for (let a = 0; a < actors; a++) {
      if (a === m.actor || meet(print[m.actor].writes, print[a].reads)) continue;
      const later = bits((r, w) => model.footprint!(m.next, a, r, w));
      if (later.reads.join() !== print[a].reads.join() || later.writes.join() !== print[a].writes.join()) {
        complain(s, `actor ${a}'s footprint changes when actor ${m.actor}, writing nothing it reads, moves`);
      }
    }
  }
  const independent = (a: number, b: number): boolean =>
    !meet(print[a].writes, print[b].reads) &&
    !meet(print[a].writes, print[b].writes) &&
    !meet(print[b].writes, print[a].reads);
  const choicesOf = (ms: Move[], actor: number): string =>
    ms
      .filter((m) => m.actor === actor)
      .map((m) => m.choice)
      .join();
  for (const ma of moves) {
    // Only a move that writes nothing observed can be ample; C1's commutation is needed for those.
    if (meet(print[ma.actor].writes, observed)) continue;
    const afterA = movesOf(model, ma.next);
    for (let b = 0; b < actors; b++) {
      if (b === ma.actor || !independent(ma.actor, b)) continue;
      if (choicesOf(moves, b) !== choicesOf(afterA, b)) {
        complain(s, `actor ${ma.actor}'s choice ${ma.choice} changes which moves of actor ${b} are enabled`);
        continue;
      }
      for (const mb of moves.filter((m) => m.actor === b)) {
        const ab = afterA.find((m) => m.actor === b && m.choice === mb.choice)!.next;
        const violated = model.violation(mb.next);
        if (violated !== 0) {
          // A violating state is never expanded: it is enough that b reaches the same violation.
          if (model.violation(ab) !== violated) {
            complain(s, `actor ${ma.actor}'s choice ${ma.choice} changes the violation actor ${b} reaches`);
          }
          continue;
        }
        const afterB = movesOf(model, mb.next);
        if (choicesOf(afterB, ma.actor) !== choicesOf(moves, ma.actor)) {
          complain(
            s,
            `actor ${b}'s choice ${mb.choice} changes which moves of actor ${ma.actor} are enabled`,
          );
          continue;
        }
        const ba = afterB.find((m) => m.actor === ma.actor && m.choice === ma.choice)!.next;
        if (ba.join() !== ab.join()) {
          complain(s, `actor ${ma.actor}'s choice ${ma.choice} and actor ${b}'s ${mb.choice} do not commute`);
        }
      }
    }
  }
}

function auditCanonical(
  model: Model,
  s: Int32Array,
  moves: Move[],
  complain: (s: Int32Array, what: string) => void,
): void {
  const scratch = new Int32Array(model.stateWords);
  const canonical = (x: Int32Array): Int32Array => {
    const c = x.slice();
    model.canonicalize!(c, scratch);
    return c;
  };
  const rep = canonical(s);
  if (canonical(rep).join() !== rep.join()) complain(s, 'canonicalize is not idempotent');
  if (model.violation(rep) !== model.violation(s) || model.quiescent(rep) !== model.quiescent(s)) {
    complain(s, 'its representative has another violation() or quiescent() result');
  }
  const successors = (ms: Move[]): string =>
    [...new Set(ms.map((m) => canonical(m.next).join()))].sort().join(' ');
  if (successors(moves) !== successors(movesOf(model, rep))) {
    complain(s, `its representative [${rep.join(',')}] has other successors, up to canonicalization`);
  }
}
