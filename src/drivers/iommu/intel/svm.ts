/**
 * The Intel SVM driver (drivers/iommu/intel-svm.c, v4.4/v4.5): the steps its functions are made
 * of. A policy (policies/) lists, for each of bind, unbind, the notifier's ->release and the
 * page-request handler, which of these steps run and in what order; the steps themselves are
 * shared, so a historic variant or an ablation is a short diff of another policy.
 *
 * Frames:
 *   intel_svm_bind_mm    a0 = device | created << 8, a1 = mm + 1, a2 = svm + 1, a3 = sdev + 1, a4 = file
 *                        (returns PASID + 1 in the caller's a1, sdev + 1 in the caller's a2)
 *   intel_svm_unbind_mm  a0 = device, a1 = PASID, a2 = svm + 1, a3 = sdev + 1, a4 = file
 *   intel_mm_release     a0 = svm, a1 = mm, a2 = next sdev to flush
 *   prq_event_thread     a0 = head slot, a1 = tail slot, a2 = svm + 1 (NULL again after each
 *                        request), a3 = result, a4 = the mm (+1) whose mmap_sem is held,
 *                        a5 = the sdev (+1) bad_req found for the request
 * The file is recorded as the holder of the binding (sdev->users), as a ref_tracker would.
 */
import { framePhys, userVa } from '../../../arch/x86/pgtable.ts';
import { prsWrite, respName } from '../../../hw/vtd/iommu.ts';
import { DMA_PRS, DMAR_CAP, DMAR_ECAP, PAGE_REQ_DSC, PASID_ENTRY, QI_RESP } from '../../../hw/vtd/layouts.ts';
import { Ctl, ownWordsOnly } from '../../../kernel/exec.ts';
import { defineRoutine, type Kernel, type KStep } from '../../../kernel/kernel.ts';
import { down_read, mutex_lock_pasid, mutex_unlock_pasid, up_read } from '../../../kernel/locking.ts';
import { handle_mm_fault } from '../../../kernel/mm/memory.ts';
import { get_task_mm, holder, mmget_not_zero, mmput } from '../../../kernel/mm/mm.ts';
import { VM_EXEC, VM_READ, VM_WRITE } from '../../../kernel/mm/mmap.ts';
import { mmu_notifier_register, mmu_notifier_unregister } from '../../../kernel/mm/mmu_notifier.ts';
import { site } from '../../../properties/violations.ts';
import { unusedSlot } from '../../../world/layout.ts';
import { Count, Life, Obj } from '../../../world/objects.ts';
import { FLPT_DEFAULT_DID, Qi, qi_submit_sync } from './qi.ts';

const S_SVM = site('intel-svm dereferences a freed intel_svm');
const S_SDEV = site('intel-svm dereferences a freed intel_svm_dev');
const S_FAULT_MM = site('prq_event_thread dereferences svm->mm, a freed mm');
const S_BIND_NO_MM = site('intel_svm_bind_mm: BUG_ON(!mm) (get_task_mm failed)');
const S_UNBIND_USERS = site('intel_svm_unbind_mm: sdev->users below zero');
const S_BADREQ_NULL_SVM = site(
  'prq_event_thread bad_req: list_for_each_entry_rcu(sdev, &svm->devs) with svm NULL',
);
const S_BADREQ_NO_SDEV = site(
  "prq_event_thread: WARN_ON(&sdev->list == &svm->devs) (no bound device has the request's requester id)",
);
const S_RELEASE_DEVS = site('intel_mm_release (v4.4): WARN_ON(!list_empty(&svm->devs))');

const dev = (k: Kernel) => k.a0 & 0xff;
const svmOf = (k: Kernel) => k.a2 - 1;

// --- intel_svm_bind_mm -------------------------------------------------------------------

export const bind = {
  get_task_mm(k: Kernel): Ctl {
    const mm = get_task_mm(k, k.actor, holder(Obj.actor, k.actor));
    if (mm < 0) {
      k.fail('refcount', Obj.task, k.actor, S_BIND_NO_MM);
      return Ctl.RET;
    }
    k.a1 = mm + 1;
    return Ctl.NEXT;
  },
  mutex_lock(k: Kernel): Ctl {
    return mutex_lock_pasid(k) ? Ctl.NEXT : Ctl.BLOCK;
  },
  /** idr_for_each_entry: reuse the svm of this mm; a device already bound just gets users++. */
  find_svm_by_mm(k: Kernel): Ctl {
    for (const svm of k.w.svm) {
      if (svm.life !== Life.live || svm.mm !== k.a1 || k.s[k.w.idrBase + svm.pasid] !== svm.index + 1)
        continue;
      k.a2 = svm.index + 1;
      for (const sd of k.w.sdev) {
        if (sd.life !== Life.live || sd.svm !== svm.index + 1 || sd.dev !== dev(k) + 1) continue;
        sd.users++;
        k.get(Count.sdev_users, Obj.sdev, sd.index, Obj.file, k.a4);
        k.a3 = sd.index + 1;
        return k.jump('success');
      }
      return Ctl.NEXT;
    }
    return Ctl.NEXT;
  },
  alloc_sdev(k: Kernel): Ctl {
    // The sdev belongs to the svm's owner: the task of mm a1 - 1 (world/layout.ts).
    const sd = unusedSlot(k.w.sdev, k.a1 - 1, k.w.dims.per.sdevs);
    if (!sd) {
      k.fail('capacity', Obj.sdev, 0, 0);
      return Ctl.RET;
    }
    sd.life = Life.live;
    sd.dev = dev(k) + 1;
    sd.users = 1;
    sd.did = FLPT_DEFAULT_DID;
    sd.sid = k.cfg.devices[dev(k)].sid;
    // sdev->ops = ops: the client driver's svm_dev_ops, when it registered a fault_cb.
    sd.ops = k.cfg.devices[dev(k)].faultCb ? 1 : 0;
    // intel_iommu_enable_pasid: ATS is used when both the IOMMU and the device support it.
    sd.dev_iotlb = DMAR_ECAP.get(k.s, k.hw.regs.base + 2, 'DT') && k.cfg.devices[dev(k)].ats ? 1 : 0;
    k.get(Count.sdev_users, Obj.sdev, sd.index, Obj.file, k.a4);
    k.a3 = sd.index + 1;
    return k.a2 ? k.jump('list_add_sdev') : Ctl.NEXT;
  },
  /**
   * kzalloc the svm and idr_alloc its PASID: the lowest free id from `!!cap_caching_mode(cap)`,
   * below `2 << ecap_pss(ecap)` (the model has as many PASID slots as the scenario can bind).
   */
  alloc_svm(k: Kernel): Ctl {
    const svm = unusedSlot(k.w.svm, k.a1 - 1, k.w.dims.per.svms);
    const regs = k.hw.regs.base;
    let pasid = DMAR_CAP.get(k.s, regs, 'CM');
    const pasidMax = Math.min(k.w.dims.pasids, 2 << DMAR_ECAP.get(k.s, regs + 2, 'PSS'));
    while (pasid < pasidMax && k.s[k.w.idrBase + pasid] !== 0) pasid++;
    if (!svm || pasid >= pasidMax) {
      k.fail('capacity', Obj.svm, 0, 0);
      return Ctl.RET;
    }
    svm.life = Life.live;
    svm.mm = k.a1;
    svm.pasid = pasid;
    k.s[k.w.idrBase + pasid] = svm.index + 1;
    k.a2 = svm.index + 1;
    k.a0 = dev(k) | (1 << 8);
    k.note(`idr_alloc → PASID ${pasid} (svm#${svm.index})`);
    return Ctl.NEXT;
  },
  mmu_notifier_register(k: Kernel): Ctl {
    return k.call(mmu_notifier_register, svmOf(k), k.a1 - 1);
  },
  /** pasid_table[pasid].val = __pa(mm->pgd) | 1; wmb(). */
  write_pasid_entry(k: Kernel): Ctl {
    const svm = k.w.svm[svmOf(k)];
    const pgd = k.w.mm[k.a1 - 1].pgd - 1;
    const at = k.hw.pasidTable + 2 * svm.pasid;
    PASID_ENTRY.encode({ P: 1, FLPTPTR: framePhys(pgd) / 4096 }, k.s, at);
    k.note(`PASID table[${svm.pasid}] = 0x${framePhys(pgd).toString(16)}|P`);
    return Ctl.NEXT;
  },
  list_add_sdev(k: Kernel): Ctl {
    const svm = k.w.svm[svmOf(k)];
    if (!k.live(Obj.svm, svm.life, svm.index, S_SVM)) return Ctl.RET;
    svm.devs |= 1 << (k.a3 - 1);
    k.w.sdev[k.a3 - 1].svm = svm.index + 1;
    return Ctl.NEXT;
  },
  success(k: Kernel): Ctl {
    k.setCallerArg(1, k.w.svm[svmOf(k)].pasid + 1);
    k.setCallerArg(2, k.a3);
    return Ctl.NEXT;
  },
  out(k: Kernel): Ctl {
    mutex_unlock_pasid(k);
    return Ctl.NEXT;
  },
  /** e57e58bd: `if (mm) mmput(mm)` — the binding keeps only the notifier's mm_count. */
  mmput(k: Kernel): Ctl {
    return k.call(mmput, k.a1 - 1, holder(Obj.actor, k.actor));
  },
  /**
   * v4.4: a new binding keeps the get_task_mm pin in svm->mm for its whole life (the reference
   * moves from this call to the svm); a bind that reused an svm drops its own pin.
   */
  keep_mm_users_pin(k: Kernel): Ctl {
    if (k.a0 >> 8) {
      k.moveRef(Count.mm_users, Obj.mm, k.a1 - 1, k.me, [Obj.svm, svmOf(k)]);
      return Ctl.NEXT;
    }
    return k.call(mmput, k.a1 - 1, holder(Obj.actor, k.actor));
  },
  ret(_k: Kernel): Ctl {
    return Ctl.RET;
  },
} satisfies Record<string, KStep>;

// Steps that only read their frame and call or return (exec.ts ownWordsOnly).
for (const s of [bind.mmu_notifier_register, bind.mmput, bind.ret]) ownWordsOnly(s);

// --- intel_svm_unbind_mm -----------------------------------------------------------------

export const unbind = {
  mutex_lock: bind.mutex_lock,
  /** idr_find(pasid), then the sdev of this device on svm->devs. */
  idr_find(k: Kernel): Ctl {
    const svm = k.s[k.w.idrBase + k.a1] - 1;
    if (svm < 0) return k.jump('out');
    if (!k.live(Obj.svm, k.w.svm[svm].life, svm, S_SVM)) return Ctl.RET;
    k.a2 = svm + 1;
    const devs = k.w.svm[svm].devs;
    for (const sd of k.w.sdev) {
      if (devs & (1 << sd.index) && sd.dev === k.a0 + 1) {
        k.a3 = sd.index + 1;
        return Ctl.NEXT;
      }
    }
    return k.jump('out');
  },
  /** sdev->users--: the binding this file held is gone; the device stays while others use it. */
  sdev_put(k: Kernel): Ctl {
    const sd = k.w.sdev[k.a3 - 1];
    if (!k.live(Obj.sdev, sd.life, sd.index, S_SDEV)) return Ctl.RET;
    if (sd.users <= 0) k.fail('refcount', Obj.sdev, sd.index, S_UNBIND_USERS);
    sd.users--;
    k.put(Count.sdev_users, Obj.sdev, sd.index, Obj.file, k.a4, S_UNBIND_USERS);
    return sd.users > 0 ? k.jump('out') : Ctl.NEXT;
  },
  list_del_rcu(k: Kernel): Ctl {
    k.w.svm[svmOf(k)].devs &= ~(1 << (k.a3 - 1));
    return Ctl.NEXT;
  },
  /** intel_flush_pasid_dev then intel_flush_svm_range_dev(.., 0, -1, ..) for this device. */
  flush_dev(k: Kernel): Ctl {
    return k.call(flush_pasid_and_range_dev, k.w.svm[svmOf(k)].pasid, k.a3 - 1);
  },
  kfree_rcu_sdev(k: Kernel): Ctl {
    k.w.sdev[k.a3 - 1].life = Life.freed;
    return Ctl.NEXT;
  },
  /** Only the last device's unbind releases the svm. */
  devs_empty(k: Kernel): Ctl {
    return k.w.svm[svmOf(k)].devs === 0 ? Ctl.NEXT : k.jump('out');
  },
  idr_remove(k: Kernel): Ctl {
    k.s[k.w.idrBase + k.a1] = 0;
    k.note(`idr_remove(PASID ${k.a1})`);
    return Ctl.NEXT;
  },
  mmu_notifier_unregister(k: Kernel): Ctl {
    const svm = svmOf(k);
    return k.call(mmu_notifier_unregister, svm, k.w.svm[svm].mm - 1);
  },
  /** v4.4: drop the mm_users pin the binding kept; may run __mmput and exit_mmap right here. */
  mmput(k: Kernel): Ctl {
    const svm = svmOf(k);
    return k.call(mmput, k.w.svm[svm].mm - 1, holder(Obj.svm, svm));
  },
  /** memset(svm, 0x6b, sizeof(*svm)); kfree(svm). */
  kfree_svm(k: Kernel): Ctl {
    k.w.svm[svmOf(k)].life = Life.freed;
    return Ctl.NEXT;
  },
  out: bind.out,
  ret: bind.ret,
} satisfies Record<string, KStep>;

/** intel_flush_pasid_dev + intel_flush_svm_range_dev(all): a0 = PASID, a1 = sdev. */
export const flush_pasid_and_range_dev = defineRoutine('intel_flush_pasid_dev+svm_range_dev(pasid, sdev)', [
  ownWordsOnly(function intel_flush_pasid_dev(k) {
    return k.call(qi_submit_sync, Qi.pasid_cache, k.a0, k.a1);
  }),
  ownWordsOnly(function flush_iotlb(k) {
    return k.call(qi_submit_sync, Qi.iotlb_pasid, k.a0, k.a1);
  }),
  function flush_dev_iotlb(k) {
    return k.w.sdev[k.a1].dev_iotlb ? k.call(qi_submit_sync, Qi.dev_iotlb_pasid, k.a0, k.a1) : Ctl.NEXT;
  },
  ownWordsOnly(function done() {
    return Ctl.RET;
  }),
]);

// --- intel_mm_release (the notifier's ->release) -----------------------------------------

export const release = {
  /** pasid_table[pasid].val = 0; wmb(): the hardware can no longer walk this mm's tables. */
  clear_pasid_entry(k: Kernel): Ctl {
    const svm = k.w.svm[k.a0];
    if (!k.live(Obj.svm, svm.life, svm.index, S_SVM)) return Ctl.RET;
    const at = k.hw.pasidTable + 2 * svm.pasid;
    k.s[at] = 0;
    k.s[at + 1] = 0;
    k.note(`PASID table[${svm.pasid}] = 0`);
    return Ctl.NEXT;
  },
  /** For every device still on svm->devs: flush the PASID cache and the whole IOTLB/device-TLB. */
  flush_all_devs(k: Kernel): Ctl {
    const svm = k.w.svm[k.a0];
    if (!k.live(Obj.svm, svm.life, svm.index, S_SVM)) return Ctl.RET;
    for (let d = k.a2; d < k.w.sdev.length; d++) {
      if (!(svm.devs & (1 << d))) continue;
      k.a2 = d + 1;
      return k.call(flush_pasid_and_range_dev, svm.pasid, d, 0, true);
    }
    return Ctl.NEXT;
  },
  /**
   * v4.4: "There's no need to do any flush because we can't get here if there are any devices
   * left anyway." — `WARN_ON(!list_empty(&svm->devs))`. e57e58bd replaced it by the flush.
   */
  warn_on_devs(k: Kernel): Ctl {
    const svm = k.w.svm[k.a0];
    if (!k.live(Obj.svm, svm.life, svm.index, S_SVM)) return Ctl.RET;
    if (svm.devs !== 0) k.fail('warning', Obj.svm, svm.index, S_RELEASE_DEVS);
    return Ctl.NEXT;
  },
  ret: bind.ret,
} satisfies Record<string, KStep>;

// --- prq_event_thread ----------------------------------------------------------------------

const reqAt = (k: Kernel): number => k.hw.prq + 4 * k.a0;
const req = (k: Kernel, f: Parameters<typeof PAGE_REQ_DSC.get>[2]): number =>
  PAGE_REQ_DSC.get(k.s, reqAt(k), f);
const reqPage = (k: Kernel): number => req(k, 'ADDR') - userVa(0) / 4096;
/** PCI_DEVID(req->bus, req->devfn): the requester id the request carries. */
const reqRid = (k: Kernel): number => (req(k, 'BUS') << 8) | req(k, 'DEVFN');

/** The svm of the request being handled (a2), dereferenced: false (and a violation) if freed. */
const liveSvm = (k: Kernel): boolean => k.live(Obj.svm, k.w.svm[svmOf(k)].life, svmOf(k), S_SVM);

export const fault = {
  /**
   * irq_thread (kernel/irq/manage.c): the thread runs its handler once per IRQTF_RUNTHREAD, which
   * irq_wait_for_interrupt test-and-clears; an interrupt that comes while the handler runs sets
   * it again, so the handler runs once more. prq_event_thread then writes DMA_PRS_PPR to clear PPR
   * "before reading head/tail registers, to ensure that we get a new interrupt if needed", then
   * reads PQT and PQH.
   */
  wait_for_irq(k: Kernel): Ctl {
    const r = k.hw.regs;
    if (r.pr_irq_runthread === 0) return Ctl.BLOCK;
    r.pr_irq_runthread = 0;
    prsWrite(k.hw, DMA_PRS.PPR);
    // A new invocation of the thread: `struct intel_svm *svm = NULL;`
    k.a2 = 0;
    k.a1 = r.pqt >> 4;
    k.a0 = r.pqh >> 4;
    return Ctl.NEXT;
  },
  next_request(k: Kernel): Ctl {
    if (k.a0 !== k.a1) return Ctl.NEXT;
    k.hw.regs.pqh = k.a1 << 4;
    return k.jumpPreempt('wait_for_irq');
  },
  /** `result = QI_RESP_FAILURE; if (!req->pasid_present) goto bad_req;` (with svm still NULL). */
  check_pasid_present(k: Kernel): Ctl {
    k.a3 = QI_RESP.FAILURE;
    if (req(k, 'PASID_PRESENT')) return Ctl.NEXT;
    k.note('page request without PASID: goto bad_req');
    return k.jump('bad_req');
  },
  /**
   * `if (!svm || svm->pasid != req->pasid) svm = idr_find(...)`; not found: goto no_pasid.
   * The svm is NULL here on every request, since bad_req ends with `svm = NULL`, so every request
   * looks its PASID up again (intel-svm.c, v4.4/v4.5).
   */
  find_svm(k: Kernel): Ctl {
    const pasid = req(k, 'PASID');
    if (k.a2 === 0 || !liveSvm(k) || k.w.svm[svmOf(k)].pasid !== pasid) {
      if (k.w.kernel.violation !== 0) return Ctl.RET;
      // idr_find of an id the model never allocates (hw/pci UNBOUND_PASID) finds nothing.
      const svm = pasid < k.w.dims.pasids ? k.s[k.w.idrBase + pasid] - 1 : -1;
      k.a2 = svm + 1;
      if (svm < 0) {
        k.note(`page request for invalid PASID ${pasid}: goto no_pasid`);
        return k.jump('no_pasid');
      }
    }
    k.a3 = QI_RESP.INVALID;
    return Ctl.NEXT;
  },
  /** e57e58bd: `if (!atomic_inc_not_zero(&svm->mm->mm_users)) goto bad_req;` */
  mmget_not_zero(k: Kernel): Ctl {
    if (!liveSvm(k)) return Ctl.RET;
    const mm = k.w.svm[svmOf(k)].mm - 1;
    if (mmget_not_zero(k, mm, holder(Obj.actor, k.actor), S_FAULT_MM)) return Ctl.NEXT;
    k.note(`mm#${mm} is defunct (mm_users 0): answer Invalid Request`);
    return k.jump('bad_req');
  },
  down_read_mmap_sem(k: Kernel): Ctl {
    if (!liveSvm(k)) return Ctl.RET;
    const mm = k.w.svm[svmOf(k)].mm - 1;
    if (!k.live(Obj.mm, k.w.mm[mm].life, mm, S_FAULT_MM)) return Ctl.RET;
    if (!down_read(k, mm)) return Ctl.BLOCK;
    k.a4 = mm + 1;
    return Ctl.NEXT;
  },
  /**
   * `vma = find_extend_vma(mm, address)`, `address < vma->vm_start`, then access_error(): the
   * requested read/write/execute must be in vm_flags. The model's handle_mm_fault populates
   * anonymous memory only, so a file-backed VMA (the device's doorbell mapping, which devices in
   * the model never request) is answered as a VM_FAULT_ERROR would be.
   */
  find_vma(k: Kernel): Ctl {
    const mm = k.a4 - 1;
    const page = reqPage(k);
    const v = k.w.vma.find(
      (x) =>
        x.life === Life.live && x.vm_mm === mm + 1 && page >= x.vm_start && page < x.vm_start + x.vm_pages,
    );
    if (!v) return k.jump('invalid');
    const requested =
      (req(k, 'EXE_REQ') ? VM_EXEC : 0) |
      (req(k, 'RD_REQ') ? VM_READ : 0) |
      (req(k, 'WR_REQ') ? VM_WRITE : 0);
    if ((requested & ~v.vm_flags) !== 0 || v.vm_file !== 0) return k.jump('invalid');
    return Ctl.NEXT;
  },
  handle_mm_fault(k: Kernel): Ctl {
    return k.call(handle_mm_fault, k.a4 - 1, reqPage(k));
  },
  result_success(k: Kernel): Ctl {
    k.a3 = QI_RESP.SUCCESS;
    return Ctl.NEXT;
  },
  invalid(k: Kernel): Ctl {
    up_read(k, k.a4 - 1);
    return Ctl.NEXT;
  },
  /** e57e58bd: drop the pin; the last one runs __mmput, exit_mmap included, on this thread. */
  mmput(k: Kernel): Ctl {
    return k.call(mmput, k.a4 - 1, holder(Obj.actor, k.actor));
  },
  /**
   * bad_req: under rcu_read_lock, the sdev on svm->devs whose sid is the request's requester id.
   * With svm NULL (a request without PASID) the walk dereferences NULL; with no sdev found the
   * kernel's own `WARN_ON(&sdev->list == &svm->devs)` fires and sdev is NULL.
   */
  bad_req(k: Kernel): Ctl {
    k.a4 = 0;
    if (k.a2 === 0) {
      k.fail('null-deref', 0, 0, S_BADREQ_NULL_SVM);
      return Ctl.RET;
    }
    if (!liveSvm(k)) return Ctl.RET;
    const devs = k.w.svm[svmOf(k)].devs;
    const rid = reqRid(k);
    for (const sd of k.w.sdev) {
      if (!(devs & (1 << sd.index))) continue;
      if (!k.live(Obj.sdev, sd.life, sd.index, S_SDEV)) return Ctl.RET;
      if (sd.sid === rid) {
        k.a5 = sd.index + 1;
        return Ctl.NEXT;
      }
    }
    k.fail('warning', Obj.svm, svmOf(k), S_BADREQ_NO_SDEV);
    return Ctl.RET;
  },
  /**
   * After rcu_read_unlock: `if (sdev && sdev->ops && sdev->ops->fault_cb) sdev->ops->fault_cb(...)`,
   * then `sdev = NULL; svm = NULL;` ("Do not use them below this point!").
   */
  fault_cb(k: Kernel): Ctl {
    const sd = k.a5 - 1;
    k.a5 = 0;
    k.a2 = 0;
    if (sd < 0) return Ctl.NEXT;
    if (!k.live(Obj.sdev, k.w.sdev[sd].life, sd, S_SDEV)) return Ctl.RET;
    const s = k.w.sdev[sd];
    if (s.ops === 0) return Ctl.NEXT;
    const dev = s.dev - 1;
    const cb = k.cfg.fileOps[k.cfg.devices[dev].client].faultCb;
    if (!cb) return Ctl.NEXT;
    return k.call(cb, dev, req(k, 'PASID'), k.a3);
  },
  /**
   * no_pasid: answers the request: a page group response for the last request of a group, a page
   * stream response for a stream request (SRR without LPIG), nothing otherwise.
   */
  no_pasid(k: Kernel): Ctl {
    k.note(`respond PASID ${req(k, 'PASID')} PRG ${req(k, 'PRG_INDEX')}: ${respName(k.a3)}`);
    const rid = reqRid(k);
    const idx = req(k, 'PRG_INDEX') << 4;
    if (req(k, 'LPIG'))
      return k.call(
        qi_submit_sync,
        Qi.page_group_response,
        req(k, 'PASID'),
        rid,
        false,
        k.a3 | idx | (req(k, 'PASID_PRESENT') << 13),
      );
    if (req(k, 'SRR'))
      return k.call(
        qi_submit_sync,
        Qi.page_stream_response,
        req(k, 'PASID'),
        rid,
        false,
        k.a3 | idx | (req(k, 'ADDR') << 13),
      );
    return Ctl.NEXT;
  },
  advance_head(k: Kernel): Ctl {
    k.s.fill(0, reqAt(k), reqAt(k) + 4);
    k.a0 = (k.a0 + 1) % k.hw.prqSize;
    return k.jumpPreempt('next_request');
  },
} satisfies Record<string, KStep>;

// Steps that only touch their frame (exec.ts ownWordsOnly).
for (const s of [fault.result_success, fault.mmput]) ownWordsOnly(s);

/**
 * prq_event_thread as first merged (v4.4), before 46924008 "iommu/vt-d: Clear PPR bit to ensure
 * we get more page request interrupts": PPR is never cleared, so only its first 0→1 raises an
 * interrupt.
 */
export const faultBefore46924008 = {
  wait_for_irq(k: Kernel): Ctl {
    const r = k.hw.regs;
    if (r.pr_irq_runthread === 0) return Ctl.BLOCK;
    r.pr_irq_runthread = 0;
    k.a2 = 0;
    k.a1 = r.pqt >> 4;
    k.a0 = r.pqh >> 4;
    return Ctl.NEXT;
  },
} satisfies Record<string, KStep>;

/** The four functions a policy defines, as step lists. */
export interface SvmPolicy {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line: what this policy is (a kernel version, a fix, an ablation). */
  readonly summary: string;
  readonly bind: readonly KStep[];
  readonly unbind: readonly KStep[];
  readonly release: readonly KStep[];
  readonly fault: readonly KStep[];
}

/** The routines of a policy, defined once per policy object. */
export interface SvmRoutines {
  bind: ReturnType<typeof defineRoutine>;
  unbind: ReturnType<typeof defineRoutine>;
  release: ReturnType<typeof defineRoutine>;
  prq: ReturnType<typeof defineRoutine>;
}

/** The labels each step may jump to: a policy that lists the step must list them too. */
export const jumpTargets: ReadonlyMap<KStep, readonly string[]> = new Map<KStep, readonly string[]>([
  [bind.find_svm_by_mm, ['success']],
  [bind.alloc_sdev, ['list_add_sdev']],
  [unbind.idr_find, ['out']],
  [unbind.sdev_put, ['out']],
  [unbind.devs_empty, ['out']],
  [fault.next_request, ['wait_for_irq']],
  [fault.check_pasid_present, ['bad_req']],
  [fault.find_svm, ['no_pasid']],
  [fault.mmget_not_zero, ['bad_req']],
  [fault.find_vma, ['invalid']],
  [fault.advance_head, ['next_request']],
]);

const built = new WeakMap<SvmPolicy, SvmRoutines>();

export function svmRoutines(p: SvmPolicy): SvmRoutines {
  let r = built.get(p);
  if (!r) {
    r = {
      bind: defineRoutine('intel_svm_bind_mm(dev, mm+1, svm+1, sdev+1, file)', p.bind),
      unbind: defineRoutine('intel_svm_unbind_mm(dev, pasid, svm+1, sdev+1, file)', p.unbind),
      release: defineRoutine('intel_mm_release(svm, mm, sdev+1)', p.release),
      prq: defineRoutine('prq_event_thread(slot, slot, svm+1, result, mm+1, sdev+1)', p.fault, [
        'wait_for_irq',
      ]),
    };
    built.set(p, r);
  }
  return r;
}
