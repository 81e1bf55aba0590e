/**
 * MMU notifiers (mm/mmu_notifier.c, the SRCU form of v3.10 to v5.4; see docs/fidelity.md for the
 * copies read). In the model the only notifier user is intel-svm: notifier n is the one embedded
 * in intel_svm n, and its ops are the policy's.
 *
 * Nothing in the notifier core makes ->release run once:
 *  - __mmu_notifier_release (exit_mmap's first step) calls ->release of every notifier still on
 *    the mm's list, inside one SRCU read section, then unhashes them all, then synchronize_srcu();
 *  - mmu_notifier_unregister calls ->release itself when the notifier is still hashed, even if
 *    exit_mmap's loop has already called it or is calling it now, then unhashes it, then
 *    synchronize_srcu(), then drops the mm_count that register took.
 * So ->release can run twice, and on two actors at once; a release that is not idempotent, or
 * that blocks, runs here as the kernel runs it.
 *
 * SRCU is one global srcu_struct in the C. The model counts the actors inside a read section
 * (kernel.srcu_readers), and synchronize_srcu() waits until that count is zero. The C waits only
 * for the sections that began before it; waiting also for later ones can delay the synchronizer
 * further but never lets it through earlier (docs/fidelity.md: it can hide, never add, an
 * interleaving where the synchronizer overtakes a reader that began after it).
 */
import { site } from '../../properties/violations.ts';
import { bit, obj, ref, value } from '../../world/fields.ts';
import { Obj } from '../../world/objects.ts';
import { Ctl } from '../exec.ts';
import { defineRoutine, type Kernel } from '../kernel.ts';
import { down_write_mmap_sem, up_write } from '../locking.ts';
import { holder, mmdrop, mmgrab } from './mm.ts';

/** svm.notifier: never registered, on the mm's list, unhashed (hlist_del_init_rcu). */
export const MN_NONE = 0;
export const MN_HASHED = 1;
export const MN_UNHASHED = 2;

const S_REGISTER_DEAD = site('mmu_notifier_register: BUG_ON(atomic_read(&mm->mm_users) <= 0)');
const S_NOTIFIER_MM = site('mmu notifier touches a freed mm');
const S_NOTIFIER_SVM = site('mmu notifier callback on a freed intel_svm');

/** srcu_read_lock(&srcu) / srcu_read_unlock(&srcu, id). */
const srcuEnter = (k: Kernel): void => {
  k.w.kernel.srcu_readers++;
};
const srcuLeave = (k: Kernel): void => {
  k.w.kernel.srcu_readers--;
};
/** synchronize_srcu(&srcu) may return: no reader is inside a read section. */
const srcuIdle = (k: Kernel): boolean => k.w.kernel.srcu_readers === 0;

/**
 * The notifiers of the model are the ones embedded in intel_svms: notifier n is svm n's (kernel.ts
 * KernelConfig.svmOps has their ops), so the notifier core reads svm.notifier and mm.notifiers.
 */
const svms = (k: Kernel) => k.w.pool('svm');

/** mmu_notifier_register(&svm->notifier, mm). Takes mmap_sem for write. */
export const mmu_notifier_register = defineRoutine({
  name: 'mmu_notifier_register',
  frame: { svm: obj('svm'), mm: obj('mm') },
  steps: [
    down_write_mmap_sem,
    /** mm_count++ then hlist_add_head under mmu_notifier_mm->lock; BUG_ON a dead mm. */
    function hlist_add(k, f) {
      const m = f.mm;
      if (!k.live(Obj.mm, m.life, m.index, S_NOTIFIER_MM)) return Ctl.RET;
      if (m.mm_users <= 0) k.fail('refcount', Obj.mm, m.index, S_REGISTER_DEAD);
      mmgrab(k, m.index, holder(Obj.notifier, f.svm.index));
      m.notifiers |= bit(f.svm);
      f.svm.notifier = MN_HASHED;
      up_write(k, m.index);
      return Ctl.RET;
    },
  ],
});

/**
 * exit_mmap's first step. `last` is the notifier (its svm) whose ->release the list walk called
 * last, so the walk goes on after it (NULL before the first). The walk visits the notifiers in
 * index order (the C's list is newest first: a simplification, since one mm has one intel-svm
 * notifier per binding and their order does not matter to intel-svm).
 */
export const __mmu_notifier_release = defineRoutine({
  name: '__mmu_notifier_release',
  frame: { mm: obj('mm'), last: ref('svm') },
  calls: (cfg) => [cfg.svmOps.release],
  steps: [
    function srcu_read_lock(k) {
      srcuEnter(k);
      return Ctl.NEXT;
    },
    /** hlist_for_each_entry_rcu(mn, &mm->mmu_notifier_mm->list): mn->ops->release(mn, mm). */
    function call_release(k, f) {
      const m = f.mm;
      const all = svms(k);
      for (let n = f.last ? f.last.index + 1 : 0; n < all.length; n++) {
        if (!(m.notifiers & bit(all[n]))) continue;
        f.last = all[n];
        if (!k.live(Obj.svm, all[n].life, n, S_NOTIFIER_SVM)) return Ctl.RET;
        return k.callAgain(k.cfg.svmOps.release, { svm: all[n], mm: m });
      }
      return Ctl.NEXT;
    },
    /** srcu_read_unlock, then unhash every notifier still on the list (hlist_del_init_rcu). */
    function hlist_del_all(k, f) {
      srcuLeave(k);
      const m = f.mm;
      for (const svm of svms(k)) if (m.notifiers & bit(svm)) svm.notifier = MN_UNHASHED;
      m.notifiers = 0;
      return Ctl.NEXT;
    },
    /** Waits for a ->release that mmu_notifier_unregister is running on another actor. */
    function synchronize_srcu(k) {
      return srcuIdle(k) ? Ctl.RET : Ctl.BLOCK;
    },
  ],
});

/** mmu_notifier_unregister(&svm->notifier, mm); `releasing` is set while our ->release runs. */
export const mmu_notifier_unregister = defineRoutine({
  name: 'mmu_notifier_unregister',
  frame: { svm: obj('svm'), mm: obj('mm'), releasing: value() },
  calls: (cfg) => [cfg.svmOps.release],
  steps: [
    /** if (!hlist_unhashed(&mn->hlist)): srcu_read_lock, mn->ops->release(mn, mm). */
    function release_if_hashed(k, f) {
      const svm = f.svm;
      if (!k.live(Obj.svm, svm.life, svm.index, S_NOTIFIER_SVM)) return Ctl.RET;
      if (svm.notifier !== MN_HASHED) return k.jump('synchronize_srcu');
      srcuEnter(k);
      f.releasing = 1;
      return k.call(k.cfg.svmOps.release, { svm, mm: f.mm });
    },
    /** srcu_read_unlock, then hlist_del_init_rcu (a no-op if exit_mmap unhashed it meanwhile). */
    function hlist_del(k, f) {
      srcuLeave(k);
      f.releasing = 0;
      const svm = f.svm;
      if (svm.notifier === MN_HASHED) {
        const m = f.mm;
        if (!k.live(Obj.mm, m.life, m.index, S_NOTIFIER_MM)) return Ctl.RET;
        m.notifiers &= ~bit(svm);
        svm.notifier = MN_UNHASHED;
      }
      return Ctl.NEXT;
    },
    /** Waits for a ->release that exit_mmap is running on another actor (and any other reader). */
    function synchronize_srcu(k) {
      return srcuIdle(k) ? Ctl.NEXT : Ctl.BLOCK;
    },
    function mmdrop_notifier_ref(k, f) {
      mmdrop(k, f.mm.index, holder(Obj.notifier, f.svm.index));
      return Ctl.RET;
    },
  ],
});
