/**
 * Issue "The model, part 2": seeded schedules of seed-accel-dma. Under the fix every seed ends with
 * everything freed and no DMA into a freed page; without release clearing the PASID entry, some
 * seed shows the hardware using a freed page.
 */
import { describe, expect, it } from 'vitest';
import { findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { leakedObjects } from '../src/properties/quiescent.ts';
import { describeViolation } from '../src/report/describe.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { runSchedule } from '../src/system/schedule.ts';
import { SvmSystem } from '../src/system/system.ts';

const system = (policy: string) => new SvmSystem(loadScenario('seed-accel-dma'), findPolicy(policy)!);

describe('seed-accel-dma, seeded schedules', () => {
  it('under e57e58bd every seed frees everything, with DMA and page requests on the way', () => {
    let sawPageRequest = false;
    for (let seed = 1; seed <= 40; seed++) {
      const sys = system('e57e58bd');
      const r = runSchedule(sys, seed);
      expect(r.code, `seed ${seed}`).toBe(0);
      sys.world.s = r.final;
      expect(leakedObjects(sys.world), `seed ${seed}`).toEqual([]);
      if (r.trace.some((t) => sys.actors[t.actor].name === 'irq/dmar0-prq')) sawPageRequest = true;
    }
    expect(sawPageRequest).toBe(true);
  });

  it('under e57e58bd-no-release-clear some seed shows DMA reaching a freed page', () => {
    const found: string[] = [];
    for (let seed = 1; seed <= 300 && found.length === 0; seed++) {
      const sys = system('e57e58bd-no-release-clear');
      const r = runSchedule(sys, seed);
      if (r.code === 2) {
        const v = describeViolation(sys, r.final, r.code);
        if (v.actor === 'accel0') found.push(`seed ${seed}: ${v.message}`);
      }
    }
    expect(found.length).toBe(1);
    expect(found[0]).toMatch(/freed page/);
  });
});
