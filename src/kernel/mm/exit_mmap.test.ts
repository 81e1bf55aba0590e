import { describe, expect, it } from 'vitest';
import { boot, oneProcess } from '../../system/testing.ts';
import { Life } from '../../world/objects.ts';
import { MN_UNHASHED } from './mmu_notifier.ts';

describe('exit_mmap (mm/mmap.c, v4.5)', () => {
  it('runs its four steps as separate atomic actions, in order', () => {
    const b = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'ioctl_bind: 3', 'touch: 0', 'exit']));
    const steps: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = b.move('proc');
      if (!r.moved) {
        // Waiting for the invalidation queue: let the hardware run.
        if (!b.move('dmar0 invalidation queue').moved) break;
        continue;
      }
      const step = b.sys.world.mm[0].exit_mmap_step;
      if (step && steps.at(-1) !== step) steps.push(step);
    }
    expect(steps).toEqual([1, 2, 3, 4]);
  });

  it('unhashes every notifier after calling release, so no invalidate callback follows', () => {
    const b = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'ioctl_bind: 3', 'mmap: 3', 'exit']));
    for (let i = 0; i < 40 && b.sys.world.mm[0].exit_mmap_step < 2; i++) {
      if (!b.move('proc').moved) b.move('dmar0 invalidation queue');
    }
    expect(b.sys.world.mm[0].notifiers).toBe(0);
    expect(b.sys.world.pool('svm')[0].notifier).toBe(MN_UNHASHED);
  });

  it('frees page tables and pages in step 3, and drops the VMA file references in step 4', () => {
    const b = boot(
      oneProcess(['open: { device: dev0, fd: 3 }', 'ioctl_bind: 3', 'mmap: 3', 'touch: 0', 'exit']),
    );
    const w = b.sys.world;
    let sawTablesFreedWithFileHeld = false;
    for (let i = 0; i < 60 && w.mm[0].exit_mmap_step < 4; i++) {
      if (!b.move('proc').moved) b.move('dmar0 invalidation queue');
      if (w.mm[0].exit_mmap_step === 3) {
        const tables = w.page.filter((p) => p.kind >= 1 && p.kind <= 3 && p.life !== Life.unused);
        sawTablesFreedWithFileHeld = tables.every((p) => p.life === Life.freed) && w.file[0].f_count === 2;
      }
    }
    expect(sawTablesFreedWithFileHeld).toBe(true);
    expect(w.file[0].f_count).toBe(1);
  });
});
