/**
 * gfx: a graphics driver, the first user of SVM with VT-d. It binds per context; the bound fd has
 * no mmap (the driver's mmap goes through another file), so no VMA holds the bound file and
 * there is no cycle. ->release stops the context's work, waits for its page requests, unbinds.
 */
import type { ClientFileOps } from '../../kernel/kernel.ts';
import { bindIoctl, clientRelease, releaseSteps } from '../accel/accel.ts';

export const gfxOps: ClientFileOps = {
  name: 'gfx',
  mmap: false,
  bind: bindIoctl('gfx'),
  release: clientRelease('gfx', [
    releaseSteps.stop_device,
    releaseSteps.wait_page_requests,
    releaseSteps.intel_svm_unbind_mm,
    releaseSteps.done,
  ]),
};
