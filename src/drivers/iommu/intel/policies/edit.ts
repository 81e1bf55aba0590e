/**
 * Editing a policy's step lists, so that a variant reads as its diff from another policy:
 * `without(e57e58bd.fault, fault.mmget_not_zero, fault.mmput)`.
 */
import type { KStep } from '../../../../kernel/kernel.ts';

type Steps = readonly KStep[];

const at = (list: Steps, step: KStep): number => {
  const i = list.indexOf(step);
  if (i < 0) throw new Error(`policy edit: step '${step.name}' is not in the list`);
  return i;
};

/** The list without these steps. */
export const without = (list: Steps, ...steps: KStep[]): KStep[] => {
  for (const s of steps) at(list, s);
  return list.filter((s) => !steps.includes(s));
};

/** The list with `old` replaced by `steps`. */
export const replaced = (list: Steps, old: KStep, ...steps: KStep[]): KStep[] => {
  const i = at(list, old);
  return [...list.slice(0, i), ...steps, ...list.slice(i + 1)];
};

/** The list with `steps` inserted just before `anchor`. */
export const insertedBefore = (list: Steps, anchor: KStep, ...steps: KStep[]): KStep[] => {
  const i = at(list, anchor);
  return [...list.slice(0, i), ...steps, ...list.slice(i)];
};

/** The list with `steps` inserted just after `anchor`. */
export const insertedAfter = (list: Steps, anchor: KStep, ...steps: KStep[]): KStep[] =>
  insertedBefore(list, list[at(list, anchor) + 1] ?? anchor, ...steps);

/** The list with `step` moved to just before `anchor`. */
export const movedBefore = (list: Steps, step: KStep, anchor: KStep): KStep[] =>
  insertedBefore(without(list, step), anchor, step);
