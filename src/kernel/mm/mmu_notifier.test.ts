import { describe, expect, it } from 'vitest';
import { traceSteps } from '../../report/text.ts';
import { runSchedule } from '../../system/schedule.ts';
import { boot, oneProcess } from '../../system/testing.ts';
import { Life } from '../../world/objects.ts';

const releases = (yaml: string, policy: string, seed?: number) => {
  const b = boot(yaml, policy);
  const r = runSchedule(b.sys, seed);
  const { steps } = traceSteps(b.sys, r.trace);
  return { n: steps.flatMap((s) => s.notes).filter((n) => n === 'intel_mm_release').length, r, b };
};

describe('MMU notifiers (mm/mmu_notifier.c, v4.5)', () => {
  it('->release runs exactly once whether exit_mmap or unregister comes first', () => {
    // gfx: unbind (unregister) runs after exit_mmap's release; accel-close: before exit.
    const gfx = oneProcess(['open: { device: dev0, fd: 3 }', 'ioctl_bind: 3', 'exit'], { client: 'gfx' });
    const close = oneProcess(['open: { device: dev0, fd: 3 }', 'ioctl_bind: 3', 'close: 3', 'exit']);
    for (const yaml of [gfx, close]) {
      for (const seed of [undefined, 1, 2, 3, 4, 5]) expect(releases(yaml, 'e57e58bd', seed).n).toBe(1);
    }
  });

  it('unregister always drops the mm_count register took', () => {
    const { r, b } = releases(
      oneProcess(['open: { device: dev0, fd: 3 }', 'ioctl_bind: 3', 'close: 3', 'exit']),
      'e57e58bd',
    );
    b.sys.world.s = r.final;
    expect(b.sys.world.mm[0].life).toBe(Life.freed);
    expect(r.code).toBe(0);
  });

  it('registering takes an mm_count pin', () => {
    const b = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'ioctl_bind: 3', 'exit']));
    b.move('proc');
    b.move('proc');
    expect(b.sys.world.mm[0].mm_count).toBe(2);
  });
});
