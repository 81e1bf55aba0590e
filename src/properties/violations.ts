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
 * at load time so that the state stores a number and the report prints words. Site 0 is none.
 */
const sites = new Map<number, string>([[0, '']]);
/**
 * The site's number is a hash of its text, not the order sites were registered in, so that the
 * number a state stores does not depend on which modules a program happened to import first.
 */
export function site(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  const id = h >>> 1 || 1;
  const known = sites.get(id);
  if (known !== undefined && known !== text) throw new Error(`site '${text}' has the number of '${known}'`);
  sites.set(id, text);
  return id;
}
export const siteText = (id: number): string => sites.get(id) ?? `site ${id}`;
