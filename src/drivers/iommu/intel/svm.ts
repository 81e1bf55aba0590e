/**
 * The Intel SVM driver (drivers/iommu/intel-svm.c, v4.4/v4.5): the steps its functions are made
 * of. A policy (policies/) lists, for each of bind, unbind, the notifier's ->release and the
 * page-request handler, which of these steps run and in what order; the steps themselves are
 * shared, so a historic variant or an ablation is a short diff of another policy.
 *
 * The four routines a policy gives steps to are declared here, each with its frame (the C's
 * arguments and locals, by name and kind: see BindFields and the others below). The file is
 * recorded as the holder of the binding (sdev->users), as a ref_tracker would.
 */
import { framePhys, userVa } from '../../../arch/x86/pgtable.ts';
import { prsWrite, respName } from '../../../hw/vtd/iommu.ts';
import { DMA_PRS, DMAR_CAP, DMAR_ECAP, PAGE_REQ_DSC, QI_RESP } from '../../../hw/vtd/layouts.ts';
import { Ctl, implement, ownWordsOnly } from '../../../kernel/exec.ts';
import {
  declareRoutine,
  defineRoutine,
  type Frame,
  type Kernel,
  type KRoutine,
  type KStep,
} from '../../../kernel/kernel.ts';
import { down_read, mutex_lock_pasid, mutex_unlock_pasid, up_read } from '../../../kernel/locking.ts';
import { handle_mm_fault } from '../../../kernel/mm/memory.ts';
import { get_task_mm, holder, mmget_not_zero, mmput } from '../../../kernel/mm/mm.ts';
import { VM_EXEC, VM_READ, VM_WRITE } from '../../../kernel/mm/mmap.ts';
import { mmu_notifier_register, mmu_notifier_unregister } from '../../../kernel/mm/mmu_notifier.ts';
import { site } from '../../../properties/violations.ts';
import { bit, obj, ref, value } from '../../../world/fields.ts';
import { unusedSlot } from '../../../world/layout.ts';
import { Count, Life, Obj } from '../../../world/objects.ts';
import { FLPT_DEFAULT_DID, Qi, qi_submit_sync } from './qi.ts';
import { idr_find, idr_set, type SvmView, sdevs, svms } from './state.ts';

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

/** A pointer the code has set by now (the C dereferences it without a check). */
function the<T>(o: T | null, what: string): T {
  if (o === null) throw new Error(`${what} is NULL here`);
  return o;
}

// --- the routines' frames ----------------------------------------------------------------

/** intel_svm_bind_mm(dev, pasid, flags, ops): its arguments and locals, and the binding file. */
const BindFields = {
  dev: obj('device', 8),
  /** This call allocated the svm (v4.4 keeps the get_task_mm pin then). */
  created: value(1),
  mm: ref('mm'),
  svm: ref('svm'),
  sdev: ref('sdev'),
  file: obj('file'),
};
/** intel_svm_unbind_mm(dev, pasid), with the file whose binding it drops. */
const UnbindFields = {
  dev: obj('device', 8),
  pasid: value(),
  svm: ref('svm'),
  sdev: ref('sdev'),
  file: obj('file'),
};
/** intel_mm_release(mn, mm), and the device whose caches it flushed last. */
const ReleaseFields = { svm: obj('svm'), mm: obj('mm'), last: ref('sdev') };
/**
 * prq_event_thread: the ring's head and tail, the svm of the request (NULL again after each
 * request), the result, the mm whose mmap_sem is held, the sdev bad_req found for the request.
 */
const PrqFields = {
  head: value(),
  tail: value(),
  svm: ref('svm'),
  result: value(),
  mm: ref('mm'),
  sdev: ref('sdev'),
};
/** The frames, as a step sees them. */
export type BindFrame = Frame<typeof BindFields>;
export type UnbindFrame = Frame<typeof UnbindFields>;
export type ReleaseFrame = Frame<typeof ReleaseFields>;
export type PrqFrame = Frame<typeof PrqFields>;

// --- intel_svm_bind_mm -------------------------------------------------------------------

export const bind = {
  get_task_mm(k: Kernel, f: BindFrame): Ctl {
    const mm = get_task_mm(k, k.actor, holder(Obj.actor, k.actor));
    if (mm < 0) {
      k.fail('refcount', Obj.task, k.actor, S_BIND_NO_MM);
      return Ctl.RET;
    }
    f.mm = k.w.mm[mm];
    return Ctl.NEXT;
  },
  mutex_lock(k: Kernel): Ctl {
    return mutex_lock_pasid(k) ? Ctl.NEXT : Ctl.BLOCK;
  },
  /** idr_for_each_entry: reuse the svm of this mm; a device already bound just gets users++. */
  find_svm_by_mm(k: Kernel, f: BindFrame): Ctl {
    for (const svm of svms(k)) {
      if (svm.life !== Life.live || svm.mm !== f.mm || idr_find(k, svm.pasid) !== svm) continue;
      f.svm = svm;
      for (const sd of sdevs(k)) {
        if (sd.life !== Life.live || sd.svm !== svm || sd.dev !== f.dev) continue;
        sd.users++;
        k.get(Count.sdev_users, Obj.sdev, sd.index, Obj.file, f.file.index);
        f.sdev = sd;
        return k.jump('success');
      }
      return Ctl.NEXT;
    }
    return Ctl.NEXT;
  },
  alloc_sdev(k: Kernel, f: BindFrame): Ctl {
    // The sdev belongs to the svm's owner: the task of the mm (world/layout.ts).
    const sd = unusedSlot(sdevs(k), the(f.mm, 'mm').index, k.w.dims.per.sdevs);
    if (!sd) {
      k.fail('capacity', Obj.sdev, 0, 0);
      return Ctl.RET;
    }
    sd.life = Life.live;
    sd.dev = f.dev;
    sd.users = 1;
    sd.did = FLPT_DEFAULT_DID;
    sd.sid = k.cfg.devices[f.dev].sid;
    // sdev->ops = ops: the client driver's svm_dev_ops, when it registered a fault_cb.
    sd.ops = k.cfg.devices[f.dev].faultCb ? 1 : 0;
    // intel_iommu_enable_pasid: ATS is used when both the IOMMU and the device support it.
    sd.dev_iotlb = DMAR_ECAP.get(k.s, k.hw.regs.base + 2, 'DT') && k.cfg.devices[f.dev].ats ? 1 : 0;
    k.get(Count.sdev_users, Obj.sdev, sd.index, Obj.file, f.file.index);
    f.sdev = sd;
    return f.svm ? k.jump('list_add_sdev') : Ctl.NEXT;
  },
  /**
   * kzalloc the svm and idr_alloc its PASID: the lowest free id from `!!cap_caching_mode(cap)`,
   * below `2 << ecap_pss(ecap)` (the model has as many PASID slots as the scenario can bind).
   */
  alloc_svm(k: Kernel, f: BindFrame): Ctl {
    const mm = the(f.mm, 'mm');
    const svm = unusedSlot(svms(k), mm.index, k.w.dims.per.svms);
    const regs = k.hw.regs.base;
    let pasid = DMAR_CAP.get(k.s, regs, 'CM');
    const pasidMax = Math.min(k.w.dims.pasids, 2 << DMAR_ECAP.get(k.s, regs + 2, 'PSS'));
    while (pasid < pasidMax && idr_find(k, pasid) !== null) pasid++;
    if (!svm || pasid >= pasidMax) {
      k.fail('capacity', Obj.svm, 0, 0);
      return Ctl.RET;
    }
    svm.life = Life.live;
    svm.mm = mm;
    svm.pasid = pasid;
    idr_set(k, pasid, svm);
    f.svm = svm;
    f.created = 1;
    k.note(`idr_alloc → PASID ${pasid} (svm#${svm.index})`);
    return Ctl.NEXT;
  },
  mmu_notifier_register(k: Kernel, f: BindFrame): Ctl {
    return k.call(mmu_notifier_register, { svm: the(f.svm, 'svm'), mm: the(f.mm, 'mm') });
  },
  /** pasid_table[pasid].val = __pa(mm->pgd) | 1; wmb(). */
  write_pasid_entry(k: Kernel, f: BindFrame): Ctl {
    const svm = the(f.svm, 'svm');
    const pgd = the(the(f.mm, 'mm').pgd, 'mm->pgd').index;
    k.hw.writePasidEntry(svm.pasid, { P: 1, FLPTPTR: framePhys(pgd) / 4096 });
    k.note(`PASID table[${svm.pasid}] = 0x${framePhys(pgd).toString(16)}|P`);
    return Ctl.NEXT;
  },
  list_add_sdev(k: Kernel, f: BindFrame): Ctl {
    const svm = the(f.svm, 'svm');
    const sdev = the(f.sdev, 'sdev');
    if (!k.live(Obj.svm, svm.life, svm.index, S_SVM)) return Ctl.RET;
    svm.devs |= bit(sdev);
    sdev.svm = svm;
    return Ctl.NEXT;
  },
  /** `*pasid = svm->pasid`, and the binding for the client's context. */
  success(k: Kernel, f: BindFrame): Ctl {
    k.out({ pasid: the(f.svm, 'svm').pasid, sdev: f.sdev });
    return Ctl.NEXT;
  },
  out(k: Kernel): Ctl {
    mutex_unlock_pasid(k);
    return Ctl.NEXT;
  },
  /** e57e58bd: `if (mm) mmput(mm)` — the binding keeps only the notifier's mm_count. */
  mmput(k: Kernel, f: BindFrame): Ctl {
    return k.call(mmput, { mm: the(f.mm, 'mm'), holder: holder(Obj.actor, k.actor) });
  },
  /**
   * v4.4: a new binding keeps the get_task_mm pin in svm->mm for its whole life (the reference
   * moves from this call to the svm); a bind that reused an svm drops its own pin.
   */
  keep_mm_users_pin(k: Kernel, f: BindFrame): Ctl {
    const mm = the(f.mm, 'mm');
    if (f.created) {
      k.moveRef(Count.mm_users, Obj.mm, mm.index, k.me, [Obj.svm, the(f.svm, 'svm').index]);
      return Ctl.NEXT;
    }
    return k.call(mmput, { mm, holder: holder(Obj.actor, k.actor) });
  },
  ret(_k: Kernel): Ctl {
    return Ctl.RET;
  },
} satisfies Record<string, KStep<typeof BindFields>>;

// Steps that only read their frame and call or return (exec.ts ownWordsOnly).
for (const s of [bind.mmu_notifier_register, bind.mmput, bind.ret]) ownWordsOnly(s);

// --- intel_svm_unbind_mm -----------------------------------------------------------------

export const unbind = {
  mutex_lock: bind.mutex_lock,
  /** idr_find(pasid), then the sdev of this device on svm->devs. */
  idr_find(k: Kernel, f: UnbindFrame): Ctl {
    const svm = idr_find(k, f.pasid);
    if (!svm) return k.jump('out');
    if (!k.live(Obj.svm, svm.life, svm.index, S_SVM)) return Ctl.RET;
    f.svm = svm;
    for (const sd of sdevs(k)) {
      if (svm.devs & bit(sd) && sd.dev === f.dev) {
        f.sdev = sd;
        return Ctl.NEXT;
      }
    }
    return k.jump('out');
  },
  /** sdev->users--: the binding this file held is gone; the device stays while others use it. */
  sdev_put(k: Kernel, f: UnbindFrame): Ctl {
    const sd = the(f.sdev, 'sdev');
    if (!k.live(Obj.sdev, sd.life, sd.index, S_SDEV)) return Ctl.RET;
    if (sd.users <= 0) k.fail('refcount', Obj.sdev, sd.index, S_UNBIND_USERS);
    sd.users--;
    k.put(Count.sdev_users, Obj.sdev, sd.index, Obj.file, f.file.index, S_UNBIND_USERS);
    return sd.users > 0 ? k.jump('out') : Ctl.NEXT;
  },
  list_del_rcu(_k: Kernel, f: UnbindFrame): Ctl {
    the(f.svm, 'svm').devs &= ~bit(the(f.sdev, 'sdev'));
    return Ctl.NEXT;
  },
  /** intel_flush_pasid_dev then intel_flush_svm_range_dev(.., 0, -1, ..) for this device. */
  flush_dev(k: Kernel, f: UnbindFrame): Ctl {
    return k.call(flush_pasid_and_range_dev, { pasid: the(f.svm, 'svm').pasid, sdev: the(f.sdev, 'sdev') });
  },
  kfree_rcu_sdev(_k: Kernel, f: UnbindFrame): Ctl {
    the(f.sdev, 'sdev').life = Life.freed;
    return Ctl.NEXT;
  },
  /** Only the last device's unbind releases the svm. */
  devs_empty(k: Kernel, f: UnbindFrame): Ctl {
    return the(f.svm, 'svm').devs === 0 ? Ctl.NEXT : k.jump('out');
  },
  idr_remove(k: Kernel, f: UnbindFrame): Ctl {
    idr_set(k, f.pasid, null);
    k.note(`idr_remove(PASID ${f.pasid})`);
    return Ctl.NEXT;
  },
  mmu_notifier_unregister(k: Kernel, f: UnbindFrame): Ctl {
    const svm = the(f.svm, 'svm');
    return k.call(mmu_notifier_unregister, { svm, mm: the(svm.mm, 'svm->mm') });
  },
  /** v4.4: drop the mm_users pin the binding kept; may run __mmput and exit_mmap right here. */
  mmput(k: Kernel, f: UnbindFrame): Ctl {
    const svm = the(f.svm, 'svm');
    return k.call(mmput, { mm: the(svm.mm, 'svm->mm'), holder: holder(Obj.svm, svm.index) });
  },
  /** memset(svm, 0x6b, sizeof(*svm)); kfree(svm). */
  kfree_svm(_k: Kernel, f: UnbindFrame): Ctl {
    the(f.svm, 'svm').life = Life.freed;
    return Ctl.NEXT;
  },
  out: bind.out,
  ret: bind.ret,
} satisfies Record<string, KStep<typeof UnbindFields>>;

/** intel_flush_pasid_dev + intel_flush_svm_range_dev(all) of `pasid` for the device of `sdev`. */
export const flush_pasid_and_range_dev = defineRoutine({
  name: 'intel_flush_pasid_dev+svm_range_dev',
  frame: { pasid: value(), sdev: obj('sdev') },
  calls: () => [qi_submit_sync],
  steps: [
    ownWordsOnly(function intel_flush_pasid_dev(k, f) {
      return k.call(qi_submit_sync, { kind: Qi.pasid_cache, pasid: f.pasid, target: f.sdev.index });
    }),
    ownWordsOnly(function flush_iotlb(k, f) {
      return k.call(qi_submit_sync, { kind: Qi.iotlb_pasid, pasid: f.pasid, target: f.sdev.index });
    }),
    function flush_dev_iotlb(k, f) {
      return f.sdev.dev_iotlb
        ? k.call(qi_submit_sync, { kind: Qi.dev_iotlb_pasid, pasid: f.pasid, target: f.sdev.index })
        : Ctl.NEXT;
    },
    ownWordsOnly(function done() {
      return Ctl.RET;
    }),
  ],
});

// --- intel_mm_release (the notifier's ->release) -----------------------------------------

export const release = {
  /** pasid_table[pasid].val = 0; wmb(): the hardware can no longer walk this mm's tables. */
  clear_pasid_entry(k: Kernel, f: ReleaseFrame): Ctl {
    const svm = f.svm;
    if (!k.live(Obj.svm, svm.life, svm.index, S_SVM)) return Ctl.RET;
    k.hw.writePasidEntry(svm.pasid, {});
    k.note(`PASID table[${svm.pasid}] = 0`);
    return Ctl.NEXT;
  },
  /** For every device still on svm->devs: flush the PASID cache and the whole IOTLB/device-TLB. */
  flush_all_devs(k: Kernel, f: ReleaseFrame): Ctl {
    const svm = f.svm;
    if (!k.live(Obj.svm, svm.life, svm.index, S_SVM)) return Ctl.RET;
    const all = sdevs(k);
    for (let d = f.last ? f.last.index + 1 : 0; d < all.length; d++) {
      if (!(svm.devs & bit(all[d]))) continue;
      f.last = all[d];
      return k.callAgain(flush_pasid_and_range_dev, { pasid: svm.pasid, sdev: all[d] });
    }
    return Ctl.NEXT;
  },
  /**
   * v4.4: "There's no need to do any flush because we can't get here if there are any devices
   * left anyway." — `WARN_ON(!list_empty(&svm->devs))`. e57e58bd replaced it by the flush.
   */
  warn_on_devs(k: Kernel, f: ReleaseFrame): Ctl {
    const svm = f.svm;
    if (!k.live(Obj.svm, svm.life, svm.index, S_SVM)) return Ctl.RET;
    if (svm.devs !== 0) k.fail('warning', Obj.svm, svm.index, S_RELEASE_DEVS);
    return Ctl.NEXT;
  },
  ret: bind.ret,
} satisfies Record<string, KStep<typeof ReleaseFields>>;

// --- prq_event_thread ----------------------------------------------------------------------

/** The request at the ring's head: where it is, and its fields. */
const reqAt = (k: Kernel, f: PrqFrame): number => k.hw.prq + 4 * f.head;
const req = (k: Kernel, f: PrqFrame, field: Parameters<typeof PAGE_REQ_DSC.get>[2]): number =>
  PAGE_REQ_DSC.get(k.s, reqAt(k, f), field);
const reqPage = (k: Kernel, f: PrqFrame): number => req(k, f, 'ADDR') - userVa(0) / 4096;
/** PCI_DEVID(req->bus, req->devfn): the requester id the request carries. */
const reqRid = (k: Kernel, f: PrqFrame): number => (req(k, f, 'BUS') << 8) | req(k, f, 'DEVFN');

/** The svm of the request being handled, dereferenced: false (and a violation) if freed. */
const liveSvm = (k: Kernel, svm: SvmView): boolean => k.live(Obj.svm, svm.life, svm.index, S_SVM);

export const fault = {
  /**
   * irq_thread (kernel/irq/manage.c): the thread runs its handler once per IRQTF_RUNTHREAD, which
   * irq_wait_for_interrupt test-and-clears; an interrupt that comes while the handler runs sets
   * it again, so the handler runs once more. prq_event_thread then writes DMA_PRS_PPR to clear PPR
   * "before reading head/tail registers, to ensure that we get a new interrupt if needed", then
   * reads PQT and PQH.
   */
  wait_for_irq(k: Kernel, f: PrqFrame): Ctl {
    const r = k.hw.regs;
    if (r.pr_irq_runthread === 0) return Ctl.BLOCK;
    r.pr_irq_runthread = 0;
    prsWrite(k.hw, DMA_PRS.PPR);
    // A new invocation of the thread: `struct intel_svm *svm = NULL;`
    f.svm = null;
    f.tail = r.pqt >> 4;
    f.head = r.pqh >> 4;
    return Ctl.NEXT;
  },
  next_request(k: Kernel, f: PrqFrame): Ctl {
    if (f.head !== f.tail) return Ctl.NEXT;
    k.hw.regs.pqh = f.tail << 4;
    return k.jumpPreempt('wait_for_irq');
  },
  /** `result = QI_RESP_FAILURE; if (!req->pasid_present) goto bad_req;` (with svm still NULL). */
  check_pasid_present(k: Kernel, f: PrqFrame): Ctl {
    f.result = QI_RESP.FAILURE;
    if (req(k, f, 'PASID_PRESENT')) return Ctl.NEXT;
    k.note('page request without PASID: goto bad_req');
    return k.jump('bad_req');
  },
  /**
   * `if (!svm || svm->pasid != req->pasid) svm = idr_find(...)`; not found: goto no_pasid.
   * The svm is NULL here on every request, since bad_req ends with `svm = NULL`, so every request
   * looks its PASID up again (intel-svm.c, v4.4/v4.5).
   */
  find_svm(k: Kernel, f: PrqFrame): Ctl {
    const pasid = req(k, f, 'PASID');
    if (f.svm === null || !liveSvm(k, f.svm) || f.svm.pasid !== pasid) {
      if (k.w.kernel.violation !== 0) return Ctl.RET;
      // idr_find of an id the model never allocates (hw/pci UNBOUND_PASID) finds nothing.
      f.svm = idr_find(k, pasid);
      if (!f.svm) {
        k.note(`page request for invalid PASID ${pasid}: goto no_pasid`);
        return k.jump('no_pasid');
      }
    }
    f.result = QI_RESP.INVALID;
    return Ctl.NEXT;
  },
  /** e57e58bd: `if (!atomic_inc_not_zero(&svm->mm->mm_users)) goto bad_req;` */
  mmget_not_zero(k: Kernel, f: PrqFrame): Ctl {
    const svm = the(f.svm, 'svm');
    if (!liveSvm(k, svm)) return Ctl.RET;
    const mm = the(svm.mm, 'svm->mm').index;
    if (mmget_not_zero(k, mm, holder(Obj.actor, k.actor), S_FAULT_MM)) return Ctl.NEXT;
    k.note(`mm#${mm} is defunct (mm_users 0): answer Invalid Request`);
    return k.jump('bad_req');
  },
  down_read_mmap_sem(k: Kernel, f: PrqFrame): Ctl {
    const svm = the(f.svm, 'svm');
    if (!liveSvm(k, svm)) return Ctl.RET;
    const mm = the(svm.mm, 'svm->mm');
    if (!k.live(Obj.mm, mm.life, mm.index, S_FAULT_MM)) return Ctl.RET;
    if (!down_read(k, mm.index)) return Ctl.BLOCK;
    f.mm = mm;
    return Ctl.NEXT;
  },
  /**
   * `vma = find_extend_vma(mm, address)`, `address < vma->vm_start`, then access_error(): the
   * requested read/write/execute must be in vm_flags. The model's handle_mm_fault populates
   * anonymous memory only, so a file-backed VMA (the device's doorbell mapping, which devices in
   * the model never request) is answered as a VM_FAULT_ERROR would be.
   */
  find_vma(k: Kernel, f: PrqFrame): Ctl {
    const page = reqPage(k, f);
    const v = k.w.vma.find(
      (x) => x.life === Life.live && x.vm_mm === f.mm && page >= x.vm_start && page < x.vm_start + x.vm_pages,
    );
    if (!v) return k.jump('invalid');
    const requested =
      (req(k, f, 'EXE_REQ') ? VM_EXEC : 0) |
      (req(k, f, 'RD_REQ') ? VM_READ : 0) |
      (req(k, f, 'WR_REQ') ? VM_WRITE : 0);
    if ((requested & ~v.vm_flags) !== 0 || v.vm_file !== null) return k.jump('invalid');
    return Ctl.NEXT;
  },
  handle_mm_fault(k: Kernel, f: PrqFrame): Ctl {
    return k.call(handle_mm_fault, { mm: the(f.mm, 'mm'), page: reqPage(k, f) });
  },
  result_success(_k: Kernel, f: PrqFrame): Ctl {
    f.result = QI_RESP.SUCCESS;
    return Ctl.NEXT;
  },
  invalid(k: Kernel, f: PrqFrame): Ctl {
    up_read(k, the(f.mm, 'mm').index);
    return Ctl.NEXT;
  },
  /** e57e58bd: drop the pin; the last one runs __mmput, exit_mmap included, on this thread. */
  mmput(k: Kernel, f: PrqFrame): Ctl {
    return k.call(mmput, { mm: the(f.mm, 'mm'), holder: holder(Obj.actor, k.actor) });
  },
  /**
   * bad_req: under rcu_read_lock, the sdev on svm->devs whose sid is the request's requester id.
   * With svm NULL (a request without PASID) the walk dereferences NULL; with no sdev found the
   * kernel's own `WARN_ON(&sdev->list == &svm->devs)` fires and sdev is NULL.
   */
  bad_req(k: Kernel, f: PrqFrame): Ctl {
    f.mm = null;
    const svm = f.svm;
    if (svm === null) {
      k.fail('null-deref', 0, 0, S_BADREQ_NULL_SVM);
      return Ctl.RET;
    }
    if (!liveSvm(k, svm)) return Ctl.RET;
    const rid = reqRid(k, f);
    for (const sd of sdevs(k)) {
      if (!(svm.devs & bit(sd))) continue;
      if (!k.live(Obj.sdev, sd.life, sd.index, S_SDEV)) return Ctl.RET;
      if (sd.sid === rid) {
        f.sdev = sd;
        return Ctl.NEXT;
      }
    }
    k.fail('warning', Obj.svm, svm.index, S_BADREQ_NO_SDEV);
    return Ctl.RET;
  },
  /**
   * After rcu_read_unlock: `if (sdev && sdev->ops && sdev->ops->fault_cb) sdev->ops->fault_cb(...)`,
   * then `sdev = NULL; svm = NULL;` ("Do not use them below this point!").
   */
  fault_cb(k: Kernel, f: PrqFrame): Ctl {
    const sd = f.sdev;
    f.sdev = null;
    f.svm = null;
    if (sd === null) return Ctl.NEXT;
    if (!k.live(Obj.sdev, sd.life, sd.index, S_SDEV)) return Ctl.RET;
    if (sd.ops === 0 || sd.dev === null) return Ctl.NEXT;
    const cb = k.cfg.fileOps[k.cfg.devices[sd.dev].client].faultCb;
    if (!cb) return Ctl.NEXT;
    return k.call(cb, { dev: sd.dev, pasid: req(k, f, 'PASID'), result: f.result });
  },
  /**
   * no_pasid: answers the request: a page group response for the last request of a group, a page
   * stream response for a stream request (SRR without LPIG), nothing otherwise.
   */
  no_pasid(k: Kernel, f: PrqFrame): Ctl {
    const pasid = req(k, f, 'PASID');
    k.note(`respond PASID ${pasid} PRG ${req(k, f, 'PRG_INDEX')}: ${respName(f.result)}`);
    const target = reqRid(k, f);
    // A group response carries the request's PASID-present bit, a stream response its page.
    const group = req(k, f, 'LPIG') !== 0;
    if (!group && !req(k, f, 'SRR')) return Ctl.NEXT;
    const above = group ? req(k, f, 'PASID_PRESENT') : req(k, f, 'ADDR');
    return k.call(qi_submit_sync, {
      kind: group ? Qi.page_group_response : Qi.page_stream_response,
      pasid,
      target,
      code: f.result | (req(k, f, 'PRG_INDEX') << 4) | (above << 13),
    });
  },
  advance_head(k: Kernel, f: PrqFrame): Ctl {
    k.s.fill(0, reqAt(k, f), reqAt(k, f) + 4);
    f.head = (f.head + 1) % k.hw.prqSize;
    return k.jumpPreempt('next_request');
  },
} satisfies Record<string, KStep<typeof PrqFields>>;

// Steps that only touch their frame (exec.ts ownWordsOnly).
for (const s of [fault.result_success, fault.mmput]) ownWordsOnly(s);

/**
 * prq_event_thread as first merged (v4.4), before 46924008 "iommu/vt-d: Clear PPR bit to ensure
 * we get more page request interrupts": PPR is never cleared, so only its first 0→1 raises an
 * interrupt.
 */
export const faultBefore46924008 = {
  wait_for_irq(k: Kernel, f: PrqFrame): Ctl {
    const r = k.hw.regs;
    if (r.pr_irq_runthread === 0) return Ctl.BLOCK;
    r.pr_irq_runthread = 0;
    f.svm = null;
    f.tail = r.pqt >> 4;
    f.head = r.pqh >> 4;
    return Ctl.NEXT;
  },
} satisfies Record<string, KStep<typeof PrqFields>>;

/** The four functions a policy defines, as step lists. */
export interface SvmPolicy {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line: what this policy is (a kernel version, a fix, an ablation). */
  readonly summary: string;
  readonly bind: readonly KStep<typeof BindFields>[];
  readonly unbind: readonly KStep<typeof UnbindFields>[];
  readonly release: readonly KStep<typeof ReleaseFields>[];
  readonly fault: readonly KStep<typeof PrqFields>[];
}

// --- the four routines, as callers know them -----------------------------------------------

export const intel_svm_bind_mm = declareRoutine({
  name: 'intel_svm_bind_mm',
  frame: BindFields,
  calls: () => [mmu_notifier_register, mmput],
});
export const intel_svm_unbind_mm = declareRoutine({
  name: 'intel_svm_unbind_mm',
  frame: UnbindFields,
  calls: () => [flush_pasid_and_range_dev, mmu_notifier_unregister, mmput],
});
export const intel_mm_release = declareRoutine({
  name: 'intel_mm_release',
  frame: ReleaseFields,
  calls: () => [flush_pasid_and_range_dev],
});
export const prq_event_thread = declareRoutine({
  name: 'prq_event_thread',
  frame: PrqFields,
  calls: (cfg) => [
    handle_mm_fault,
    mmput,
    ...cfg.fileOps.flatMap((o) => (o.faultCb ? [o.faultCb] : [])),
    qi_submit_sync,
  ],
});

/** The routines of a policy, defined once per policy object. */
export interface SvmRoutines {
  bind: KRoutine<typeof BindFields>;
  unbind: KRoutine<typeof UnbindFields>;
  release: KRoutine<typeof ReleaseFields>;
  prq: KRoutine<typeof PrqFields>;
}

/** The labels each step may jump to: a policy that lists the step must list them too. */
export const jumpTargets: ReadonlyMap<unknown, readonly string[]> = new Map<unknown, readonly string[]>([
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
      bind: implement(intel_svm_bind_mm, p.bind),
      unbind: implement(intel_svm_unbind_mm, p.unbind),
      release: implement(intel_mm_release, p.release),
      prq: implement(prq_event_thread, p.fault, ['wait_for_irq']),
    };
    built.set(p, r);
  }
  return r;
}
