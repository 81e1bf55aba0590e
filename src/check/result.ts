/**
 * What explore answers, whichever search ran: one result type for the sequential BFS and DFS, the
 * swarm and the parallel BFS (and any search that plugs in later), so that a front end renders one
 * shape. `engine` says which ran, with what only that search can say.
 */

import type { Lasso } from './liveness/lasso.ts';
import type { Transition } from './model.ts';
import type { ReductionCounts } from './search/engine.ts';
import type { ViolationKind } from './search/findings.ts';

export type { Lasso } from './liveness/lasso.ts';
export type { Progress } from './search/control.ts';
export type { ViolationKind } from './search/findings.ts';

export type SearchOrder = 'bfs' | 'dfs';
export type IncompleteReason = 'max-states' | 'max-seconds' | 'max-depth' | 'stopped' | 'memory';

export interface Violation {
  code: number;
  kind: ViolationKind;
  /**
   * From the initial state to the violating state. For a livelock, the lasso's stem then its cycle,
   * so that it replays like any other trace and ends where the cycle begins (and ends).
   */
  trace: Transition[];
  /** Steps in the trace. */
  depth: number;
  /** For a livelock ('livelock', whose code is 1 + the waiting actor): the stem and the cycle. */
  lasso?: Lasso;
}

export interface SearchStats {
  states: number;
  transitions: number;
  maxDepth: number;
  seconds: number;
  /** Peak memory of the explorer's own structures (visited set, queue or stack, traces' links). */
  bytes: number;
  bytesPerState: number;
  /** With hash compaction: a bound on the probability that some state was omitted (visited.ts). */
  omissionProbability?: number;
  /** Set when a reduction was asked for: which ran (the model supports it) and what they did. */
  reduced?: ReductionStats;
  /** Set when the liveness check ran. */
  liveness?: LivenessStats;
}

export interface LivenessStats {
  /** Edges of the explored graph. */
  edges: number;
  /** States on some cycle of the graph, livelock or not: 0 means there was nothing to look for. */
  cyclicStates: number;
  /** States in which some actor waits (Model.waiting). */
  waitingStates: number;
  /** The cycle search, after the search proper (both are in `seconds`). */
  seconds: number;
}

export interface ReductionStats extends ReductionCounts {
  /** Partial-order reduction ran: asked for, and the model declares footprints. */
  por: boolean;
  /** Symmetry reduction ran: asked for, and the model canonicalizes. */
  symmetry: boolean;
}

export interface SearchResult {
  verdict: 'verified' | 'violation' | 'incomplete';
  /** The shortest violation found (the first in `violations`). */
  violation?: Violation;
  /** With findAll: one per distinct kind and code, shortest first. */
  violations?: Violation[];
  /** Why the search ended early: set when incomplete, and with findAll whenever the list may be partial. */
  incompleteReason?: IncompleteReason;
  /** With incompleteReason 'memory': how many states would fit, and what to do (control.ts). */
  memoryMessage?: string;
  /** Summed over every thread's search; with swarm, over searches that each store their own states. */
  stats: SearchStats;
  /** Which search ran, and what only it can say. */
  engine: EngineReport;
}

/** Which search explore ran (see ExploreOptions), and what is particular to it. */
export type EngineReport =
  | { kind: 'sequential'; order: SearchOrder }
  | {
      kind: 'workers';
      /** Threads that searched. */
      workers: number;
      /** The most states the search could store: maxStates, or what maxMemoryBytes allows. */
      capacity: number;
      /** From the call to the moment every worker had built its model and the search began. */
      startupSeconds: number;
    }
  | {
      kind: 'swarm';
      /** Every search of the swarm, by index (search 0 in this thread, in the model's own order). */
      searches: SwarmSearch[];
      /** With a violation: the search that found it. */
      foundBy?: number;
    };

/** One search of a swarm: its verdict and counts, and what its reductions did. */
export interface SwarmSearch extends ReductionCounts {
  /** Search 0 (in this thread) follows the model's own order, the others orders drawn from the seed. */
  index: number;
  verdict: 'verified' | 'violation' | 'incomplete';
  incompleteReason?: IncompleteReason;
  states: number;
  transitions: number;
  maxDepth: number;
  seconds: number;
  bytes: number;
  memoryMessage?: string;
}
