/**
 * What a client driver of intel-svm does on the device side, through the device's MMIO
 * registers: program a PASID into the device, stop the device's work for it, and read whether a
 * page request is still outstanding (so that unbind is called with none in flight, as intel-svm's
 * contract demands).
 */
import { CTX_ACTIVE } from '../hw/hardware.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { opt, ref } from '../world/fields.ts';
import type { FileFields, FileView } from '../world/layout.ts';
import type { View } from '../world/struct.ts';

/**
 * The context a client driver keeps for each open file (its private_data): the PASID it bound,
 * and the binding. Declared here, laid out after struct file's own fields (world/layout.ts).
 */
export const ClientContext = {
  ctx_pasid: opt(),
  ctx_sdev: ref('sdev'),
};

/** A file as its client driver sees it: struct file and the driver's context. */
export const ctx = (f: FileView): View<typeof FileFields & typeof ClientContext> =>
  f as unknown as View<typeof FileFields & typeof ClientContext>;

export function device_program_pasid(k: Kernel, dev: number, pasid: number): void {
  k.hw.writeDevCtx(dev, pasid, CTX_ACTIVE);
  k.note(`device ${k.cfg.devices[dev].name}: PASID ${pasid} programmed`);
}

export function device_stop_pasid(k: Kernel, dev: number, pasid: number): void {
  k.hw.writeDevCtx(dev, pasid, 0);
  k.note(`device ${k.cfg.devices[dev].name}: work for PASID ${pasid} stopped`);
}

export const device_page_request_outstanding = (k: Kernel, dev: number, pasid: number): boolean =>
  k.hw.readDevOutstanding(dev, pasid) !== 0;
