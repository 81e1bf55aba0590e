/**
 * The oracle of SPEC §5: every expected verdict for the seed's scenarios, found by exhaustive search
 * of the model. Each violation is found by its consequence (an object left allocated at the end,
 * a freed page touched), and each comes with a trace that replays to it.
 */
import { describe, expect, it } from 'vitest';
import { check } from './verdict.ts';

describe('SPEC §5 oracle', () => {
  it('seed-accel-mmap under v4.4: leak, the cycle mm → VMA → file → binding → mm', async () => {
    const r = await check('seed-accel-mmap', 'v4.4');
    expect(r.v?.kind).toBe('leak');
    expect(r.v?.cycle).toEqual(['mm#0', 'vma#1', 'file#0', 'sdev#0', 'svm#0']);
    expect(r.v?.message).toContain('svm#0 holds mm#0 (mm_users)');
  });

  it.each([
    ['seed-accel-mmap', 'e57e58bd'],
    ['seed-gfx', 'v4.4'],
    ['seed-gfx', 'e57e58bd'],
    ['seed-accel-close', 'v4.4'],
    ['seed-accel-close', 'e57e58bd'],
  ])('%s under %s: verified', async (scenario, policy) => {
    const r = await check(scenario, policy);
    expect(r.verdict).toBe('verified');
    expect(r.states).toBeGreaterThan(10);
  });

  it('seed-accel-dma under v4.4: leak', async () => {
    const r = await check('seed-accel-dma', 'v4.4');
    expect(r.v?.kind).toBe('leak');
    expect(r.v?.cycle).toContain('mm#0');
  });

  it('seed-accel-dma under e57e58bd: verified over every interleaving of DMA, page requests and exit', async () => {
    const r = await check('seed-accel-dma', 'e57e58bd');
    expect(r.verdict).toBe('verified');
    expect(r.states).toBeGreaterThan(1000);
  });

  it('seed-accel-dma under e57e58bd-no-release-clear: the hardware reaches a freed page', async () => {
    const r = await check('seed-accel-dma', 'e57e58bd-no-release-clear');
    expect(r.v?.kind).toBe('use-after-free');
    expect(r.v?.actor).toBe('accel0');
    expect(r.v?.message).toMatch(/IOTLB|device-TLB|walk/);
  });

  it('seed-accel-dma under e57e58bd-no-fault-pin: the fault path touches or leaks torn-down tables', async () => {
    const r = await check('seed-accel-dma', 'e57e58bd-no-fault-pin');
    expect(['use-after-free', 'leak']).toContain(r.v?.kind);
    expect(r.steps?.some((s) => s.actorName === 'irq/dmar0-prq')).toBe(true);
  });
});
