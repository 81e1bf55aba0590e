/**
 * e57e58bd: "iommu/vt-d: Fix mm refcounting to hold mm_count not mm_users" (Linux v4.5),
 * as its diff from v4.4:
 *  - bind drops its get_task_mm pin (`if (mm) mmput(mm)`), so the binding holds only the
 *    notifier's mm_count;
 *  - unbind frees the PASID before unregistering the notifier, and does no mmput;
 *  - ->release clears the PASID entry and flushes every device's caches, because it now runs from
 *    exit_mmap while devices are still bound;
 *  - the page-request handler pins mm_users with inc-not-zero around the fault, and answers
 *    Invalid Request for a defunct mm.
 */
import { bind, fault, release, type SvmPolicy, unbind } from '../svm.ts';
import { insertedAfter, insertedBefore, movedBefore, replaced, without } from './edit.ts';
import { v4_4 } from './v4.4.ts';

export const e57e58bd: SvmPolicy = {
  name: 'e57e58bd',
  aliases: ['mm_count'],
  summary: 'the fix: the binding holds mm_count; release clears the PASID entry; faults pin mm_users',
  bind: replaced(v4_4.bind, bind.keep_mm_users_pin, bind.mmput),
  unbind: without(movedBefore(v4_4.unbind, unbind.idr_remove, unbind.mmu_notifier_unregister), unbind.mmput),
  release: replaced(v4_4.release, release.warn_on_devs, release.flush_all_devs),
  fault: insertedBefore(
    insertedAfter(v4_4.fault, fault.find_svm, fault.mmget_not_zero),
    fault.bad_req,
    fault.mmput,
  ),
};
