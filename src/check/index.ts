/**
 * The explorer's public surface, for front ends and for the models that plug into it. Everything
 * else in this folder is its machinery.
 */

export { auditReductions } from './audit.ts';
export {
  MAX_CHOICES,
  type Model,
  markResource,
  packTransition,
  type Transition,
  transitionActor,
  transitionChoice,
} from './model.ts';
export {
  explore,
  type IncompleteReason,
  type Progress,
  type ReductionStats,
  type SearchOptions,
  type SearchOrder,
  type SearchResult,
  type SearchStats,
  type Violation,
  type ViolationKind,
} from './search.ts';
export { sortBlocks } from './symmetry.ts';
export { finalState, replay } from './trace.ts';
