/**
 * The hardware side of the world: one VT-d IOMMU in extended mode and the PCI devices behind it.
 * Its state is a region of the state vector (after the kernel's); the kernel reaches it only
 * through the memory and registers defined here, as intel-svm.c and dmar.c do.
 *
 * Layout of the region:
 *   IOMMU registers | PASID table (memory) | QI status words (memory) | invalidation queue ring
 *   (memory) | page request queue ring (memory) | PASID cache | IOTLB | paging-structure caches |
 *   devices (each: registers, per-PASID context, outstanding page request, device-TLB)
 */

import { opt, ref, value, W_ENTRY } from '../world/fields.ts';
import type { Dims, World } from '../world/layout.ts';
import { defineStruct, makeView, type View } from '../world/struct.ts';
import { PASID_ENTRY } from './vtd/layouts.ts';

export const IommuRegsDef = defineStruct('intel_iommu', {
  /** DMAR_CAP_REG and DMAR_ECAP_REG, each as bits 31:0 then 63:32 (see DMAR_CAP, DMAR_ECAP). */
  cap_lo: value(),
  cap_hi: value(),
  ecap_lo: value(),
  ecap_hi: value(),
  /** DMAR_IQH_REG / DMAR_IQT_REG: byte offsets of the invalidation queue's head and tail. */
  iqh: value(),
  iqt: value(),
  /** DMAR_PQH_REG / DMAR_PQT_REG: byte offsets of the page request queue's head and tail. */
  pqh: value(),
  pqt: value(),
  /** DMAR_PRS_REG: PPR, PRO (write 1 to clear: prsWrite in vtd/iommu.ts). */
  prs: value(),
  /** DMAR_PECTL_REG: IM (interrupt mask), IP (interrupt pending); see DMA_PECTL. */
  pectl: value(),
  /**
   * Not an IOMMU register: the page-request IRQ's `IRQTF_RUNTHREAD`. The interrupt message, the
   * hard-IRQ handler it runs (`irq_default_primary_handler`, whose `__irq_wake_thread` does
   * `test_and_set_bit(IRQTF_RUNTHREAD)` and wakes the thread) and nothing else happen in the
   * hardware's move that sends the message, so the bit lives beside the register that raised it.
   */
  pr_irq_runthread: value(),
  /** Fault recording: count of recorded translation faults, and the last one (PASID, page). */
  frcd_count: value(),
  frcd_pasid: opt(),
  frcd_page: opt(),
});

export const PciDevDef = defineStruct('pci_dev', {
  /** DMA attempts the device may still make (the scenario's budget). */
  budget: value(),
  /** PRI enabled; a Response Failure clears it for the whole function. */
  pri_enabled: value(),
  /** The PASID whose Response Failure disabled PRI, if one did. */
  pri_failed_by: opt(),
  /** A page request for a PASID the model has no slot for (UNBOUND_PASID) is outstanding. */
  unbound_outstanding: value(),
});

/** Per-PASID device context words (programmed by the client driver through MMIO). */
export const CTX_ACTIVE = 1;

export type IommuRegs = View<typeof IommuRegsDef.fields>;
export type PciDev = View<typeof PciDevDef.fields>;

/** Word offsets of the hardware's structures in the state vector. */
export class Hardware {
  readonly words: number;
  readonly npasid: number;
  readonly upages: number;
  readonly iqSize: number;
  readonly prqSize: number;
  regs!: IommuRegs;
  readonly dev: PciDev[] = [];
  /** Offsets relative to the region start, made absolute by attach(). */
  pasidTable = 0;
  qiStatus = 0;
  iq = 0;
  prq = 0;
  pasidCache = 0;
  iotlb = 0;
  /** Paging-structure caches: per PASID, the PUD, PMD and PTE table frames (+1) its walks found. */
  psc = 0;
  private devBase: number[] = [];
  /** Words of one device's block: registers, ctx[npasid], outstanding[npasid], devtlb[npasid * upages]. */
  readonly devWords: number;

  constructor(
    dims: Dims,
    readonly ndev: number,
  ) {
    this.npasid = dims.pasids;
    this.upages = dims.upages;
    this.iqSize = dims.iqSize;
    this.prqSize = dims.prqSize;
    let at = IommuRegsDef.words;
    this.pasidTable = at;
    at += 2 * this.npasid;
    this.qiStatus = at;
    at += this.iqSize;
    this.iq = at;
    at += 4 * this.iqSize;
    this.prq = at;
    at += 4 * this.prqSize;
    this.pasidCache = at;
    at += 2 * this.npasid;
    this.iotlb = at;
    at += this.npasid * this.upages;
    this.psc = at;
    at += 3 * this.npasid;
    // Device: registers, ctx[npasid], outstanding[npasid], devtlb[npasid * upages].
    this.devWords = PciDevDef.words + 2 * this.npasid + this.npasid * this.upages;
    for (let d = 0; d < ndev; d++) {
      this.devBase.push(at);
      at += this.devWords;
    }
    this.words = at;
  }

  /** Makes the offsets absolute once the world has placed the region at `w.hwBase`. */
  attach(w: World): void {
    this.mem = w;
    const b = w.hwBase;
    this.regs = makeView(IommuRegsDef, w, 0, b);
    this.pasidTable += b;
    this.qiStatus += b;
    this.iq += b;
    this.prq += b;
    this.pasidCache += b;
    this.iotlb += b;
    this.psc += b;
    this.devBase = this.devBase.map((x) => x + b);
    this.devBase.forEach((base, d) => {
      this.dev.push(makeView(PciDevDef, w, d, base));
    });
  }

  private mem: World | undefined;

  /** The status word of invalidation-queue slot `i` (qi->desc_status[i], kernel memory). */
  qiStatusOf(i: number): number {
    return (this.mem as World).s[this.qiStatus + i];
  }

  setQiStatus(i: number, v: number): void {
    (this.mem as World).s[this.qiStatus + i] = v;
  }

  /** pasid_table[p].val = the entry these fields make (the others zero): kernel memory the IOMMU walks. */
  writePasidEntry(p: number, fields: Parameters<typeof PASID_ENTRY.encode>[0]): void {
    PASID_ENTRY.encode(fields, (this.mem as World).s, this.pasidTable + 2 * p);
  }

  /**
   * The hardware's words that hold page frames, with their symmetry codes (world/fields.ts): the
   * PASID table's and PASID cache's entries (the PGD's frame in the low word), and the
   * paging-structure caches, IOTLB and device-TLBs (frame + 1, cachedFrame). Every other word of
   * the hardware holds no object's number (requester ids in the queues are renamed by
   * system/symmetry.ts's renameQueues).
   */
  wordKinds(): [number, number][] {
    const out: [number, number][] = [];
    const frame = ref('page').code;
    for (let p = 0; p < this.npasid; p++) {
      out.push([this.pasidTable + 2 * p, W_ENTRY], [this.pasidCache + 2 * p, W_ENTRY]);
      for (let l = 1; l <= 3; l++) out.push([this.pscAt(p, l), frame]);
      for (let i = 0; i < this.upages; i++) {
        out.push([this.iotlbAt(p, i), frame]);
        for (let d = 0; d < this.ndev; d++) out.push([this.devTlb(d, p, i), frame]);
      }
    }
    return out;
  }

  /**
   * A page frame a cache holds (an IOTLB, paging-structure cache or device-TLB entry at `at`), or
   * null: the word holds the frame + 1, 0 for an empty entry (what system/symmetry.ts renames).
   */
  cachedFrame(at: number): number | null {
    const v = (this.mem as World).s[at];
    return v === 0 ? null : v - 1;
  }

  setCachedFrame(at: number, f: number | null): void {
    (this.mem as World).s[at] = f === null ? 0 : f + 1;
  }

  /** Device d's outstanding page request for PASID p: its page request group index, or null. */
  outstanding(d: number, p: number): number | null {
    const v = (this.mem as World).s[this.outstandingAt(d, p)];
    return v === 0 ? null : v - 1;
  }

  setOutstanding(d: number, p: number, prg: number | null): void {
    (this.mem as World).s[this.outstandingAt(d, p)] = prg === null ? 0 : prg + 1;
  }

  /** Device d's MMIO context register for PASID p, as the client driver programmed it. */
  devCtxOf(d: number, p: number): number {
    return (this.mem as World).s[this.devCtx(d, p)];
  }

  /** A device's MMIO context register for PASID p (the client driver programs it). */
  writeDevCtx(d: number, p: number, v: number): void {
    (this.mem as World).s[this.devCtx(d, p)] = v;
  }

  /** Whether device d has a page request for PASID p outstanding (its status register). */
  readDevOutstanding(d: number, p: number): number {
    return (this.mem as World).s[this.devOutstanding(d, p)];
  }

  /** Word offset of device d's block (its PciDev registers first; see devWords). */
  devBlock(d: number): number {
    return this.devBase[d];
  }
  /** Word offset of device d's context word for PASID p. */
  devCtx(d: number, p: number): number {
    return this.devBase[d] + PciDevDef.words + p;
  }
  /** Word offset of device d's outstanding page request for PASID p (page + 1, or 0). */
  devOutstanding(d: number, p: number): number {
    return this.devBase[d] + PciDevDef.words + this.npasid + p;
  }
  /**
   * Word offset of device d's outstanding page request for PASID p: devOutstanding for a PASID the
   * model allocates, the device's `unbound_outstanding` word for any other.
   */
  outstandingAt(d: number, p: number): number {
    return p < this.npasid
      ? this.devOutstanding(d, p)
      : this.devBase[d] + PciDevDef.names.indexOf('unbound_outstanding');
  }
  /** Word offset of device d's device-TLB entry for (PASID p, user page i): frame + 1, or 0. */
  devTlb(d: number, p: number, i: number): number {
    return this.devBase[d] + PciDevDef.words + 2 * this.npasid + p * this.upages + i;
  }
  /** IOTLB entry for (PASID p, user page i): the cached leaf's frame + 1, or 0. */
  iotlbAt(p: number, i: number): number {
    return this.iotlb + p * this.upages + i;
  }
  /**
   * Paging-structure cache entry of PASID p for the table at `level` (3 PUD, 2 PMD, 1 PTE): the
   * frame (+1) that the upper entry pointed to. All user pages share these tables in the model.
   */
  pscAt(p: number, level: number): number {
    return this.psc + 3 * p + (level - 1);
  }
}
