import { describe, expect, it } from 'vitest';
import { builtinPolicies } from '../drivers/iommu/intel/policies/index.ts';
import { parseScenario } from '../scenario/load.ts';
import { SvmSystem } from '../system/system.ts';

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

describe('RoutineTable', () => {
  it('numbers the routines of a system from its actors down their declared calls, the same every time', () => {
    const sc = parseScenario(yaml, 't.yaml');
    for (const p of builtinPolicies) {
      const names = (sys: SvmSystem) => sys.kernel.routines.all.map((r) => r.name);
      const a = new SvmSystem(sc, p);
      expect(names(a)).toEqual(names(new SvmSystem(sc, p)));
      // task_main first, then the kworker's and the IRQ thread's routines, then their callees.
      expect(names(a).slice(0, 3)).toEqual(['task_main', 'delayed_fput', 'prq_event_thread']);
      for (const n of [
        'accel_ioctl_bind',
        'accel_nowait_release',
        'gfx_release',
        'accel_fault_cb',
        'qi_submit_sync',
      ])
        expect(names(a)).toContain(n);
    }
  });

  it('refuses a call the caller does not declare', () => {
    const sc = parseScenario(yaml, 't.yaml');
    const sys = new SvmSystem(sc, builtinPolicies[0]);
    const qi = sys.kernel.routines.all.find((r) => r.name === 'qi_submit_sync');
    const fork = sys.kernel.routines.all.find((r) => r.name === 'fork');
    expect(
      qi &&
        fork &&
        sys.kernel.routines.callees[sys.kernel.routines.idOf(fork) - 1].has(sys.kernel.routines.idOf(qi)),
    ).toBe(false);
  });

  it('sizes each stack by its heaviest call chain of at most ten frames', () => {
    const sys = new SvmSystem(parseScenario(yaml, 't.yaml'), builtinPolicies[0]);
    const t = sys.kernel.routines;
    const named = (n: string) => t.all.find((r) => r.name === n) as (typeof t.all)[number];
    // task_main, accel_ioctl_bind, intel_svm_bind_mm, mmput, __mmput, exit_mmap,
    // __mmu_notifier_release, intel_mm_release, the flush, qi_submit_sync: 10 headers, 24 words.
    expect(t.stackWords(named('task_main'), 10)).toBe(34);
    expect(t.stackWords(named('delayed_fput'), 10)).toBe(28);
    // prq_event_thread (6 words, its sdev among them), mmput, __mmput, exit_mmap,
    // __mmu_notifier_release, intel_mm_release, the flush, qi_submit_sync: 8 headers, 22 words.
    expect(t.stackWords(named('prq_event_thread'), 10)).toBe(30);
    expect(t.stackWords(named('qi_submit_sync'), 10)).toBe(6);
    expect(t.stackWords(named('task_main'), 1)).toBe(1);
    expect(sys.world.dims.stackWords).toEqual([34, 28, 30]);
  });
});

describe('a step that makes a bad call', () => {
  it('is named itself, not the callee whose frame it had begun', async () => {
    const { explore } = await import('../check/index.ts');
    const { flush_pasid_and_range_dev, release } = await import('../drivers/iommu/intel/svm.ts');
    const { replaced } = await import('../drivers/iommu/intel/policies/edit.ts');
    const { loadScenario } = await import('../scenario/load.ts');
    const { Ctl } = await import('./exec.ts');
    const e57e58bd = builtinPolicies.find((p) => p.name === 'e57e58bd')!;
    const policy = {
      ...e57e58bd,
      name: 'bad-call',
      release: replaced(e57e58bd.release, release.flush_all_devs, function my_flush(k, f) {
        return f.svm
          ? k.call(flush_pasid_and_range_dev, { pasid: f.svm.pasid, device: 0 } as never)
          : Ctl.NEXT;
      }),
    };
    await expect(
      explore(new SvmSystem(loadScenario('seed-accel-dma'), policy), { order: 'bfs' }),
    ).rejects.toThrow(
      /step 'my_flush' of intel_mm_release threw Error: intel_flush_pasid_dev\+svm_range_dev has no frame word 'device'/,
    );
  });
});
