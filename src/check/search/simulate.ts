/**
 * Random simulation: for models too big to search exhaustively, sample executions from the initial
 * state, checking every state on the way as the search does (violation() on each, quiescent() where
 * no non-daemon actor can move), as Quint's `quint run` and TLC's `-simulate` do.
 *
 * Each sample walks up to maxSteps moves. A move is drawn uniformly from every enabled move of
 * every actor, or, biased, an actor first with weight 1 / (1 + its moves so far in this sample)
 * and then one of its enabled choices: an actor that rarely gets to move (an IRQ thread among busy
 * tasks and cache fills) is drawn more often when it can. Sample k draws from a generator seeded
 * with the seed and k alone, so the same seed gives the same samples on every machine, and sample
 * k can be drawn again without the ones before it.
 *
 * The first violation ends the simulation. Its trace is as long as the random walk that stumbled
 * on it; it is shortened in two ways: cycles in it are cut (a state visited twice), then a
 * breadth-first search no deeper than what is left, within a budget of states and time, looks for
 * a shorter trace to the same kind and code of violation. When the budget runs out first, the cut
 * trace stands.
 *
 * Silence means only that the samples drawn showed nothing: no claim is made about the rest.
 */
import type { Model, Transition } from '../model.ts';
import type { Violation } from '../result.ts';
import { mulberry32 } from '../threads/swarm/diversify.ts';
import { searchSequential } from './search.ts';

export interface SimulateOptions {
  seed?: number;
  /** Executions to sample (1000 by default). */
  samples?: number;
  /** Moves in each execution at most (200 by default). */
  maxSteps?: number;
  /** Draw an actor first, favouring those that have moved least. */
  bias?: boolean;
  /** Stop sampling after this long (the samples run so far are reported). */
  maxSeconds?: number;
  /** Polled between samples; returning true ends the simulation. */
  shouldStop?: () => boolean;
  /**
   * States the shortening search may store (200 000 by default), and its time: 10 s by default,
   * never beyond maxSeconds.
   */
  shortenStates?: number;
  shortenSeconds?: number;
  /** Reductions for the shortening search (see SearchOptions). */
  por?: boolean;
  symmetry?: boolean;
  onProgress?: (p: SimulationProgress) => void;
  /** Least time between two onProgress calls; 500 ms by default. */
  progressIntervalMs?: number;
}

export interface SimulationProgress {
  samples: number;
  steps: number;
  /** Deepest step reached in a sample so far. */
  depth: number;
  seconds: number;
}

export interface SimulationResult {
  /** 'none-found': every sample ran without a violation (which proves nothing about the rest). */
  verdict: 'violation' | 'none-found' | 'incomplete';
  /** Why sampling ended before all samples ran. */
  incompleteReason?: 'max-seconds' | 'stopped';
  violation?: Violation & {
    /** The sample that found it, and how long its own trace was before shortening. */
    sample: number;
    sampledDepth: number;
    /** How the trace was shortened: 'bfs' (a shortest one within the bound), 'cycles', or 'none'. */
    shortenedBy: 'bfs' | 'cycles' | 'none';
  };
  stats: {
    samples: number;
    steps: number;
    maxDepth: number;
    /** Samples that reached a state where nothing could move, and samples cut at maxSteps. */
    finished: number;
    cut: number;
    seconds: number;
  };
}

export async function simulate(model: Model, options: SimulateOptions = {}): Promise<SimulationResult> {
  const seed = options.seed ?? 0;
  const samples = options.samples ?? 1000;
  const maxSteps = options.maxSteps ?? 200;
  const start = performance.now();
  const seconds = () => (performance.now() - start) / 1000;
  const moved = new Float64Array(model.actorCount);
  const stats = { samples: 0, steps: 0, maxDepth: 0, finished: 0, cut: 0, seconds: 0 };
  const interval = options.progressIntervalMs ?? 500;
  let lastProgress = performance.now();
  let result: SimulationResult | null = null;
  for (let k = 0; k < samples; k++) {
    if (options.shouldStop?.()) {
      result = { verdict: 'incomplete', incompleteReason: 'stopped', stats };
      break;
    }
    if (options.maxSeconds !== undefined && seconds() >= options.maxSeconds) {
      result = { verdict: 'incomplete', incompleteReason: 'max-seconds', stats };
      break;
    }
    moved.fill(0);
    const run = sample(model, mulberry32(mix(seed, k)), maxSteps, options.bias ? moved : null);
    stats.samples++;
    stats.steps += run.trace.length;
    stats.maxDepth = Math.max(stats.maxDepth, run.trace.length);
    if (run.end === 'finished') stats.finished++;
    if (run.end === 'cut') stats.cut++;
    if (options.onProgress && performance.now() - lastProgress >= interval) {
      lastProgress = performance.now();
      options.onProgress({
        samples: stats.samples,
        steps: stats.steps,
        depth: stats.maxDepth,
        seconds: seconds(),
      });
    }
    if (run.violation) {
      // The shortening search has the rest of the time given, if any, and 10 s at most by default.
      const left =
        options.maxSeconds === undefined ? Number.POSITIVE_INFINITY : options.maxSeconds - seconds();
      const budget = Math.min(options.shortenSeconds ?? 10, left);
      const v = await shorten(model, run.trace, run.violation, { ...options, shortenSeconds: budget });
      result = {
        verdict: 'violation',
        violation: { ...v, sample: k, sampledDepth: run.trace.length },
        stats,
      };
      break;
    }
    // Give the event loop a turn now and then, so that a Ctrl-C handler can run.
    if (k % 16 === 15) await new Promise((r) => setImmediate(r));
  }
  result ??= { verdict: 'none-found', stats };
  stats.seconds = seconds();
  return result;
}

/** Sample k's seed: the user's seed and k, mixed so that neighbouring samples differ in every bit. */
function mix(seed: number, k: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  return (h ^ (h >>> 15)) >>> 0;
}

interface Sample {
  trace: Transition[];
  end: 'finished' | 'cut' | 'violation';
  violation?: { kind: 'state' | 'quiescent'; code: number };
}

function sample(model: Model, random: () => number, maxSteps: number, moved: Float64Array | null): Sample {
  let state = new Int32Array(model.stateWords);
  let next = new Int32Array(model.stateWords);
  const scratch = new Int32Array(model.stateWords);
  model.init(state);
  const trace: Transition[] = [];
  const moves: Transition[] = [];
  for (;;) {
    const code = model.violation(state);
    if (code) return { trace, end: 'violation', violation: { kind: 'state', code } };
    moves.length = 0;
    let busy = false;
    for (let a = 0; a < model.actorCount; a++) {
      const n = model.choices(state, a);
      for (let c = 0; c < n; c++) {
        if (!model.step(state, a, c, scratch)) continue;
        moves.push({ actor: a, choice: c });
        if (!model.isDaemon(a)) busy = true;
      }
    }
    if (!busy) {
      const end = model.quiescent(state);
      if (end) return { trace, end: 'violation', violation: { kind: 'quiescent', code: end } };
    }
    if (moves.length === 0) return { trace, end: 'finished' };
    if (trace.length >= maxSteps) return { trace, end: 'cut' };
    const move = moved ? biasedPick(moves, moved, random) : moves[Math.floor(random() * moves.length)];
    model.step(state, move.actor, move.choice, next);
    [state, next] = [next, state];
    trace.push(move);
    if (moved) moved[move.actor]++;
  }
}

/** An actor with weight 1 / (1 + its moves so far), then one of its enabled moves, uniformly. */
function biasedPick(moves: readonly Transition[], moved: Float64Array, random: () => number): Transition {
  const actors = [...new Set(moves.map((m) => m.actor))];
  const weights = actors.map((a) => 1 / (1 + moved[a]));
  let r = random() * weights.reduce((x, y) => x + y, 0);
  let actor = actors[actors.length - 1];
  for (let i = 0; i < actors.length; i++) {
    r -= weights[i];
    if (r < 0) {
      actor = actors[i];
      break;
    }
  }
  const mine = moves.filter((m) => m.actor === actor);
  return mine[Math.floor(random() * mine.length)];
}

/** Cuts the trace's cycles, then looks by a bounded BFS for a shorter trace to the same violation. */
async function shorten(
  model: Model,
  sampled: Transition[],
  found: { kind: 'state' | 'quiescent'; code: number },
  options: SimulateOptions,
): Promise<Violation & { shortenedBy: 'bfs' | 'cycles' | 'none' }> {
  const trace = cutCycles(model, sampled);
  const cut = trace.length < sampled.length;
  if (trace.length > 1 && (options.shortenSeconds ?? 10) > 0) {
    const r = await searchSequential(model, {
      order: 'bfs',
      maxDepth: trace.length - 1,
      maxStates: options.shortenStates ?? 200_000,
      maxSeconds: options.shortenSeconds ?? 10,
      findAll: true,
      por: options.por,
      symmetry: options.symmetry,
      shouldStop: options.shouldStop,
    });
    const same = (r.violations ?? (r.violation ? [r.violation] : [])).find(
      (v) => v.kind === found.kind && v.code === found.code && v.depth < trace.length,
    );
    if (same) return { ...same, shortenedBy: 'bfs' };
  }
  return { ...found, trace, depth: trace.length, shortenedBy: cut ? 'cycles' : 'none' };
}

/** The trace with every stretch between two visits of the same state removed. */
function cutCycles(model: Model, trace: readonly Transition[]): Transition[] {
  const seen = new Map<string, number>();
  const out: Transition[] = [];
  let state = new Int32Array(model.stateWords);
  model.init(state);
  const key = (s: Int32Array) => Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString('base64');
  seen.set(key(state), 0);
  for (const t of trace) {
    const next = new Int32Array(model.stateWords);
    model.step(state, t.actor, t.choice, next);
    state = next;
    out.push(t);
    const k = key(state);
    const at = seen.get(k);
    if (at !== undefined) {
      for (const [s, i] of seen) if (i > at) seen.delete(s);
      out.length = at;
    } else seen.set(k, out.length);
  }
  return out;
}
