/** The built-in policies, by name, and how a policy is looked up or loaded from a file. */
import type { SvmPolicy } from '../svm.ts';
import { e57e58bd_no_fault_pin, e57e58bd_no_ppr_clear, e57e58bd_no_release_clear } from './ablations.ts';
import { e57e58bd } from './e57e58bd.ts';
import { v4_4 } from './v4.4.ts';

export const builtinPolicies: readonly SvmPolicy[] = [
  v4_4,
  e57e58bd,
  e57e58bd_no_release_clear,
  e57e58bd_no_fault_pin,
  e57e58bd_no_ppr_clear,
];

/** The policies compared by `svmsim check` with no --policy: the historic two. */
export const defaultPolicies: readonly SvmPolicy[] = [v4_4, e57e58bd];

export function findPolicy(name: string): SvmPolicy | undefined {
  return builtinPolicies.find((p) => p.name === name || p.aliases?.includes(name));
}
