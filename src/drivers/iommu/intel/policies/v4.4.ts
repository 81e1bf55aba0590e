/**
 * v4.4: intel-svm as first merged (Linux v4.4, 2015). The binding keeps the get_task_mm pin on
 * mm_users for its whole life; unbind drops it last. ->release only clears the PASID entry (and
 * WARNs if a device is still bound, which it assumed could not happen). The
 * page-request handler uses svm->mm without pinning it.
 */
import { bind, fault, release, type SvmPolicy, unbind } from '../svm.ts';

export const v4_4: SvmPolicy = {
  name: 'v4.4',
  aliases: ['mm_users'],
  summary: 'before e57e58bd390: the binding holds mm_users',
  bind: [
    bind.get_task_mm,
    bind.mutex_lock,
    bind.find_svm_by_mm,
    bind.alloc_sdev,
    bind.alloc_svm,
    bind.mmu_notifier_register,
    bind.write_pasid_entry,
    bind.list_add_sdev,
    bind.success,
    bind.out,
    bind.keep_mm_users_pin,
    bind.ret,
  ],
  unbind: [
    unbind.mutex_lock,
    unbind.idr_find,
    unbind.sdev_put,
    unbind.list_del_rcu,
    unbind.flush_dev,
    unbind.kfree_rcu_sdev,
    unbind.devs_empty,
    unbind.mmu_notifier_unregister,
    unbind.idr_remove,
    unbind.mmput,
    unbind.kfree_svm,
    unbind.out,
    unbind.ret,
  ],
  release: [release.clear_pasid_entry, release.warn_on_devs, release.ret],
  fault: [
    fault.wait_for_irq,
    fault.next_request,
    fault.check_pasid_present,
    fault.find_svm,
    fault.down_read_mmap_sem,
    fault.find_vma,
    fault.handle_mm_fault,
    fault.result_success,
    fault.invalid,
    fault.bad_req,
    fault.fault_cb,
    fault.no_pasid,
    fault.advance_head,
  ],
};
