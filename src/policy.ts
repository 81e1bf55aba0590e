/**
 * `svmsim/policy`: everything a policy author needs, in one import. A policy (SvmPolicy) lists the
 * steps of the intel-svm driver's four functions; a variant is a short edit of a built-in one, and
 * may add steps of its own. A step gets the kernel context `k` and its routine's frame `f`, whose
 * words are named and typed (`f.svm`, `f.mm`: objects or null); objects read and write by field
 * name (`svm.mm`, `sdev.users`), and the hardware is `k.hw`. docs/policies.md walks through one.
 */

export {
  _PAGE_PRESENT,
  _PAGE_RW,
  framePhys,
  pageOfVa,
  USER_BASE,
  userVa,
} from './arch/x86/pgtable.ts';
export {
  e57e58bd_no_fault_pin,
  e57e58bd_no_release_clear,
} from './drivers/iommu/intel/policies/ablations.ts';
export { e57e58bd } from './drivers/iommu/intel/policies/e57e58bd.ts';
export {
  insertedAfter,
  insertedBefore,
  movedBefore,
  replaced,
  without,
} from './drivers/iommu/intel/policies/edit.ts';
export { builtinPolicies, findPolicy } from './drivers/iommu/intel/policies/index.ts';
export { v4_4 } from './drivers/iommu/intel/policies/v4.4.ts';
export { FLPT_DEFAULT_DID, Qi, qi_submit_sync } from './drivers/iommu/intel/qi.ts';
export {
  idr_find,
  idr_set,
  SdevDef,
  type SdevView,
  SvmDef,
  type SvmView,
  sdevs,
  svms,
} from './drivers/iommu/intel/state.ts';
export {
  type BindFrame,
  bind,
  fault,
  flush_pasid_and_range_dev,
  intel_mm_release,
  intel_svm_bind_mm,
  intel_svm_unbind_mm,
  jumpTargets,
  type PrqFrame,
  prq_event_thread,
  type ReleaseFrame,
  release,
  type SvmPolicy,
  type UnbindFrame,
  unbind,
} from './drivers/iommu/intel/svm.ts';
export type { Hardware, IommuRegs, PciDev } from './hw/hardware.ts';
export { Ctl, ownWordsOnly, type Step } from './kernel/exec.ts';
export {
  type Args,
  declareRoutine,
  defineRoutine,
  type Frame,
  type KDecl,
  type Kernel,
  type KRoutine,
  type KStep,
  PF_EXITING,
  PF_KTHREAD,
} from './kernel/kernel.ts';
export {
  down_read,
  down_write,
  mutex_lock_pasid,
  mutex_unlock_pasid,
  up_read,
  up_write,
} from './kernel/locking.ts';
export { handle_mm_fault } from './kernel/mm/memory.ts';
export { get_task_mm, holder, mmdrop, mmget, mmget_not_zero, mmgrab, mmput } from './kernel/mm/mm.ts';
export { site } from './properties/violations.ts';
export { bit, mask, obj, opt, pasid, ref, value } from './world/fields.ts';
export {
  type FileView,
  type MmView,
  type PageView,
  type TaskView,
  unusedSlot,
  type VmaView,
  type World,
} from './world/layout.ts';
export { Count, Life, Obj } from './world/objects.ts';
export { defineStruct, type View } from './world/struct.ts';
