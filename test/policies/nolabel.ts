/** A policy with a step that jumps to a label its list lacks (test/cli.test.ts). */
import { e57e58bd, fault, type Kernel, replaced, type SvmPolicy } from 'svmsim/policy';

function next_request(k: Kernel) {
  return k.jump('nowhere');
}
const policy: SvmPolicy = {
  ...e57e58bd,
  name: 'nolabel',
  fault: replaced(e57e58bd.fault, fault.next_request, next_request),
};
export default policy;
