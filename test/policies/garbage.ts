/** A policy with a step that returns what is not a Ctl (test/cli.test.ts). */
import { e57e58bd, fault, type Kernel, replaced, type SvmPolicy } from 'svmsim/policy';

function next_request(_k: Kernel) {
  return 'yes' as never;
}
const policy: SvmPolicy = {
  ...e57e58bd,
  name: 'garbage',
  fault: replaced(e57e58bd.fault, fault.next_request, next_request),
};
export default policy;
