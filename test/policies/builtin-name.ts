/** A user policy that takes a built-in's name (test/cli.test.ts). */
import { v4_4 } from '../../src/drivers/iommu/intel/policies/v4.4.ts';

export default { ...v4_4, name: 'e57e58bd' };
