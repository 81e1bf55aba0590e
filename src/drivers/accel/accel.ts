/**
 * accel: an accelerator driver of the kind that exposed the bug (like later uacce and idxd).
 * open() creates a context on the fd; an ioctl binds the caller's mm and programs the device with
 * the PASID; mmap() of the same fd maps the device's doorbell page; ->release() stops the device's
 * work for the PASID, waits until no page request is outstanding for it, then unbinds.
 *
 * accel-nowait is the same driver without the wait: it breaks intel-svm's contract ("no page
 * fault outstanding at unbind"), so what follows from it is a finding about the client.
 */

import { respName } from '../../hw/vtd/iommu.ts';
import { Ctl, ownWordsOnly } from '../../kernel/exec.ts';
import { type ClientFileOps, defineRoutine, type KRoutine, type KStep } from '../../kernel/kernel.ts';
import { device_page_request_outstanding, device_program_pasid, device_stop_pasid } from '../client.ts';

/** ioctl(SVM_BIND): a0 = file; a1, a2 receive PASID + 1 and sdev + 1 from intel_svm_bind_mm. */
export function bindIoctl(name: string, svmBind: KRoutine): KRoutine {
  return defineRoutine(`${name}_ioctl_bind(file, pasid+1, sdev+1)`, [
    function intel_svm_bind_mm(k) {
      const dev = k.w.file[k.a0].device - 1;
      return k.call(svmBind, dev, 0, 0, false, 0, k.a0);
    },
    function program_device(k) {
      const f = k.w.file[k.a0];
      if (k.a1 === 0) return Ctl.RET;
      f.ctx_pasid = k.a1;
      f.ctx_sdev = k.a2;
      device_program_pasid(k, f.device - 1, k.a1 - 1);
      return Ctl.RET;
    },
  ]);
}

export const releaseSteps = {
  /** Tell the device to stop issuing work for this context's PASID. */
  stop_device(k): Ctl {
    const f = k.w.file[k.a0];
    if (f.ctx_pasid === 0) return Ctl.RET;
    device_stop_pasid(k, f.device - 1, f.ctx_pasid - 1);
    return Ctl.NEXT;
  },
  /** Sleep until every page request the device sent for the PASID has been answered. */
  wait_page_requests(k): Ctl {
    const f = k.w.file[k.a0];
    return device_page_request_outstanding(k, f.device - 1, f.ctx_pasid - 1) ? Ctl.BLOCK : Ctl.NEXT;
  },
  intel_svm_unbind_mm(k): Ctl {
    const f = k.w.file[k.a0];
    return k.call(k.cfg.svmUnbind, f.device - 1, f.ctx_pasid - 1, 0, false, 0, k.a0);
  },
  done(): Ctl {
    return Ctl.RET;
  },
} satisfies Record<string, KStep>;
ownWordsOnly(releaseSteps.done);

/**
 * svm_dev_ops.fault_cb: prq_event_thread tells the driver how a page request of its device was
 * answered (device, PASID, result). The accel driver only notes it: nothing in the model waits on
 * it, so it changes no state beyond the call itself.
 */
export function faultCb(name: string): KRoutine {
  return defineRoutine(`${name}_fault_cb(dev, pasid, result)`, [
    function report(k) {
      k.note(`${k.cfg.devices[k.a0].name}: fault_cb PASID ${k.a1}: ${respName(k.a2)}`);
      return Ctl.RET;
    },
  ]);
}

export function accelOps(svmBind: KRoutine): ClientFileOps {
  return {
    name: 'accel',
    mmap: true,
    faultCb: faultCb('accel'),
    bind: bindIoctl('accel', svmBind),
    release: defineRoutine('accel_release(file)', [
      releaseSteps.stop_device,
      releaseSteps.wait_page_requests,
      releaseSteps.intel_svm_unbind_mm,
      releaseSteps.done,
    ]),
  };
}

export function accelNowaitOps(svmBind: KRoutine): ClientFileOps {
  return {
    name: 'accel-nowait',
    mmap: true,
    faultCb: faultCb('accel_nowait'),
    bind: bindIoctl('accel_nowait', svmBind),
    release: defineRoutine('accel_nowait_release(file)', [
      releaseSteps.stop_device,
      releaseSteps.intel_svm_unbind_mm,
      releaseSteps.done,
    ]),
  };
}
