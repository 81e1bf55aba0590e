/**
 * The properties svmsim checks (SPEC §4), as violation kinds. None restates a policy's rule: each
 * is a consequence seen in the model — an object touched after it was freed, an object still
 * allocated when everything has stopped, a count driven below zero or a kernel BUG_ON condition
 * met, a kernel WARN_ON condition met (the kernel's own assertion, at its site), a NULL pointer
 * dereferenced (an oops), another PASID's work failing, an actor that waits forever.
 */

export const V = {
  leak: 1,
  'use-after-free': 2,
  refcount: 3,
  disturbance: 4,
  deadlock: 5,
  /** Not a property: the scenario's pools were too small for what the run allocated. */
  capacity: 6,
  /** A WARN_ON() of the modelled kernel function fired (the site names it). */
  warning: 7,
  /** The modelled C dereferences a NULL pointer: an oops. */
  'null-deref': 8,
} as const;
export type ViolationKind = keyof typeof V;

export const violationKind: Record<number, ViolationKind> = Object.fromEntries(
  Object.entries(V).map(([k, v]) => [v, k as ViolationKind]),
);

/**
 * Sites: where in the model a violation was detected ("IOMMU walk read PUD entry"), registered once
 * at load time so that the state stores a small number and the report prints words.
 */
const sites: string[] = [''];
export function site(text: string): number {
  const i = sites.indexOf(text);
  if (i > 0) return i;
  sites.push(text);
  return sites.length - 1;
}
export const siteText = (id: number): string => sites[id] ?? `site ${id}`;
