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
import {
  type ClientFileOps,
  defineRoutine,
  type FaultCbFrame,
  type KRoutine,
  type KStep,
} from '../../kernel/kernel.ts';
import { type ObjKind, obj, opt, ref, value } from '../../world/fields.ts';
import { ctx, device_page_request_outstanding, device_program_pasid, device_stop_pasid } from '../client.ts';
import { intel_svm_bind_mm, intel_svm_unbind_mm } from '../iommu/intel/svm.ts';

/** ioctl(SVM_BIND) of `file`; intel_svm_bind_mm returns the PASID and the binding into the frame. */
export function bindIoctl(name: string): KRoutine<{ file: ObjKind<'file'> }> {
  return defineRoutine({
    name: `${name}_ioctl_bind`,
    frame: { file: obj('file'), pasid: opt(), sdev: ref('sdev') },
    calls: () => [intel_svm_bind_mm],
    steps: [
      function intel_svm_bind_mm_(k, f) {
        return k.call(intel_svm_bind_mm, { dev: ctx(f.file).device ?? 0, file: f.file });
      },
      function program_device(k, f) {
        const c = ctx(f.file);
        if (f.pasid === null || c.device === null) return Ctl.RET;
        c.ctx_pasid = f.pasid;
        c.ctx_sdev = f.sdev;
        device_program_pasid(k, c.device, f.pasid);
        return Ctl.RET;
      },
    ],
  });
}

type ReleaseFrame = { file: ObjKind<'file'> };

export const releaseSteps = {
  /** Tell the device to stop issuing work for this context's PASID. */
  stop_device(k, f): Ctl {
    const c = ctx(f.file);
    if (c.ctx_pasid === null || c.device === null) return Ctl.RET;
    device_stop_pasid(k, c.device, c.ctx_pasid);
    return Ctl.NEXT;
  },
  /** Sleep until every page request the device sent for the PASID has been answered. */
  wait_page_requests(k, f): Ctl {
    const c = ctx(f.file);
    return c.device !== null &&
      c.ctx_pasid !== null &&
      device_page_request_outstanding(k, c.device, c.ctx_pasid)
      ? Ctl.BLOCK
      : Ctl.NEXT;
  },
  intel_svm_unbind_mm(k, f): Ctl {
    const c = ctx(f.file);
    return k.call(intel_svm_unbind_mm, { dev: c.device ?? 0, pasid: c.ctx_pasid ?? -1, file: f.file });
  },
  done(): Ctl {
    return Ctl.RET;
  },
} satisfies Record<string, KStep<ReleaseFrame>>;
ownWordsOnly(releaseSteps.done);

/** ->release of a client driver: the steps given, then the unbind it calls. */
export const clientRelease = (name: string, steps: readonly KStep<ReleaseFrame>[]): KRoutine<ReleaseFrame> =>
  defineRoutine({
    name: `${name}_release`,
    frame: { file: obj('file') },
    calls: () => [intel_svm_unbind_mm],
    steps,
  });

/**
 * svm_dev_ops.fault_cb: prq_event_thread tells the driver how a page request of its device was
 * answered (device, PASID, result). The accel driver only notes it: nothing in the model waits on
 * it, so it changes no state beyond the call itself.
 */
export function faultCb(name: string): KRoutine<FaultCbFrame> {
  return defineRoutine({
    name: `${name}_fault_cb`,
    frame: { dev: obj('device', 8), pasid: value(), result: value() },
    steps: [
      function report(k, f) {
        k.note(`${k.cfg.devices[f.dev].name}: fault_cb PASID ${f.pasid}: ${respName(f.result)}`);
        return Ctl.RET;
      },
    ],
  });
}

export const accelOps: ClientFileOps = {
  name: 'accel',
  mmap: true,
  faultCb: faultCb('accel'),
  bind: bindIoctl('accel'),
  release: clientRelease('accel', [
    releaseSteps.stop_device,
    releaseSteps.wait_page_requests,
    releaseSteps.intel_svm_unbind_mm,
    releaseSteps.done,
  ]),
};

export const accelNowaitOps: ClientFileOps = {
  name: 'accel-nowait',
  mmap: true,
  faultCb: faultCb('accel_nowait'),
  bind: bindIoctl('accel_nowait'),
  release: clientRelease('accel_nowait', [
    releaseSteps.stop_device,
    releaseSteps.intel_svm_unbind_mm,
    releaseSteps.done,
  ]),
};
