/**
 * qi_submit_sync (drivers/iommu/dmar.c, v4.5): writes a descriptor and an invalidation-wait
 * descriptor into the invalidation queue, advances the tail register, and spins until the
 * hardware has written QI_DONE into the wait's status word. Submitted is not completed: the
 * hardware processes the queue as a separate actor, and the submitter is blocked until then.
 *
 * Frame: the descriptor's kind (Qi below), the PASID, the target (an sdev for a flush, a
 * requester id for a response), the response's code (response code | PRG index << 4 | page
 * number << 13 for stream responses, or the request's PASID-present bit << 13 for group
 * responses: QI_PGRP_PASID_P(req->pasid_present)), and the wait descriptor's slot (local).
 */

import { qiStatusAddr } from '../../../hw/vtd/iommu.ts';
import {
  DEV_TLB_ALL_ADDR,
  QI_DEIOTLB,
  QI_EIOTLB,
  QI_GRAN,
  QI_IWD,
  QI_PC,
  QI_PC_GRANULARITY,
  QI_PGRP_RESP,
  QI_PSTRM_RESP,
  QI_STATUS,
} from '../../../hw/vtd/layouts.ts';
import { Ctl } from '../../../kernel/exec.ts';
import { defineRoutine, type Frame, type Kernel } from '../../../kernel/kernel.ts';
import { opt, special, value, W_QI_TARGET } from '../../../world/fields.ts';

export const Qi = {
  /** intel_flush_pasid_dev: PASID-cache invalidation, PASID-selective. */
  pasid_cache: 1,
  /** intel_flush_svm_range_dev(.., pages = -1): all of the PASID's IOTLB entries (non-global). */
  iotlb_pasid: 2,
  /** ... and the device-TLB, when ATS is on: every address. */
  dev_iotlb_pasid: 3,
  /** prq_event_thread: page group response. */
  page_group_response: 4,
  /** prq_event_thread: page stream response (a request with SRR and not LPIG); a3 also has the page. */
  page_stream_response: 5,
} as const;

/**
 * The domain id the model's invalidations carry for every device. In v4.4/v4.5 it is each sdev's
 * `domain->iommu_did[iommu->seq_id]` (intel_iommu_enable_pasid); the model has one domain, and the
 * name is the one later kernels gave the fixed id (docs/fidelity.md, divergences kept).
 */
export const FLPT_DEFAULT_DID = 1;

function writeDescriptor(k: Kernel, f: Frame<typeof QiFrame>, at: number): void {
  const s = k.s;
  const pasid = f.pasid;
  switch (f.kind) {
    case Qi.pasid_cache:
      QI_PC.encode({ GRAN: QI_PC_GRANULARITY.PASID_SEL, DID: FLPT_DEFAULT_DID, PASID: pasid }, s, at);
      break;
    case Qi.iotlb_pasid:
      QI_EIOTLB.encode({ GRAN: QI_GRAN.NONG_PASID, DID: FLPT_DEFAULT_DID, PASID: pasid }, s, at);
      break;
    case Qi.dev_iotlb_pasid:
      QI_DEIOTLB.encode(
        { SID: k.w.pool('sdev')[f.target].sid, PASID: pasid, ADDR: DEV_TLB_ALL_ADDR, SIZE: 1 },
        s,
        at,
      );
      break;
    case Qi.page_stream_response:
      QI_PSTRM_RESP.encode(
        {
          PASID: pasid,
          BUS: f.target >> 8,
          DEVFN: f.target & 0xff,
          RESP_CODE: f.code & 0xf,
          IDX: (f.code >> 4) & 0x1ff,
          ADDR: f.code >>> 13,
        },
        s,
        at,
      );
      break;
    case Qi.page_group_response:
      QI_PGRP_RESP.encode(
        {
          PASID_P: (f.code >> 13) & 1,
          DID: f.target,
          PASID: pasid,
          RESP_CODE: f.code & 0xf,
          IDX: (f.code >> 4) & 0x1ff,
        },
        s,
        at,
      );
      break;
  }
}

const QiFrame = {
  kind: value(),
  pasid: value(),
  target: special(W_QI_TARGET),
  code: value(),
  slot: opt(),
};

export const qi_submit_sync = defineRoutine({
  name: 'qi_submit_sync',
  frame: QiFrame,
  steps: [
    function submit(k, f) {
      const hw = k.hw;
      const q = k.w.kernel;
      // Room for the descriptor and its wait, and one slot always empty (`while (qi->free_cnt < 3)`).
      if (q.qi_free_cnt < 3) return Ctl.BLOCK;
      const index = q.qi_free_head;
      const wait = (index + 1) % hw.iqSize;
      writeDescriptor(k, f, hw.iq + 4 * index);
      hw.setQiStatus(index, QI_STATUS.IN_USE);
      hw.setQiStatus(wait, QI_STATUS.IN_USE);
      QI_IWD.encode(
        { STATUS_WRITE: 1, STATUS_DATA: QI_STATUS.DONE, STATUS_ADDR: qiStatusAddr(wait) / 4 },
        k.s,
        hw.iq + 4 * wait,
      );
      q.qi_free_head = (wait + 1) % hw.iqSize;
      q.qi_free_cnt -= 2;
      // Writing the tail register hands the descriptors to the hardware.
      hw.regs.iqt = q.qi_free_head << 4;
      f.slot = index;
      return Ctl.NEXT;
    },
    function wait_for_qi_done(k, f) {
      const hw = k.hw;
      const index = f.slot ?? 0;
      if (hw.qiStatusOf((index + 1) % hw.iqSize) !== QI_STATUS.DONE) return Ctl.BLOCK;
      hw.setQiStatus(index, QI_STATUS.DONE);
      reclaim_free_desc(k);
      return Ctl.RET;
    },
  ],
});

/**
 * reclaim_free_desc (dmar.c, v4.5): frees slots in ring order, up to the first one still in use.
 * A wait slot whose status the hardware wrote is not reclaimed before its descriptor slot, whose
 * owner marks it done only after seeing its own wait complete, so no waiter loses its QI_DONE.
 */
function reclaim_free_desc(k: Kernel): void {
  const hw = k.hw;
  const q = k.w.kernel;
  while (hw.qiStatusOf(q.qi_free_tail) === QI_STATUS.DONE) {
    hw.setQiStatus(q.qi_free_tail, QI_STATUS.FREE);
    q.qi_free_tail = (q.qi_free_tail + 1) % hw.iqSize;
    q.qi_free_cnt++;
  }
}
