/** A scenario once loaded and checked: what the model is built from. */
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
  /** Whether the IOMMU may fill its PASID cache and IOTLB on its own, at any time. */
  iommuCaches: boolean;
  devices: ScenarioDevice[];
  tasks: ScenarioTask[];
  /** The fd numbers a program names, by fd-table slot. */
  fdNumbers: number[];
}
