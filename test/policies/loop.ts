/** A policy whose page-request handler never returns from one step (test/hostile.test.ts). */
import { writeFileSync } from 'node:fs';
import { e57e58bd, fault, type Kernel, replaced, type SvmPolicy } from 'svmsim/policy';

function next_request(_k: Kernel): never {
  // Tells a waiting test that the loop has begun (test/hostile.test.ts sends Ctrl-C then).
  if (process.env.SVMSIM_TEST_LOOPING) writeFileSync(process.env.SVMSIM_TEST_LOOPING, 'looping\n');
  for (;;) {}
}
const policy: SvmPolicy = {
  ...e57e58bd,
  name: 'loops',
  fault: replaced(e57e58bd.fault, fault.next_request, next_request as never),
};
export default policy;
