/**
 * MMU notifiers (mm/mmu_notifier.c, v4.5, SRCU form). In the model the only notifier user is
 * intel-svm: notifier n is the one embedded in intel_svm n, and its ops are the policy's.
 *
 * ->release runs exactly once per notifier, from whichever of exit_mmap (via
 * __mmu_notifier_release) and mmu_notifier_unregister comes first; unregister then waits for a
 * running callback (synchronize_srcu) and always drops the mm_count that register took.
 * (v4.5 calls every ->release and only then unhashes the list, so the two paths can overlap; the
 * model follows SPEC §1.4, where the claim that release runs once is marked firm.)
 */
import { site } from '../../properties/violations.ts';
import { Obj } from '../../world/objects.ts';
import { Ctl } from '../exec.ts';
import { defineRoutine } from '../kernel.ts';
import { down_write, up_write } from '../locking.ts';
import { holder, mmdrop, mmgrab } from './mm.ts';

/** svm.notifier states. */
export const MN_NONE = 0;
export const MN_HASHED = 1;
export const MN_UNHASHED = 2;
export const MN_UNREGISTERED = 3;
/** svm.released: release not run, running, done. */
export const REL_NONE = 0;
export const REL_RUNNING = 1;
export const REL_DONE = 2;

const S_REGISTER_DEAD = site('mmu_notifier_register: BUG_ON(atomic_read(&mm->mm_users) <= 0)');
const S_NOTIFIER_MM = site('mmu notifier touches a freed mm');
const S_NOTIFIER_SVM = site('mmu notifier callback on a freed intel_svm');

/** mmu_notifier_register(&svm->notifier, mm): a0 = svm, a1 = mm. Takes mmap_sem for write. */
export const mmu_notifier_register = defineRoutine('mmu_notifier_register(svm, mm)', [
  function down_write_mmap_sem(k) {
    return down_write(k, k.a1) ? Ctl.NEXT : Ctl.BLOCK;
  },
  function hlist_add(k) {
    const mm = k.a1;
    const m = k.w.mm[mm];
    if (!k.live(Obj.mm, m.life, mm, S_NOTIFIER_MM)) return Ctl.RET;
    if (m.mm_users <= 0) k.fail('refcount', Obj.mm, mm, S_REGISTER_DEAD);
    mmgrab(k, mm, holder(Obj.notifier, k.a0));
    m.notifiers |= 1 << k.a0;
    k.w.svm[k.a0].notifier = MN_HASHED;
    up_write(k, mm);
    return Ctl.RET;
  },
]);

/** exit_mmap's first step: call every registered ->release, then unhash them all. a0 = mm. */
export const __mmu_notifier_release = defineRoutine('__mmu_notifier_release(mm, svm+1)', [
  function call_release(k) {
    // a1 = the notifier (+1) whose ->release just returned to us.
    if (k.a1 !== 0) k.w.svm[k.a1 - 1].released = REL_DONE;
    k.a1 = 0;
    const m = k.w.mm[k.a0];
    for (let n = 0; n < k.w.svm.length; n++) {
      if (!(m.notifiers & (1 << n))) continue;
      const svm = k.w.svm[n];
      if (!k.live(Obj.svm, svm.life, n, S_NOTIFIER_SVM)) return Ctl.RET;
      if (svm.released !== REL_NONE) continue;
      svm.released = REL_RUNNING;
      k.a1 = n + 1;
      return k.call(k.cfg.svmOps.release, n, k.a0, 0, true);
    }
    return Ctl.NEXT;
  },
  function hlist_del_all(k) {
    const m = k.w.mm[k.a0];
    for (let n = 0; n < k.w.svm.length; n++) if (m.notifiers & (1 << n)) k.w.svm[n].notifier = MN_UNHASHED;
    m.notifiers = 0;
    return Ctl.RET;
  },
]);

/** mmu_notifier_unregister(&svm->notifier, mm): a0 = svm, a1 = mm; a2 set while our ->release runs. */
export const mmu_notifier_unregister = defineRoutine('mmu_notifier_unregister(svm, mm, flag)', [
  function release_if_hashed(k) {
    const svm = k.w.svm[k.a0];
    if (!k.live(Obj.svm, svm.life, k.a0, S_NOTIFIER_SVM)) return Ctl.RET;
    if (svm.notifier === MN_HASHED && svm.released === REL_NONE) {
      svm.released = REL_RUNNING;
      k.a2 = 1;
      return k.call(k.cfg.svmOps.release, k.a0, k.a1);
    }
    return Ctl.NEXT;
  },
  function hlist_del(k) {
    const svm = k.w.svm[k.a0];
    if (k.a2 === 1) svm.released = REL_DONE;
    if (svm.notifier === MN_HASHED) {
      const m = k.w.mm[k.a1];
      if (!k.live(Obj.mm, m.life, k.a1, S_NOTIFIER_MM)) return Ctl.RET;
      m.notifiers &= ~(1 << k.a0);
    }
    svm.notifier = MN_UNREGISTERED;
    return Ctl.NEXT;
  },
  function synchronize_srcu(k) {
    // Waits until a ->release that exit_mmap is running on another actor has returned.
    return k.w.svm[k.a0].released === REL_RUNNING ? Ctl.BLOCK : Ctl.NEXT;
  },
  function mmdrop_notifier_ref(k) {
    mmdrop(k, k.a1, holder(Obj.notifier, k.a0));
    return Ctl.RET;
  },
]);
