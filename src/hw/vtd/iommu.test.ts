import { describe, expect, it } from 'vitest';
import { boot, oneProcess } from '../../system/testing.ts';
import { Life } from '../../world/objects.ts';
import { NOT_PRESENT, PASID_NOT_PRESENT, pectlWrite, prqAppend, prsWrite, translate } from './iommu.ts';
import { DMA_PECTL, DMA_PRS } from './layouts.ts';

const bound = (extra: string[] = []) => {
  const b = boot(
    oneProcess(['open: { device: dev0, fd: 3 }', 'ioctl_bind: 3', ...extra, 'exit'], { dma: 4 }),
  );
  b.move('proc');
  b.move('proc');
  return b;
};

describe('VT-d translation (extended mode, first-level tables)', () => {
  it('walks the process page tables from the PASID entry, and caches the walk', () => {
    const b = bound(['touch: 0']);
    b.move('proc'); // touch: allocate PUD/PMD
    b.move('proc'); // ... PTE and the page
    const { sys } = b;
    const f = translate(sys.world, sys.hw, 0, 0, 0);
    expect(f).toBeGreaterThan(0);
    expect(sys.world.page[f].kind).toBe(5);
    expect(b.s[sys.hw.iotlbAt(0, 0)]).toBe(f + 1);
    expect(b.s[sys.hw.pscAt(0, 1)]).not.toBe(0);
  });

  it('answers not present for an unpopulated page, and PASID-not-present for a cleared entry once its cached copy is invalidated', () => {
    const b = bound();
    const { sys } = b;
    expect(b.s[sys.hw.pasidCache]).toBe(0);
    expect(translate(sys.world, sys.hw, 0, 0, 0)).toBe(NOT_PRESENT);
    // The translation cached the present PASID entry (VT-d §6.2: entries met while translating).
    expect(b.s[sys.hw.pasidCache]).toBe(b.s[sys.hw.pasidTable]);
    b.s[sys.hw.pasidTable] = 0;
    // The cleared entry is not seen until the PASID cache is invalidated.
    expect(translate(sys.world, sys.hw, 0, 0, 0)).toBe(NOT_PRESENT);
    b.s[sys.hw.pasidCache] = 0;
    b.s[sys.hw.pasidCache + 1] = 0;
    expect(translate(sys.world, sys.hw, 0, 0, 0)).toBe(PASID_NOT_PRESENT);
    // A not-present entry is never cached (Caching Mode 0).
    expect(b.s[sys.hw.pasidCache]).toBe(0);
  });

  it('uses a cached PASID entry until a PASID-cache invalidation completes', () => {
    const b = bound();
    const { sys } = b;
    expect(b.move('dmar0 caches').moved).toBe(true);
    b.s[sys.hw.pasidTable] = 0;
    expect(translate(sys.world, sys.hw, 0, 0, 0)).toBe(NOT_PRESENT);
  });

  it('reports a walk through a freed page-table page as a use after free by the hardware', () => {
    const b = bound(['touch: 0']);
    b.move('proc');
    b.move('proc');
    const { sys } = b;
    translate(sys.world, sys.hw, 3, 0, 0);
    sys.world.s[sys.hw.iotlbAt(0, 0)] = 0;
    const pte = sys.world.s[sys.hw.pscAt(0, 1)] - 1;
    sys.world.page[pte].life = Life.freed;
    translate(sys.world, sys.hw, 3, 0, 0);
    expect(sys.world.kernel.violation).toBe(2);
  });
});

describe('page request queue', () => {
  it('a device page request lands in the ring, sets PPR and wakes the IRQ thread', () => {
    const b = bound();
    const { sys } = b;
    expect(b.move('dev0', 0).notes[0]).toContain('page request');
    expect(sys.hw.regs.prs & DMA_PRS.PPR).toBe(DMA_PRS.PPR);
    expect(sys.hw.regs.pqt).toBe(0x10);
    const notes = b.runActor('irq/dmar0-prq');
    expect(notes.join(' ')).toContain('handle_mm_fault');
    expect(sys.hw.regs.prs & DMA_PRS.PPR).toBe(0);
  });

  it('the response reaches the device through the invalidation queue, and Success lets it retry', () => {
    const b = bound();
    const { sys } = b;
    b.move('dev0', 0);
    b.runActor('irq/dmar0-prq');
    const q = b.runActor('dmar0 invalidation queue');
    expect(q.join(' ')).toContain('page group response to device 0, PASID 0: Success');
    expect(b.s[sys.hw.devOutstanding(0, 0)]).toBe(0);
    b.runActor('irq/dmar0-prq');
    expect(b.move('dev0', 0).notes[0]).toMatch(/DMA write PASID 0 page 0 → page#\d+/);
  });
});

describe('page stream requests', () => {
  it('a stream request (SRR, no LPIG) is answered with a page stream response that reaches the device', () => {
    const yaml = [
      'name: t',
      'devices: [{ name: dev0, client: accel, dma: 2, stream_requests: true }]',
      'processes:',
      '  - { name: proc, program: [{ open: { device: dev0, fd: 3 } }, { ioctl_bind: 3 }, exit] }',
    ].join('\n');
    const b = boot(yaml);
    b.move('proc');
    b.move('proc');
    b.move('dev0', 0);
    b.runActor('irq/dmar0-prq');
    const q = b.runActor('dmar0 invalidation queue');
    expect(q.join(' ')).toContain('page stream response to device 0, PASID 0: Success');
    expect(b.s[b.sys.hw.devOutstanding(0, 0)]).toBe(0);
    expect(b.sys.world.kernel.violation).toBe(0);
  });
});

describe('page request event interrupt: an edge on PPR 0→1, PECTL IM/IP', () => {
  const append = (b: ReturnType<typeof bound>, i = 0) =>
    prqAppend(b.sys.world, b.sys.hw, 0x10, 0, i, true, false);

  it('the first request raises the interrupt; one queued while PPR is set raises none', () => {
    const b = bound();
    const r = b.sys.hw.regs;
    expect([r.prs, r.pr_irq_runthread, r.pectl]).toEqual([0, 0, 0]);
    append(b);
    expect(r.prs & DMA_PRS.PPR).toBe(DMA_PRS.PPR);
    expect(r.pr_irq_runthread).toBe(1);
    expect(r.pectl & DMA_PECTL.IP).toBe(0);
    // The thread took the interrupt but has not cleared PPR: the next request is no new condition.
    r.pr_irq_runthread = 0;
    append(b, 1);
    expect(r.pqt).toBe(0x20);
    expect(r.pr_irq_runthread).toBe(0);
    // Once software clears PPR, the next request is an edge again (the ring has three slots:
    // consume the two first, as the thread's PQH write would).
    prsWrite(b.sys.hw, DMA_PRS.PPR);
    r.pqh = r.pqt;
    append(b, 2);
    expect(r.pr_irq_runthread).toBe(1);
  });

  it('PRS is write-1-to-clear: writing 0 changes nothing, writing PPR clears only PPR', () => {
    const b = bound();
    const r = b.sys.hw.regs;
    r.prs = DMA_PRS.PPR | DMA_PRS.PRO;
    prsWrite(b.sys.hw, 0);
    expect(r.prs).toBe(DMA_PRS.PPR | DMA_PRS.PRO);
    prsWrite(b.sys.hw, DMA_PRS.PPR);
    expect(r.prs).toBe(DMA_PRS.PRO);
    prsWrite(b.sys.hw, DMA_PRS.PRO);
    expect(r.prs).toBe(0);
  });

  it('masked: the condition sets IP and sends nothing; unmasking sends the held message', () => {
    const b = bound();
    const r = b.sys.hw.regs;
    pectlWrite(b.sys.hw, DMA_PECTL.IM);
    append(b);
    expect(r.pr_irq_runthread).toBe(0);
    expect(r.pectl & DMA_PECTL.IP).toBe(DMA_PECTL.IP);
    // IP is read-only: writing it does nothing; writing IM again keeps the message held.
    pectlWrite(b.sys.hw, DMA_PECTL.IM | DMA_PECTL.IP);
    expect(r.pr_irq_runthread).toBe(0);
    pectlWrite(b.sys.hw, 0);
    expect(r.pr_irq_runthread).toBe(1);
    expect(r.pectl).toBe(0);
  });

  it('masked: clearing PPR services the condition, so unmasking sends nothing', () => {
    const b = bound();
    const r = b.sys.hw.regs;
    pectlWrite(b.sys.hw, DMA_PECTL.IM);
    append(b);
    prsWrite(b.sys.hw, DMA_PRS.PPR);
    expect(r.pectl & DMA_PECTL.IP).toBe(0);
    pectlWrite(b.sys.hw, 0);
    expect(r.pr_irq_runthread).toBe(0);
  });

  it('the IRQ thread runs once per interrupt: a request queued while it runs makes it run once more', () => {
    const b = bound();
    const r = b.sys.hw.regs;
    // Nothing raised: the thread cannot start.
    expect(b.move('irq/dmar0-prq').moved).toBe(false);
    expect(b.move('dev0', 0).moved).toBe(true);
    // One move takes the interrupt, clears PPR, reads PQT/PQH and starts on the request.
    expect(b.move('irq/dmar0-prq').moved).toBe(true);
    expect(r.pr_irq_runthread).toBe(0);
    expect(r.prs & DMA_PRS.PPR).toBe(0);
    // A request queued now (PPR clear: an edge) is past the tail the thread read.
    append(b, 1);
    expect(r.pr_irq_runthread).toBe(1);
    // The thread and the invalidation queue that carries its responses, until neither can move.
    while (b.runActor('irq/dmar0-prq').length + b.runActor('dmar0 invalidation queue').length > 0);
    // The thread ran its handler twice and handled both: head caught up with the tail.
    expect(r.pqh).toBe(r.pqt);
    expect(r.pr_irq_runthread).toBe(0);
    expect(b.move('irq/dmar0-prq').moved).toBe(false);
  });
});
