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
import { site } from '../../properties/violations.ts';
import { recordViolation } from '../../world/fail.ts';
import type { World } from '../../world/layout.ts';
import { Life, Obj } from '../../world/objects.ts';
import { CTX_ACTIVE, type Hardware } from '../hardware.ts';
import { FAULTED, NOT_PRESENT, PASID_NOT_PRESENT, prqAppend, recordFault, translate } from '../vtd/iommu.ts';

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
}

const S_DMA_DEVTLB = site('DMA write through a device-TLB entry reaches a freed page');
const S_DMA_IOTLB = site('DMA write through an IOTLB entry reaches a freed page');
const S_DMA_WALK = site('DMA write reaches a freed page');
const S_PRI_DISABLED = site('page request not sent: PRI disabled by a Response Failure for another PASID');

/** Device d's choices: one DMA attempt per (PASID, user page). */
export const deviceChoices = (hw: Hardware): number => hw.npasid * hw.upages;

/** Can device d try (PASID p, page i) now? */
export function dmaEnabled(w: World, hw: Hardware, dev: DeviceHw, d: number, choice: number): boolean {
  const p = Math.floor(choice / hw.upages);
  return (
    hw.dev[d].budget > 0 &&
    (dev.pasids === 'absent'
      ? p === 0
      : w.s[hw.devCtx(d, p)] === CTX_ACTIVE || (dev.pasids === 'all' && w.s[hw.pasidTable + 2 * p] !== 0)) &&
    w.s[hw.devOutstanding(d, p)] === 0
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
  const p = Math.floor(choice / hw.upages);
  const i = choice % hw.upages;
  hw.dev[d].budget--;
  const what = `DMA write PASID ${p} page ${i}`;
  if (dev.pasids === 'absent') {
    if (!prqAppend(w, hw, dev.sid, p, i, true, dev.streamRequests, false))
      return `DMA write page ${i} without PASID: page request queue full`;
    w.s[hw.devOutstanding(d, p)] = i + 1;
    return `DMA write page ${i} without PASID → page request (PRG ${i}) queued, PASID-present clear`;
  }
  const tlbAt = hw.devTlb(d, p, i);
  if (dev.ats && w.s[tlbAt] !== 0)
    return access(w, actor, w.s[tlbAt] - 1, S_DMA_DEVTLB, `${what}: device-TLB hit`);
  const viaIotlb = w.s[hw.iotlbAt(p, i)] !== 0;
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
      if (r.pri_failed_by !== p + 1) recordViolation(w, actor, 'disturbance', Obj.pasid, p, S_PRI_DISABLED);
      return `${what}: not present, PRI disabled → request fails`;
    }
    if (!prqAppend(w, hw, dev.sid, p, i, true, dev.streamRequests))
      return `${what}: not present, page request queue full`;
    w.s[hw.devOutstanding(d, p)] = i + 1;
    return `${what}: not present → page request (PRG ${i}) queued`;
  }
  if (dev.ats) w.s[tlbAt] = f + 1;
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
