/**
 * The explorer's one entry: `explore(model, options)` searches a Model's reachable states for
 * violations and answers one SearchResult, whichever search ran:
 *
 * - by default, one search in this thread, breadth-first (`order: 'bfs'`, shortest traces) or
 *   depth-first (`order: 'dfs'`, its trace then shortened by a bounded BFS); search/search.ts;
 * - with `workers: N`, one breadth-first search by N worker threads sharing a hash-compacted table,
 *   storing the states the sequential BFS stores; threads/parallel/;
 * - with `swarm: N`, N diversified depth-first searches, one here and the others in worker threads,
 *   the first violation ending them all: a bug hunter; threads/swarm/.
 *
 * Which one ran is `result.engine`; everything else has one meaning for all. Options a search cannot
 * honour are refused, never silently dropped.
 *
 * A model cannot cross to another thread, so the threaded searches build one per thread from
 * `options.source` (a module, the function it exports, its arguments: threads/source.ts), which
 * must build the same model as `model`; `model` itself serves this thread.
 */

import type { Model } from './model.ts';
import type { SearchResult } from './result.ts';
import { type SearchOptions, searchSequential } from './search/search.ts';
import { exploreParallel } from './threads/parallel/parallel.ts';
import type { ModelSource } from './threads/source.ts';
import { type SwarmResult, swarm } from './threads/swarm/swarm.ts';

export interface ExploreOptions extends SearchOptions {
  /**
   * One breadth-first search by this many worker threads sharing one visited table (always
   * hash-compacted), with the states, transitions and depth of the sequential BFS under the same
   * reductions; no findAll, no depth-first order. Needs `source`.
   */
  workers?: number;
  /**
   * This many depth-first searches, each offering the moves in its own order, one in this thread and
   * the others in worker threads; the first violation ends them all, and its trace is not shortened.
   * Verified only when one of them explored everything. No findAll, no breadth-first order. Needs
   * `source`. `maxStates` and `maxDepth` bound each search; maxMemoryBytes is shared among them.
   */
  swarm?: number;
  /** With swarm: seeds the searches' orders of moves (the same seed, the same orders). */
  seed?: number;
  /** With workers or swarm: where each worker thread builds its own instance of `model`. */
  source?: ModelSource;
}

export async function explore(model: Model, options: ExploreOptions = {}): Promise<SearchResult> {
  const { workers, swarm: searches, seed, source, ...rest } = options;
  if (workers === undefined && searches === undefined) {
    if (seed !== undefined) throw new Error('seed orders the searches of a swarm: give swarm too');
    return searchSequential(model, rest);
  }
  if (workers !== undefined && searches !== undefined) {
    throw new Error('workers and swarm are two different searches: give one of them');
  }
  const engine = workers !== undefined ? 'workers' : 'swarm';
  if (source === undefined) {
    throw new Error(
      `${engine}: worker threads build their own instance of the model, so give options.source ` +
        '(the module, the function it exports and its arguments)',
    );
  }
  const refuse = (option: string, why: string): never => {
    throw new Error(`${engine}: ${option} is not supported (${why})`);
  };
  if (options.findAll) refuse('findAll', 'the first violation ends the search');
  if (options.liveness) refuse('liveness', 'the cycle search runs on the sequential BFS graph');
  if (workers !== undefined) {
    if (options.order === 'dfs') refuse("order 'dfs'", 'the parallel search is breadth-first');
    if (options.hashCompaction === false) refuse('hashCompaction false', 'its shared table keeps signatures');
    if (seed !== undefined) refuse('seed', 'it orders the searches of a swarm');
    return exploreParallel(
      source,
      {
        workers,
        maxStates: options.maxStates,
        maxDepth: options.maxDepth,
        maxSeconds: options.maxSeconds,
        maxMemoryBytes: options.maxMemoryBytes,
        shouldStop: options.shouldStop,
        onProgress: options.onProgress,
        progressIntervalMs: options.progressIntervalMs,
        symmetry: options.symmetry,
        por: options.por,
      },
      model,
    ).then(({ workers: _w, capacity: _c, startupSeconds: _s, ...result }) => result);
  }
  if (options.order === 'bfs') refuse("order 'bfs'", 'a swarm is depth-first searches');
  if (options.onProgress !== undefined) refuse('onProgress', 'its searches report only at the end');
  const r = await swarm(
    source,
    {
      workers: searches,
      seed,
      maxStates: options.maxStates,
      maxDepth: options.maxDepth,
      maxSeconds: options.maxSeconds,
      hashCompaction: options.hashCompaction,
      maxMemoryBytes: options.maxMemoryBytes,
      shouldStop: options.shouldStop,
      symmetry: options.symmetry,
      por: options.por,
    },
    model,
  );
  return swarmResult(r, options.symmetry === true || options.por === true);
}

/** A swarm's answer as one SearchResult: counts summed over its searches, each search in `engine`. */
function swarmResult(r: SwarmResult, reductionAsked: boolean): SearchResult {
  const sum = (f: (x: SwarmResult['searches'][number]) => number) => r.searches.reduce((a, x) => a + f(x), 0);
  const states = sum((x) => x.states);
  const bytes = sum((x) => x.bytes);
  const result: SearchResult = {
    verdict: r.verdict,
    stats: {
      states,
      transitions: sum((x) => x.transitions),
      maxDepth: Math.max(0, ...r.searches.map((x) => x.maxDepth)),
      seconds: r.seconds,
      bytes,
      bytesPerState: states ? bytes / states : 0,
      ...(reductionAsked
        ? {
            reduced: {
              por: r.por,
              symmetry: r.symmetry,
              ampleStates: sum((x) => x.ampleStates),
              provisoFallbacks: sum((x) => x.provisoFallbacks),
              canonicalized: sum((x) => x.canonicalized),
            },
          }
        : {}),
    },
    engine: { kind: 'swarm', searches: r.searches },
  };
  if (r.violation !== undefined) {
    const { worker, ...violation } = r.violation;
    result.violation = violation;
    result.engine = { kind: 'swarm', searches: r.searches, foundBy: worker };
  }
  if (r.incompleteReason !== undefined) result.incompleteReason = r.incompleteReason;
  const memory = r.searches.find((x) => x.memoryMessage !== undefined)?.memoryMessage;
  if (r.incompleteReason === 'memory' && memory !== undefined) result.memoryMessage = memory;
  return result;
}
