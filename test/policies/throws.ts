/** A policy with a step that throws (test/cli.test.ts). */
import { e57e58bd, fault, type Kernel, replaced, type SvmPolicy } from 'svmsim/policy';

function next_request(_k: Kernel): never {
  throw new TypeError('boom');
}
const policy: SvmPolicy = {
  ...e57e58bd,
  name: 'throws',
  fault: replaced(e57e58bd.fault, fault.next_request, next_request),
};
export default policy;
