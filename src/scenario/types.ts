/** A scenario once loaded and checked: what the model is built from. */
import type { BadRequest } from '../hw/pci/device.ts';
import type { SysOp } from '../kernel/kernel.ts';

export interface ScenarioDevice {
  name: string;
  /** Client driver: accel, accel-nowait, gfx. */
  client: string;
  ats: boolean;
  /** Page requests sent as stream requests (SRR), answered by page stream responses. */
  streamRequests: boolean;
  /** DMA attempts the device may make while bound (each may end in a page request). */
  dma: number;
  /** The client binds it with svm_dev_ops that have a fault_cb. */
  faultCb: boolean;
  /**
   * Which PASIDs the device issues requests with: those its driver programmed into it ('own'),
   * every PASID of the IOMMU's shared PASID table ('all': a device that misbehaves), or none: its
   * page requests have the PASID-present bit clear ('absent').
   */
  pasids: 'own' | 'all' | 'absent';
  /** The page requests it sends instead of its DMA: each a kind the kernel must refuse or survive. */
  badRequests: readonly BadRequest[];
}

export interface ScenarioTask {
  name: string;
  program: SysOp[];
  /** Index of the task whose fork creates this one (absent for a process that starts running). */
  forkedBy?: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** Where it came from: a built-in name or a file path. */
  source: string;
  /** The YAML text, hashed into trace files so that a replay notices a changed scenario. */
  text: string;
  /** User pages in each process's buffer (the pages devices and CPUs touch). */
  upages: number;
  /**
   * Whether the IOMMU may load a present PASID-table entry into its PASID cache at any time, with
   * no request for that PASID (an assumption the VT-d specification does not make: hw/vtd/iommu.ts).
   */
  speculativeCaching: boolean;
  devices: ScenarioDevice[];
  tasks: ScenarioTask[];
  /** The fd numbers a program names, by fd-table slot. */
  fdNumbers: number[];
}
