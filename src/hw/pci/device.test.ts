import { describe, expect, it } from 'vitest';
import { boot, oneProcess } from '../../system/testing.ts';

describe('PCI device with PASID, ATS and PRI', () => {
  it('only works for a PASID its driver programmed, within its DMA budget', () => {
    const b = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'ioctl_bind: 3', 'exit'], { dma: 1 }));
    expect(b.move('dev0').moved).toBe(false);
    b.move('proc');
    b.move('proc');
    expect(b.move('dev0').moved).toBe(true);
    expect(b.sys.hw.dev[0].budget).toBe(0);
  });

  it('waits for the response to its page request before trying that PASID again', () => {
    const b = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'ioctl_bind: 3', 'exit'], { dma: 3 }));
    b.move('proc');
    b.move('proc');
    b.move('dev0');
    expect(b.move('dev0').moved).toBe(false);
  });

  it('after a Response Failure, sends no page request for any PASID, and another PASID is disturbed', () => {
    const two = [
      'name: t',
      'devices: [{ name: dev0, client: accel, dma: 4 }]',
      'processes:',
      '  - { name: p, count: 2, program: [{ open: { device: dev0, fd: 3 } }, { ioctl_bind: 3 }, exit] }',
    ].join('\n');
    const b = boot(two);
    b.move('p0');
    b.move('p0');
    b.move('p1');
    b.move('p1');
    const hw = b.sys.hw;
    // PASID 0's request is answered Response Failure (as for a PASID the handler cannot find).
    b.move('dev0', 0);
    hw.dev[0].pri_enabled = 0;
    hw.dev[0].pri_failed_by = 0;
    b.s[hw.devOutstanding(0, 0)] = 0;
    // PASID 1 (the other process) now needs a page request: it cannot send one.
    const n = b.move('dev0', 1).notes[0];
    expect(n).toContain('PRI disabled');
    expect(b.sys.world.kernel.violation).toBe(4);
  });
});
