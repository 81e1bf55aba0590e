/**
 * Running one schedule of a system: the default order, or a seeded random interleaving.
 *
 * Default order: round-robin over the actors. After an actor moves, the next move goes to the
 * first enabled actor after it (wrapping around), with its first enabled choice. Every actor gets
 * its turn, so devices do their DMA between the kernel's steps.
 *
 * With a seed, each move is drawn uniformly from all enabled moves (mulberry32 PRNG), so the same
 * seed gives the same schedule on every machine.
 *
 * The run ends at the first violation, or when nothing can move at all; then the end state is
 * checked as the explorer would check it (leaks, deadlocks).
 */
import type { Transition } from '../check/index.ts';
import type { SvmSystem } from './system.ts';

export interface Schedule {
  trace: Transition[];
  /** The violation code (0: none) and whether it was found at the end (quiescent) or on the way. */
  code: number;
  atEnd: boolean;
  final: Int32Array;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function enabledMoves(sys: SvmSystem, s: Int32Array, scratch: Int32Array): Transition[] {
  const moves: Transition[] = [];
  for (let a = 0; a < sys.actorCount; a++) {
    const n = sys.choices(s, a);
    for (let c = 0; c < n; c++) if (sys.step(s, a, c, scratch)) moves.push({ actor: a, choice: c });
  }
  return moves;
}

export function runSchedule(sys: SvmSystem, seed?: number, maxSteps = 10_000): Schedule {
  let s = new Int32Array(sys.stateWords);
  sys.init(s);
  const scratch = new Int32Array(sys.stateWords);
  const trace: Transition[] = [];
  const rand = seed === undefined ? undefined : mulberry32(seed);
  let last = -1;
  let code = sys.violation(s);
  while (code === 0 && trace.length < maxSteps) {
    const moves = enabledMoves(sys, s, scratch);
    if (!moves.some((m) => !sys.isDaemon(m.actor))) {
      code = sys.quiescent(s);
      if (code !== 0 || moves.length === 0) return { trace, code, atEnd: true, final: s };
    }
    const move = rand
      ? moves[Math.floor(rand() * moves.length)]
      : (moves.find((m) => m.actor > last) ?? moves[0]);
    const next = new Int32Array(sys.stateWords);
    sys.step(s, move.actor, move.choice, next);
    s = next;
    trace.push(move);
    last = move.actor;
    code = sys.violation(s);
  }
  return { trace, code, atEnd: false, final: s };
}
