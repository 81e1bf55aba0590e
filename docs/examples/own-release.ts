/**
 * e57e58bd whose ->release is one step of the author's own instead of the built-in two: it reads
 * the notifier's intel_svm and the mm from its frame, the svm's fields by name, clears the PASID
 * entry and flushes every device still bound, one call at a time, remembering in its frame which
 * device it flushed last. Same behaviour as e57e58bd, so the same verdict and the same states.
 */
import {
  bit,
  Ctl,
  e57e58bd,
  flush_pasid_and_range_dev,
  type Kernel,
  Life,
  type ReleaseFrame,
  release,
  replaced,
  type SvmPolicy,
  sdevs,
  without,
} from 'svmsim/policy';

/** intel_mm_release(mn, mm) as e57e58bd has it, in one step. */
function clear_and_flush(k: Kernel, f: ReleaseFrame): Ctl {
  const svm = f.svm;
  // An object reads as its view: compare it, read its fields; never an index + 1.
  if (svm.life !== Life.live || svm.mm !== f.mm) return Ctl.RET;
  // pasid_table[svm->pasid].val = 0: the IOMMU can no longer walk this mm's tables.
  k.hw.writePasidEntry(svm.pasid, {});
  // Every device still on svm->devs, after the one flushed last (f.last, NULL at first).
  for (const sdev of sdevs(k)) {
    if (!(svm.devs & bit(sdev)) || (f.last !== null && sdev.index <= f.last.index)) continue;
    f.last = sdev;
    // Named arguments; this step runs again when the flush returns.
    return k.callAgain(flush_pasid_and_range_dev, { pasid: svm.pasid, sdev });
  }
  return Ctl.NEXT;
}

const policy: SvmPolicy = {
  ...e57e58bd,
  name: 'own-release',
  summary: "e57e58bd, its ->release written as one step of the author's own",
  release: replaced(
    without(e57e58bd.release, release.flush_all_devs),
    release.clear_pasid_entry,
    clear_and_flush,
  ),
};
export default policy;
