/**
 * e57e58bd: "iommu/vt-d: Fix mm refcounting to hold mm_count not mm_users" (Linux v4.5).
 * As v4.4, but: bind drops its get_task_mm pin, so the binding holds only the notifier's
 * mm_count; unbind frees the PASID before unregistering and does no mmput; ->release clears the
 * PASID entry and flushes every device's caches, because it now runs from exit_mmap while devices
 * are still bound; the page-request handler pins mm_users with inc-not-zero around the fault.
 */
import { bind, fault, release, type SvmPolicy, unbind } from '../svm.ts';
import { v4_4 } from './v4.4.ts';

export const e57e58bd: SvmPolicy = {
  name: 'e57e58bd',
  aliases: ['mm_count'],
  summary: 'the fix: the binding holds mm_count; release clears the PASID entry; faults pin mm_users',
  bind: v4_4.bind.map((s) => (s === bind.keep_mm_users_pin ? bind.mmput : s)),
  unbind: [
    unbind.mutex_lock,
    unbind.idr_find,
    unbind.sdev_put,
    unbind.list_del_rcu,
    unbind.flush_dev,
    unbind.kfree_rcu_sdev,
    unbind.devs_empty,
    unbind.idr_remove,
    unbind.mmu_notifier_unregister,
    unbind.kfree_svm,
    unbind.out,
    unbind.ret,
  ],
  release: [release.clear_pasid_entry, release.flush_all_devs, release.ret],
  fault: v4_4.fault.flatMap((s) =>
    s === fault.find_svm ? [s, fault.mmget_not_zero] : s === fault.bad_req ? [fault.mmput, s] : [s],
  ),
};
