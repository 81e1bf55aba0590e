import { describe, expect, it } from 'vitest';
import { builtinPolicies } from '../drivers/iommu/intel/policies/index.ts';
import { parseScenario } from '../scenario/load.ts';
import { dimsFor, SvmSystem } from '../system/system.ts';
import { frameShapes, stackWordsFrom } from './frames.ts';
import { routines } from './kernel.ts';

const yaml = `name: t
pages: 1
devices:
  - { name: accel0, client: accel, ats: true, dma: 1 }
  - { name: nowait0, client: accel-nowait, ats: true, dma: 1 }
  - { name: gfx0, client: gfx, ats: true, dma: 1 }
processes:
  - name: p
    program:
      - open: { device: accel0, fd: 3 }
      - exit
`;

describe('frames.ts', () => {
  it('lists every routine of every client driver and policy, and each callee it names', () => {
    const sc = parseScenario(yaml, 't.yaml');
    for (const p of builtinPolicies) new SvmSystem(sc, p);
    const names = new Set(routines.all.map((r) => r.name));
    for (const n of names) expect(frameShapes.has(n), n).toBe(true);
    for (const [n, shape] of frameShapes)
      for (const c of shape.calls) expect(frameShapes.has(c), `${n} → ${c}`).toBe(true);
  });

  it('sizes each stack by its heaviest call chain of at most ten frames', () => {
    // task_main, accel_ioctl_bind, intel_svm_bind_mm, mmput, __mmput, exit_mmap,
    // __mmu_notifier_release, intel_mm_release, the flush, qi_submit_sync: 10 headers, 24 words.
    expect(stackWordsFrom('task_main', 10)).toBe(34);
    expect(stackWordsFrom('delayed_fput', 10)).toBe(28);
    // prq_event_thread (6 words, its sdev among them), mmput, __mmput, exit_mmap,
    // __mmu_notifier_release, intel_mm_release, the flush, qi_submit_sync: 8 headers, 22 words.
    expect(stackWordsFrom('prq_event_thread', 10)).toBe(30);
    expect(stackWordsFrom('qi_submit_sync', 10)).toBe(6);
    expect(stackWordsFrom('task_main', 1)).toBe(1);
    const d = dimsFor(parseScenario(yaml, 't.yaml'));
    expect(d.stackWords).toEqual([34, 28, 30]);
  });
});
