/**
 * What a client driver of intel-svm does on the device side, through the device's MMIO
 * registers: program a PASID into the device, stop the device's work for it, and read whether a
 * page request is still outstanding (so that unbind is called with none in flight, as intel-svm's
 * contract demands).
 */
import { CTX_ACTIVE } from '../hw/hardware.ts';
import type { Kernel } from '../kernel/kernel.ts';

export function device_program_pasid(k: Kernel, dev: number, pasid: number): void {
  k.s[k.hw.devCtx(dev, pasid)] = CTX_ACTIVE;
  k.note(`device ${k.cfg.devices[dev].name}: PASID ${pasid} programmed`);
}

export function device_stop_pasid(k: Kernel, dev: number, pasid: number): void {
  k.s[k.hw.devCtx(dev, pasid)] = 0;
  k.note(`device ${k.cfg.devices[dev].name}: work for PASID ${pasid} stopped`);
}

export const device_page_request_outstanding = (k: Kernel, dev: number, pasid: number): boolean =>
  k.s[k.hw.devOutstanding(dev, pasid)] !== 0;
