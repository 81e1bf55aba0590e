/**
 * Editing a policy's step lists, so that a variant reads as its diff from another policy:
 * `without(e57e58bd.fault, fault.mmget_not_zero, fault.mmput)`.
 */
/** A step of any routine: an edit keeps the list's own step type. */
type Step = (...args: never[]) => unknown;

const at = <S extends Step>(list: readonly S[], step: S): number => {
  const i = list.indexOf(step);
  if (i < 0) throw new Error(`policy edit: step '${step.name}' is not in the list`);
  return i;
};

/** The list without these steps. */
export const without = <S extends Step>(list: readonly S[], ...steps: S[]): S[] => {
  for (const s of steps) at(list, s);
  return list.filter((s) => !steps.includes(s));
};

/** The list with `old` replaced by `steps`. */
export const replaced = <S extends Step>(list: readonly S[], old: S, ...steps: S[]): S[] => {
  const i = at(list, old);
  return [...list.slice(0, i), ...steps, ...list.slice(i + 1)];
};

/** The list with `steps` inserted just before `anchor`. */
export const insertedBefore = <S extends Step>(list: readonly S[], anchor: S, ...steps: S[]): S[] => {
  const i = at(list, anchor);
  return [...list.slice(0, i), ...steps, ...list.slice(i)];
};

/** The list with `steps` inserted just after `anchor`. */
export const insertedAfter = <S extends Step>(list: readonly S[], anchor: S, ...steps: S[]): S[] =>
  insertedBefore(list, list[at(list, anchor) + 1] ?? anchor, ...steps);

/** The list with `step` moved to just before `anchor`. */
export const movedBefore = <S extends Step>(list: readonly S[], step: S, anchor: S): S[] =>
  insertedBefore(without(list, step), anchor, step);
