/**
 * A worked example of the policy API: the ablation e57e58bd-no-fault-pin, written as a user
 * would write their own policy. It is e57e58bd with the page-request handler's inc-not-zero pin
 * (and the mmput that drops it) taken out.
 *
 *   npx svmsim check seed-accel-dma --policy docs/examples/no-fault-pin.ts
 */
import { e57e58bd, fault, type SvmPolicy, without } from 'svmsim/policy';

const policy: SvmPolicy = {
  ...e57e58bd,
  name: 'my-no-fault-pin',
  summary: 'e57e58bd without the fault handler pinning mm_users',
  fault: without(e57e58bd.fault, fault.mmget_not_zero, fault.mmput),
};

export default policy;
