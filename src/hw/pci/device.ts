/**
 * A PCI device with PASID, ATS and PRI, doing DMA for the PASIDs its driver programmed.
 *
 * One DMA attempt is one atomic step: with ATS, a hit in the device-TLB goes straight to memory
 * (a translated request bypasses the IOMMU's tables); otherwise the IOMMU translates. A
 * translation that finds the page not present makes the device send a page request (PRI) and wait
 * for its response before it tries that PASID again; a PASID whose entry is not present gives a
 * translation fault, recorded, which blocks only that request. After a Response Failure the
 * function sends no page request for any PASID (PCIe PRI).
 */

import { userVa } from '../../arch/x86/pgtable.ts';
import { site } from '../../properties/violations.ts';
import { recordViolation } from '../../world/fail.ts';
import type { World } from '../../world/layout.ts';
import { Life, Obj } from '../../world/objects.ts';
import { CTX_ACTIVE, type Hardware } from '../hardware.ts';
import {
  FAULTED,
  NOT_PRESENT,
  PASID_NOT_PRESENT,
  prqAppend,
  prqAppendDesc,
  recordFault,
  translate,
} from '../vtd/iommu.ts';

export interface DeviceHw {
  readonly sid: number;
  readonly ats: boolean;
  /** Sends page requests as stream requests (SRR), answered by page stream responses. */
  readonly streamRequests: boolean;
  /**
   * 'own': requests carry the PASIDs its driver programmed. 'all' (misbehaving): any PASID present
   * in the IOMMU's PASID table; in extended mode every PASID-enabled device's extended context
   * entry points at the one shared table (intel-svm.c v4.5, intel_svm_unbind_mm: "we depend on
   * other devices never using PASIDs that they have no right to use"). 'absent': its page
   * requests have the PASID-present bit clear (requests without PASID; the second-level
   * translation that precedes them is not modelled: each DMA attempt is a page request).
   */
  readonly pasids: 'own' | 'all' | 'absent';
  /** Misbehaving page requests it sends instead of DMA (BAD_REQUESTS); empty for a device that behaves. */
  readonly badRequests: readonly BadRequest[];
}

/**
 * Page requests a misbehaving device may send (PRI lets a function ask for any address, any
 * access, with any PASID): each is one kind of request the kernel must refuse or survive.
 *  - outside-vma: the page just below the process's buffer, which no VMA maps;
 *  - non-canonical: 0x0000_8000_0000_0000, the lowest non-canonical x86-64 address (4 levels);
 *  - unbound-pasid: PASID UNBOUND_PASID, which no bind ever gets;
 *  - exec: read and execute (the buffer has no VM_EXEC);
 *  - privileged: read and write with the privileged (supervisor) bit.
 * The others are for the PASID its driver programmed into it. The PASID-present bit clear and
 * another device's PASID are `pasids: absent` and `pasids: all`.
 */
export const BAD_REQUESTS = ['outside-vma', 'non-canonical', 'unbound-pasid', 'exec', 'privileged'] as const;
export type BadRequest = (typeof BAD_REQUESTS)[number];

/**
 * A PASID no bind ever gets: idr_alloc in intel_svm_bind_mm (v4.5) allocates below
 * `pasid_max - 1`, its end exclusive, and pasid_max is at most `2 << ecap_pss` = 2^20.
 */
export const UNBOUND_PASID = (1 << 20) - 1;

/** The lowest non-canonical address of x86-64 with 4-level paging, as a page number. */
const NON_CANONICAL_PAGE = 2 ** 47 / 4096;

/** PRG index of a misbehaving request of kind number k: past every page index of the buffer. */
const badPrg = (k: number): number => 0x100 + k;

const S_DMA_DEVTLB = site('DMA write through a device-TLB entry reaches a freed page');
const S_DMA_IOTLB = site('DMA write through an IOTLB entry reaches a freed page');
const S_DMA_WALK = site('DMA write reaches a freed page');
const S_PRI_DISABLED = site('page request not sent: PRI disabled by a Response Failure for another PASID');

/**
 * Device d's choices: one DMA attempt per (PASID, user page); for a misbehaving device, one
 * request per (kind, PASID) instead.
 */
export const deviceChoices = (hw: Hardware, dev: DeviceHw): number =>
  dev.badRequests.length > 0 ? dev.badRequests.length * hw.npasid : hw.npasid * hw.upages;

/** Can device d try (PASID p, page i) now? */
export function dmaEnabled(w: World, hw: Hardware, dev: DeviceHw, d: number, choice: number): boolean {
  if (dev.badRequests.length > 0) return badRequestEnabled(hw, dev, d, choice);
  const p = Math.floor(choice / hw.upages);
  return (
    hw.dev[d].budget > 0 &&
    (dev.pasids === 'absent'
      ? p === 0
      : hw.devCtxOf(d, p) === CTX_ACTIVE || (dev.pasids === 'all' && w.s[hw.pasidTable + 2 * p] !== 0)) &&
    hw.outstanding(d, p) === null
  );
}

/** One DMA write attempt by device d (actor `actor`) to (PASID p, page i). Returns a trace line. */
export function dmaAttempt(
  w: World,
  hw: Hardware,
  dev: DeviceHw,
  d: number,
  actor: number,
  choice: number,
): string {
  if (dev.badRequests.length > 0) return badRequest(w, hw, dev, d, choice);
  const p = Math.floor(choice / hw.upages);
  const i = choice % hw.upages;
  hw.dev[d].budget--;
  const what = `DMA write PASID ${p} page ${i}`;
  if (dev.pasids === 'absent') {
    if (!prqAppend(w, hw, dev.sid, p, i, true, dev.streamRequests, false))
      return `DMA write page ${i} without PASID: page request queue full`;
    hw.setOutstanding(d, p, i);
    return `DMA write page ${i} without PASID → page request (PRG ${i}) queued, PASID-present clear`;
  }
  const tlbAt = hw.devTlb(d, p, i);
  const cached = hw.cachedFrame(tlbAt);
  if (dev.ats && cached !== null) return access(w, actor, cached, S_DMA_DEVTLB, `${what}: device-TLB hit`);
  const viaIotlb = hw.cachedFrame(hw.iotlbAt(p, i)) !== null;
  const f = translate(w, hw, actor, p, i);
  if (f === FAULTED) return `${what}: IOMMU walk touched a freed page`;
  if (f === PASID_NOT_PRESENT) {
    recordFault(hw, p, i);
    return `${what}: PASID entry not present → translation fault recorded`;
  }
  if (f === NOT_PRESENT) {
    if (!dev.ats) {
      recordFault(hw, p, i);
      return `${what}: page not present → translation fault recorded`;
    }
    const r = hw.dev[d];
    if (!r.pri_enabled) {
      if (r.pri_failed_by !== p) recordViolation(w, actor, 'disturbance', Obj.pasid, p, S_PRI_DISABLED);
      return `${what}: not present, PRI disabled → request fails`;
    }
    if (!prqAppend(w, hw, dev.sid, p, i, true, dev.streamRequests))
      return `${what}: not present, page request queue full`;
    hw.setOutstanding(d, p, i);
    return `${what}: not present → page request (PRG ${i}) queued`;
  }
  if (dev.ats) hw.setCachedFrame(tlbAt, f);
  return access(
    w,
    actor,
    f,
    viaIotlb ? S_DMA_IOTLB : S_DMA_WALK,
    `${what} → page#${f}${viaIotlb ? ' (IOTLB hit)' : ''}`,
  );
}

function access(w: World, actor: number, f: number, s: number, text: string): string {
  if (w.page[f].life !== Life.live) recordViolation(w, actor, 'use-after-free', Obj.page, f, s);
  return text;
}

/**
 * A misbehaving request: kind dev.badRequests[choice / npasid], for the programmed PASID
 * choice % npasid (unbound-pasid: choice 0 of its kind only, for UNBOUND_PASID). Like any page
 * request it waits for its response before another for the same PASID, and is not sent once a
 * Response Failure has stopped the function's PRI (its own doing: no disturbance of others).
 */
function badRequestEnabled(hw: Hardware, dev: DeviceHw, d: number, choice: number): boolean {
  const kind = dev.badRequests[Math.floor(choice / hw.npasid)];
  const p = choice % hw.npasid;
  if (hw.dev[d].budget <= 0 || !hw.dev[d].pri_enabled) return false;
  if (kind === 'unbound-pasid') return p === 0 && hw.outstanding(d, UNBOUND_PASID) === null;
  return hw.devCtxOf(d, p) === CTX_ACTIVE && hw.outstanding(d, p) === null;
}

function badRequest(w: World, hw: Hardware, dev: DeviceHw, d: number, choice: number): string {
  const k = Math.floor(choice / hw.npasid);
  const kind = dev.badRequests[k];
  const p = kind === 'unbound-pasid' ? UNBOUND_PASID : choice % hw.npasid;
  const buffer = userVa(0) / 4096;
  const addr = kind === 'outside-vma' ? buffer - 1 : kind === 'non-canonical' ? NON_CANONICAL_PAGE : buffer;
  hw.dev[d].budget--;
  const queued = prqAppendDesc(w, hw, {
    PASID_PRESENT: 1,
    LPIG: 1,
    PASID: p,
    BUS: dev.sid >> 8,
    DEVFN: dev.sid & 0xff,
    PRG_INDEX: badPrg(k),
    RD_REQ: 1,
    WR_REQ: kind === 'exec' ? 0 : 1,
    EXE_REQ: kind === 'exec' ? 1 : 0,
    PRIV_REQ: kind === 'privileged' ? 1 : 0,
    ADDR: addr,
  });
  if (!queued) return `${kind} page request, PASID ${p}: page request queue full`;
  hw.setOutstanding(d, p, badPrg(k));
  return `${kind} page request (PRG ${badPrg(k)}), PASID ${p}, address 0x${(addr * 4096).toString(16)} queued`;
}
