/**
 * A policy whose page-request handler never returns from one step (test/hostile.test.ts); with
 * SVMSIM_TEST_NO_LOOP set it handles requests as e57e58bd does, to write a trace that replay then
 * runs into the loop.
 */
import { writeFileSync } from 'node:fs';
import { e57e58bd, fault, type Kernel, type PrqFrame, replaced, type SvmPolicy } from 'svmsim/policy';

const original = fault.next_request;

function next_request(k: Kernel, f: PrqFrame) {
  if (process.env.SVMSIM_TEST_NO_LOOP) return original(k, f);
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
