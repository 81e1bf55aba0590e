/**
 * The explorer's public surface, for front ends and for the models that plug into it: the only module
 * outside `check/` imports. Everything else in this folder is its machinery, by concept:
 *
 *   search/   the sequential search: BFS and DFS engines, run control (slices, limits, progress),
 *             findings, the memory guard
 *   store/    where states live: the visited set, compressed records, hashing, frontier encoding
 *   reduce/   partial-order and symmetry reduction, and the audit of a model's claims for them
 *   threads/  searches in worker threads: the swarm and the parallel BFS, and how a thread builds its model
 *   trace/    counterexample traces: rebuilt from parent links, replayed
 *   liveness/ livelocks: the explored graph's edges, its fair cycles where an actor waits for ever, lassos
 *   examples/ small classic models (counters, Peterson, dining philosophers, refcount, SPIN's
 *             non-progress cycles)
 */

export { counters } from './examples/counters.ts';
export { dining } from './examples/dining.ts';
export { flagWait, politeRetry } from './examples/livelock.ts';
export { peterson } from './examples/peterson.ts';
export { refcount } from './examples/refcount.ts';
export { type ExploreOptions, explore } from './explore.ts';
export {
  MAX_CHOICES,
  type Model,
  markResource,
  packTransition,
  type Transition,
  transitionActor,
  transitionChoice,
} from './model.ts';
export { auditReductions } from './reduce/audit.ts';
export { sortBlocks } from './reduce/symmetry.ts';
export type {
  EngineReport,
  IncompleteReason,
  Lasso,
  LivenessStats,
  Progress,
  ReductionStats,
  SearchOrder,
  SearchResult,
  SearchStats,
  SwarmSearch,
  Violation,
  ViolationKind,
} from './result.ts';
export { type StateGraph, stateGraph } from './search/graph.ts';
export type { SearchOptions } from './search/search.ts';
export {
  type SimulateOptions,
  type SimulationProgress,
  type SimulationResult,
  simulate,
} from './search/simulate.ts';
export { buildModel, importModule, type ModelSource, workerModule } from './threads/source.ts';
export { finalState, replay } from './trace/trace.ts';
