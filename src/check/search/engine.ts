/**
 * What the driver in search.ts needs from a search order: resumable slices of work, and the counters
 * behind progress reports and the final statistics.
 */

import type { StateGraph } from '../liveness/graph.ts';
import { MAX_CHOICES } from '../model.ts';
import type { VisitedSet } from '../store/visited.ts';
import type { Findings, ViolationKind } from './findings.ts';

export interface EngineConfig {
  maxStates: number;
  /** States at this depth are expanded only to look their successors up, never to add them. */
  maxDepth: number;
  findAll: boolean;
  hashCompaction: boolean;
  /** Only this violation counts; states with any other violation are pruned silently. */
  target: { kind: ViolationKind; code: number } | null;
  /** Partial-order reduction (por.ts); set only for a model that declares footprints. */
  por: boolean;
  /** Symmetry reduction (symmetry.ts); set only for a model that canonicalizes. */
  symmetry: boolean;
  /** Liveness: where the BFS records every edge it steps (liveness/graph.ts). */
  graph?: StateGraph;
}

/** What the reductions did: search.ts reports these as stats.reduced. */
export interface ReductionCounts {
  /** States expanded through an ample set (one actor's moves) instead of every actor's. */
  ampleStates: number;
  /** States whose ample set the cycle proviso rejected, expanded fully instead. */
  provisoFallbacks: number;
  /** Successors that canonicalize moved to the representative of their orbit. */
  canonicalized: number;
}

export interface Engine {
  readonly visited: VisitedSet;
  readonly findings: Findings;
  readonly transitions: number;
  /** Depth being worked on: the BFS level, or the DFS stack height. */
  readonly depth: number;
  /** Deepest stored state. */
  readonly maxDepth: number;
  /** States stored but not yet expanded: the BFS queue, or the DFS stack. */
  readonly queued: number;
  readonly bytes: number;
  /** Set when maxStates stopped the search, or maxDepth kept a new state out of it. */
  readonly cutBy: 'max-states' | 'max-depth' | null;
  readonly reduced: ReductionCounts;
  /**
   * Works until `performance.now()` passes `deadline` or the search is over; returns true when it is
   * over (explored, stopped at a violation, or at maxStates).
   */
  runSlice(deadline: number): boolean;
  /** Makes the findings final with what is known now (after a stop between slices, say). */
  settle(): void;
}

/** Choices are packed into 8 bits of a transition (model.ts); more would corrupt traces. */
export function tooManyChoices(actor: number, choices: number): Error {
  return new Error(
    `model.choices() gave ${choices} choices for actor ${actor}; at most ${MAX_CHOICES} are allowed`,
  );
}
