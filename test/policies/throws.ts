/** A policy with a step that throws (test/cli.test.ts). */
import { e57e58bd } from '../../src/drivers/iommu/intel/policies/e57e58bd.ts';
import { replaced } from '../../src/drivers/iommu/intel/policies/edit.ts';
import { fault, type SvmPolicy } from '../../src/drivers/iommu/intel/svm.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';

function next_request(_k: Kernel): never {
  throw new TypeError('boom');
}
const policy: SvmPolicy = {
  ...e57e58bd,
  name: 'throws',
  fault: replaced(e57e58bd.fault, fault.next_request, next_request),
};
export default policy;
