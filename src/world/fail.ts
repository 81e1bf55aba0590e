/**
 * Records the first violation of a run in the state (kind, object, site, actor), whoever saw it:
 * kernel code or the hardware. The explorer reads it back through Model.violation.
 */
import { V, type ViolationKind } from '../properties/violations.ts';
import type { World } from './layout.ts';

export function recordViolation(
  w: World,
  actor: number,
  kind: ViolationKind,
  objKind: number,
  idx: number,
  site: number,
): void {
  const k = w.kernel;
  if (k.violation !== 0) return;
  k.violation = V[kind];
  k.violation_obj = (objKind << 8) | idx;
  k.violation_arg = site;
  k.violation_actor = actor;
}
