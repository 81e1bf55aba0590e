import { describe, expect, it } from 'vitest';
import { findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import { loadScenario } from '../scenario/load.ts';
import { runSchedule } from '../system/schedule.ts';
import { SvmSystem } from '../system/system.ts';
import { newStepWatch, StepWatchReader, watchSteps } from './stepwatch.ts';

const system = () => new SvmSystem(loadScenario('seed-accel-dma'), findPolicy('e57e58bd')!);
/** prq_event_thread in `sys`'s routine table, and its number there. */
const prq = (sys: SvmSystem) => {
  const t = sys.kernel.routines;
  const r = t.all.find((x) => x.name === 'prq_event_thread')!;
  return { r, id: t.all.indexOf(r) + 1 };
};

describe('the step watch', () => {
  it('names a step begun and not returned, once it has run for the time asked', () => {
    const watch = newStepWatch();
    const sys = system();
    watchSteps(watch, sys);
    const reader = new StepWatchReader(watch);
    // A whole run: every move returned, so no step is running.
    expect(runSchedule(sys).trace.length).toBeGreaterThan(5);
    expect(reader.stuck(0)).toEqual([]);
    // A step begun (what the kernel does before running one) that has not returned.
    const { r, id } = prq(sys);
    const pc = r.labels.indexOf('next_request');
    sys.kernel.onStep!(r, pc, id);
    const now = Date.now();
    expect(reader.stuck(1000, now)).toEqual([]);
    expect(reader.stuck(1000, now + 1000)).toEqual(["step 'next_request' of prq_event_thread"]);
  });

  it('a thread still stepping is not stuck, however long it has been watched', () => {
    const watch = newStepWatch();
    const sys = system();
    watchSteps(watch, sys);
    const reader = new StepWatchReader(watch);
    const { r, id } = prq(sys);
    sys.kernel.onStep!(r, 0, id);
    reader.sample(0);
    // Another step begins: the thread moved on since.
    sys.kernel.onStep!(r, 1, id);
    expect(reader.stuck(1000, 500)).toEqual([]);
    expect(reader.stuck(1000, 1600)).toHaveLength(1);
  });

  it('gives each system its own slot, and names each busy one', () => {
    const watch = newStepWatch();
    const [a, b] = [system(), system()];
    watchSteps(watch, a);
    watchSteps(watch, b);
    const reader = new StepWatchReader(watch);
    const { r, id } = prq(a);
    a.kernel.onStep!(r, r.labels.indexOf('next_request'), id);
    b.kernel.onStep!(r, 0, prq(b).id);
    expect(reader.stuck(0).sort()).toEqual(
      [`step '${r.labels[0]}' of prq_event_thread`, "step 'next_request' of prq_event_thread"].sort(),
    );
  });
});
