/**
 * intel-svm's own state (drivers/iommu/intel-svm.c, v4.4/v4.5): struct intel_svm, struct
 * intel_svm_dev and the PASID allocator (pasid_idr), declared here once with their fields' kinds;
 * the system puts them in the world (world/layout.ts DriverState), which knows nothing of them.
 */
import type { Kernel } from '../../../kernel/kernel.ts';
import { mask, ref, special, value, W_SID } from '../../../world/fields.ts';
import type { Dims, DriverArray, DriverPool } from '../../../world/layout.ts';
import { Obj } from '../../../world/objects.ts';
import { defineStruct, type View } from '../../../world/struct.ts';

export const SvmDef = defineStruct('intel_svm', {
  life: value(),
  mm: ref('mm'),
  pasid: value(),
  /** The embedded mmu_notifier: 0 never registered, 1 on the mm's list, 2 unhashed. */
  notifier: value(),
  /** svm->devs: the intel_svm_devs bound through this svm. */
  devs: mask('sdev'),
});
export const SdevDef = defineStruct('intel_svm_dev', {
  life: value(),
  svm: ref('svm'),
  dev: ref('device'),
  users: value(),
  did: value(),
  /** The device's requester id (renamed with its device when processes are exchanged). */
  sid: special(W_SID),
  dev_iotlb: value(),
  /** sdev->ops: 1 when the client passed svm_dev_ops with a fault_cb, else 0. */
  ops: value(),
});

export type SvmView = View<typeof SvmDef.fields>;
export type SdevView = View<typeof SdevDef.fields>;

declare module '../../../world/fields.ts' {
  interface Pools {
    svm: SvmView;
    sdev: SdevView;
  }
}

/** pasid_idr: PASID → its intel_svm. */
const IDR = 'pasid_idr';

/** What intel-svm adds to a system's state, for pool sizes `d`. */
export function intelSvmState(d: Dims): { pools: DriverPool[]; arrays: DriverArray[] } {
  return {
    pools: [
      { kind: Obj.svm, def: SvmDef, count: d.svms },
      { kind: Obj.sdev, def: SdevDef, count: d.sdevs },
    ],
    arrays: [{ name: IDR, words: d.pasids, kind: ref('svm'), allocates: Obj.pasid }],
  };
}

export const svms = (k: Kernel): SvmView[] => k.w.pool('svm');
export const sdevs = (k: Kernel): SdevView[] => k.w.pool('sdev');

/** idr_find(&pasid_idr, pasid). */
export function idr_find(k: Kernel, pasid: number): SvmView | null {
  // An id the model never allocates (a device's made-up PASID, hw/pci) finds nothing.
  if (pasid < 0 || pasid >= k.w.dims.pasids) return null;
  return k.w.arrayAt(IDR, pasid) as SvmView | null;
}

/** idr_alloc's store, or idr_remove (svm null). */
export function idr_set(k: Kernel, pasid: number, svm: SvmView | null): void {
  k.w.setArrayAt(IDR, pasid, svm);
}
