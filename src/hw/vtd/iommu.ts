/**
 * What the VT-d IOMMU does on its own (VT-d 2.x extended mode, as the 2016 driver programmed it):
 * translating a device's request through the PASID table and the first-level (CPU) page tables,
 * filling its caches, processing the invalidation queue, and appending page requests to the page
 * request queue.
 *
 * Caches hold only present entries (caching mode off) and keep them until an invalidation
 * completes. A walk is one atomic step, which gives the guarantee that when an invalidation
 * completes no walk that started before it is still running.
 */
import { entryAt, entryFrame, entryPresent, tableIndex, userVa } from '../../arch/x86/pgtable.ts';
import { site } from '../../properties/violations.ts';
import { recordViolation } from '../../world/fail.ts';
import type { World } from '../../world/layout.ts';
import { Life, Obj } from '../../world/objects.ts';
import type { Hardware } from '../hardware.ts';
import {
  DMA_PECTL,
  DMA_PRS,
  decodeDevTlbRange,
  decodeIotlbRange,
  PAGE_REQ_DSC,
  QI_DEIOTLB,
  QI_EIOTLB,
  QI_GRAN,
  QI_IWD,
  QI_PC,
  QI_PC_GRANULARITY,
  QI_PGRP_RESP,
  QI_PSTRM_RESP,
  QI_RESP,
  QI_TYPE,
  qiType,
} from './layouts.ts';

/** translate() results other than a frame. */
export const NOT_PRESENT = -1;
export const PASID_NOT_PRESENT = -2;
export const FAULTED = -3;

const S_WALK = [
  0,
  site('IOMMU first-level walk reads a PTE in a freed page-table page'),
  site('IOMMU first-level walk reads a PMD entry in a freed page-table page'),
  site('IOMMU first-level walk reads a PUD entry in a freed page-table page'),
  site('IOMMU first-level walk reads the PGD, a freed page'),
];
const S_PASID_ENTRY = site('IOMMU PASID-table entry points outside memory');

/**
 * Reads PASID p's entry for a request: from the PASID cache if cached, else from the table in
 * memory, caching it when present (the PASID-cache "caches PASID-table entries encountered on
 * address translation of requests", VT-d §6.2; with Caching Mode 0 nothing not present is cached).
 */
export function pasidEntry(w: World, hw: Hardware, p: number): { lo: number; hi: number } {
  const c = hw.pasidCache + 2 * p;
  if (w.s[c] !== 0) return { lo: w.s[c], hi: w.s[c + 1] };
  const t = hw.pasidTable + 2 * p;
  if (entryPresent(w.s[t])) {
    w.s[c] = w.s[t];
    w.s[c + 1] = w.s[t + 1];
  }
  return { lo: w.s[t], hi: w.s[t + 1] };
}

/**
 * Walks PASID p's first-level tables for user page i, from the PGD named by the PASID entry, or
 * from the deepest paging-structure cache entry the IOMMU holds for the PASID (a cached upper
 * entry lets the walk skip levels, as VT-d's PML4E/PDPTE/PDE caches do). Every table read is a
 * read of a physical page: a freed one is a use after free by the hardware. A walk that reaches a
 * present leaf fills the paging-structure caches on its way (the model caches every walk).
 */
export function walk(w: World, hw: Hardware, actor: number, p: number, i: number, entryLo: number): number {
  let level = 4;
  let f = entryFrame(entryLo);
  for (let l = 1; l <= 3; l++) {
    const cached = hw.cachedFrame(hw.pscAt(p, l));
    if (cached !== null) {
      level = l;
      f = cached;
      break;
    }
  }
  const va = userVa(i);
  for (; level >= 1; level--) {
    if (f < 0 || f >= w.page.length) {
      recordViolation(w, actor, 'use-after-free', Obj.pasid, p, S_PASID_ENTRY);
      return FAULTED;
    }
    if (w.page[f].life !== Life.live) {
      recordViolation(w, actor, 'use-after-free', Obj.page, f, S_WALK[level]);
      return FAULTED;
    }
    const at = entryAt(w, f, level, tableIndex(va, level));
    const lo = at < 0 ? 0 : w.s[at];
    if (!entryPresent(lo)) return NOT_PRESENT;
    f = entryFrame(lo);
    if (level > 1) hw.setCachedFrame(hw.pscAt(p, level - 1), f);
  }
  return f;
}

/**
 * Translates (PASID p, user page i) as the IOMMU does for an untranslated request or an ATS
 * translation request: PASID entry (cache or table), then IOTLB, then a walk that fills the IOTLB.
 * Returns the data frame, NOT_PRESENT, PASID_NOT_PRESENT, or FAULTED (a violation was recorded).
 */
export function translate(w: World, hw: Hardware, actor: number, p: number, i: number): number {
  const e = pasidEntry(w, hw, p);
  if (!entryPresent(e.lo)) return PASID_NOT_PRESENT;
  const tlb = hw.cachedFrame(hw.iotlbAt(p, i));
  if (tlb !== null) return tlb;
  const f = walk(w, hw, actor, p, i, e.lo);
  // A successful walk leaves its translation in the IOTLB (the model caches every one).
  if (f >= 0) hw.setCachedFrame(hw.iotlbAt(p, i), f);
  return f;
}

/** Records a non-recoverable translation fault (fault recording register). */
export function recordFault(hw: Hardware, p: number, i: number): void {
  hw.regs.frcd_count++;
  hw.regs.frcd_pasid = p;
  hw.regs.frcd_page = i;
}

/**
 * Speculative caching, an assumption a scenario may make (`speculative_caching: true`, off by
 * default): the IOMMU loads the PASID-cache entry of any PASID whose table entry is present, at
 * any time, with no request for that PASID. The VT-d specification describes the PASID-cache as
 * caching entries "encountered on address translation of requests" (§6.2) and allows no caching
 * of not-present entries with Caching Mode 0 (§6.1); it says nothing of fills without a request
 * (docs/fidelity.md). Arm's SMMUv3 does allow them ("might read any entry at any time", §3.21.3).
 * A finding whose trace has such a fill says that it assumes it. (IOTLB entries are filled by the
 * walks that translate a device's requests, see translate().)
 */
export const cacheFillChoices = (hw: Hardware): number => hw.npasid;

/** Is there something to fill for PASID p (an entry present in the table, not yet cached)? */
export const cacheFillable = (w: World, hw: Hardware, p: number): boolean =>
  w.s[hw.pasidCache + 2 * p] === 0 && entryPresent(w.s[hw.pasidTable + 2 * p]);

/** Fills PASID p's cache entry; false when there is nothing to fill (cached, or not present). */
export function cacheFill(w: World, hw: Hardware, p: number): boolean {
  if (!cacheFillable(w, hw, p)) return false;
  const c = hw.pasidCache + 2 * p;
  const t = hw.pasidTable + 2 * p;
  w.s[c] = w.s[t];
  w.s[c + 1] = w.s[t + 1];
  return true;
}

export const describeFill = (p: number): string => `fills the PASID cache for PASID ${p}`;

// --- Invalidation queue -------------------------------------------------------------------

const S_QI_UNKNOWN = site('invalidation queue: descriptor of an unknown type (IQE)');
const S_PRG_UNEXPECTED = site('page group response with no outstanding page request (unexpected PRG index)');

/** Does the invalidation queue have a descriptor to process? */
export const qiPending = (hw: Hardware): boolean => hw.regs.iqh !== hw.regs.iqt;

/**
 * Processes the descriptor at the queue head (one per step): invalidations drop cache entries,
 * a wait descriptor writes its status word, a page response is forwarded to the device.
 * Returns a line for the trace.
 */
export function qiProcessOne(
  w: World,
  hw: Hardware,
  actor: number,
  sidToDev: (sid: number) => number,
): string {
  const slot = hw.regs.iqh >> 4;
  const at = hw.iq + 4 * slot;
  const s = w.s;
  const type = qiType(s, at);
  let text = '';
  switch (type) {
    case QI_TYPE.IWD: {
      const status = QI_IWD.get(s, at, 'STATUS_DATA');
      const addr = QI_IWD.get(s, at, 'STATUS_ADDR');
      s[hw.qiStatus + qiStatusSlotOfAddr(addr)] = status;
      text = 'invalidation wait: status written (QI_DONE)';
      break;
    }
    case QI_TYPE.PC: {
      const p = QI_PC.get(s, at, 'PASID');
      const all = QI_PC.get(s, at, 'GRAN') === QI_PC_GRANULARITY.ALL_PASIDS;
      for (let q = 0; q < hw.npasid; q++) {
        if (all || q === p) {
          s[hw.pasidCache + 2 * q] = 0;
          s[hw.pasidCache + 2 * q + 1] = 0;
        }
      }
      text = `PASID-cache invalidation, PASID ${p}`;
      break;
    }
    case QI_TYPE.EIOTLB: {
      const p = QI_EIOTLB.get(s, at, 'PASID');
      const gran = QI_EIOTLB.get(s, at, 'GRAN');
      let first = 0;
      let pages = hw.upages;
      if (gran === QI_GRAN.PSI_PASID) {
        const r = decodeIotlbRange(QI_EIOTLB.get(s, at, 'ADDR'), QI_EIOTLB.get(s, at, 'AM'));
        first = r.pfn - userVa(0) / 4096;
        pages = r.pages;
      }
      for (let q = 0; q < hw.npasid; q++) {
        if (gran !== QI_GRAN.ALL_ALL && q !== p) continue;
        for (let i = Math.max(0, first); i < Math.min(hw.upages, first + pages); i++) s[hw.iotlbAt(q, i)] = 0;
        // Paging-structure caches go too, unless the invalidation hint says only leaves changed.
        if (gran !== QI_GRAN.PSI_PASID || QI_EIOTLB.get(s, at, 'IH') === 0)
          for (let l = 1; l <= 3; l++) s[hw.pscAt(q, l)] = 0;
      }
      text = `extended IOTLB invalidation, PASID ${p}, granularity ${gran}`;
      break;
    }
    case QI_TYPE.DEIOTLB: {
      const p = QI_DEIOTLB.get(s, at, 'PASID');
      const d = sidToDev(QI_DEIOTLB.get(s, at, 'SID'));
      const r = decodeDevTlbRange(QI_DEIOTLB.get(s, at, 'ADDR'), QI_DEIOTLB.get(s, at, 'SIZE'));
      const first = r.pfn - userVa(0) / 4096;
      if (d >= 0) {
        for (let i = Math.max(0, first); i < Math.min(hw.upages, first + r.pages); i++)
          s[hw.devTlb(d, p, i)] = 0;
      }
      text = `extended device-TLB invalidation, PASID ${p}, device ${d}`;
      break;
    }
    case QI_TYPE.PGRP_RESP:
    case QI_TYPE.PSTRM_RESP: {
      const group = type === QI_TYPE.PGRP_RESP;
      const p = group ? QI_PGRP_RESP.get(s, at, 'PASID') : QI_PSTRM_RESP.get(s, at, 'PASID');
      const rid = group
        ? QI_PGRP_RESP.get(s, at, 'DID')
        : (QI_PSTRM_RESP.get(s, at, 'BUS') << 8) | QI_PSTRM_RESP.get(s, at, 'DEVFN');
      const d = sidToDev(rid);
      const code = group ? QI_PGRP_RESP.get(s, at, 'RESP_CODE') : QI_PSTRM_RESP.get(s, at, 'RESP_CODE');
      text = `page ${group ? 'group' : 'stream'} response to device ${d}, PASID ${p}: ${respName(code)}`;
      if (d < 0 || s[hw.outstandingAt(d, p)] === 0) {
        recordViolation(w, actor, 'disturbance', Obj.device, Math.max(d, 0), S_PRG_UNEXPECTED);
        break;
      }
      s[hw.outstandingAt(d, p)] = 0;
      if (code === QI_RESP.FAILURE) {
        // PCIe PRI: Response Failure stops page requests from the whole function.
        hw.dev[d].pri_enabled = 0;
        hw.dev[d].pri_failed_by = p;
      }
      break;
    }
    default:
      recordViolation(w, actor, 'refcount', Obj.device, 0, S_QI_UNKNOWN);
  }
  // The ring slot is consumed: its words are no longer part of the modelled state.
  s.fill(0, at, at + 4);
  hw.regs.iqh = ((slot + 1) % hw.iqSize) << 4;
  return text;
}

export const respName = (code: number): string =>
  code === QI_RESP.SUCCESS ? 'Success' : code === QI_RESP.INVALID ? 'Invalid Request' : 'Response Failure';

/** Physical address of QI status word `slot` (kernel memory the wait descriptor writes). */
export const QI_STATUS_PHYS = 0x0008_0000;
export const qiStatusAddr = (slot: number): number => QI_STATUS_PHYS + 4 * slot;
/** The status slot a wait descriptor's STATUS_ADDR field (address >> 2) names. */
const qiStatusSlotOfAddr = (addrField: number): number => (addrField * 4 - QI_STATUS_PHYS) / 4;

// --- Page request queue -------------------------------------------------------------------

/**
 * The IOMMU appends a page request from device d for (PASID p, page i) to the queue and raises
 * the page request event only when PPR goes 0→1. Returns false when the queue is full (the caller then has the
 * request auto-answered; the model sizes the queue so that this does not happen).
 */
export function prqAppend(
  w: World,
  hw: Hardware,
  sid: number,
  p: number,
  i: number,
  write: boolean,
  stream: boolean,
  withPasid = true,
): boolean {
  return prqAppendDesc(w, hw, {
    PASID_PRESENT: withPasid ? 1 : 0,
    // A page-group request is its own group (LPIG); a stream request asks for a stream response.
    LPIG: stream ? 0 : 1,
    SRR: stream ? 1 : 0,
    PASID: withPasid ? p : 0,
    BUS: sid >> 8,
    PRG_INDEX: i,
    RD_REQ: 1,
    WR_REQ: write ? 1 : 0,
    DEVFN: sid & 0xff,
    ADDR: userVa(i) / 4096,
  });
}

/** Appends the descriptor `fields` (what a device's PRI message carries); false when the queue is full. */
export function prqAppendDesc(
  w: World,
  hw: Hardware,
  fields: Parameters<typeof PAGE_REQ_DSC.encode>[0],
): boolean {
  const r = hw.regs;
  const tail = r.pqt >> 4;
  const next = (tail + 1) % hw.prqSize;
  if (next === r.pqh >> 4) {
    r.prs |= DMA_PRS.PRO;
    return false;
  }
  PAGE_REQ_DSC.encode(fields, w.s, hw.prq + 4 * tail);
  r.pqt = next << 4;
  if ((r.prs & DMA_PRS.PPR) === 0) {
    r.prs |= DMA_PRS.PPR;
    pageRequestEvent(hw);
  }
  return true;
}

// --- Page request event interrupt -------------------------------------------------------------

/*
 * The page request event (VT-d 2.x, page request handling and the page request event control
 * register), with the semantics the specification gives each of its event control registers: an
 * interrupt condition sets IP; with IM clear hardware sends the interrupt message and clears IP;
 * with IM set the message is held pending (IP stays set) until software clears IM, which sends
 * it, or services the condition (here: clears PPR), which drops it. PPR going from 0 to 1 is the
 * condition; a request queued while PPR is already set is none ("if [the status field] was
 * already set ..., it is not treated as a new interrupt condition"). docs/fidelity.md says which
 * text was read. After intel_svm_enable_prq the IRQ is unmasked (PECTL = 0, the state's initial
 * value) and v4.5 never masks it again while it runs.
 */

/** PPR went from 0 to 1. */
function pageRequestEvent(hw: Hardware): void {
  const r = hw.regs;
  r.pectl |= DMA_PECTL.IP;
  if ((r.pectl & DMA_PECTL.IM) === 0) sendPageRequestMessage(hw);
}

/** The interrupt message: the hard-IRQ handler sets the IRQ thread's IRQTF_RUNTHREAD. */
function sendPageRequestMessage(hw: Hardware): void {
  hw.regs.pectl &= ~DMA_PECTL.IP;
  hw.regs.pr_irq_runthread = 1;
}

/** Software writes DMAR_PRS_REG: PPR and PRO are write-1-to-clear; clearing PPR drops a held message. */
export function prsWrite(hw: Hardware, value: number): void {
  const r = hw.regs;
  const cleared = r.prs & value & (DMA_PRS.PPR | DMA_PRS.PRO);
  r.prs &= ~cleared;
  if (cleared & DMA_PRS.PPR) r.pectl &= ~DMA_PECTL.IP;
}

/** Software writes DMAR_PECTL_REG (only IM is writable): unmasking sends a held message. */
export function pectlWrite(hw: Hardware, value: number): void {
  const r = hw.regs;
  r.pectl = (r.pectl & DMA_PECTL.IP) | (value & DMA_PECTL.IM);
  if ((r.pectl & (DMA_PECTL.IM | DMA_PECTL.IP)) === DMA_PECTL.IP) sendPageRequestMessage(hw);
}
