/**
 * Issue 14, part 4: the page-request interrupt as an edge. The hardware raises it when PPR goes
 * from 0 to 1 (PECTL unmasked); PPR is write-1-to-clear; the IRQ thread runs its handler once per
 * interrupt (IRQTF_RUNTHREAD), and prq_event_thread clears PPR before it reads PQT and PQH.
 *
 * Expected verdicts, derived by hand before running:
 *
 * - The built-in policies keep every verdict and every state count they had when the interrupt
 *   was a level the thread polled. With IM clear, PPR going 0→1 sets IRQTF_RUNTHREAD in the same
 *   hardware move, and the thread's one move that takes the interrupt also clears PPR; so
 *   PPR = 1 exactly when IRQTF_RUNTHREAD = 1 in every reachable state, the thread can start exactly
 *   when it could before, and the state graph is the old one (with one more word that equals PPR).
 *   The figures are those of the README's table (seed-accel-dma, breadth-first, symmetry and POR).
 *
 * - e57e58bd-no-ppr-clear (prq_event_thread before 46924008: PPR never cleared) is not caught on
 *   seed-accel-dma, whose device sends one page request at most (its one page, once faulted in,
 *   stays until ->release has cleared the PASID entry; a first derivation here assumed a second
 *   request after an Invalid Request answered in a window between mmput's decrement and
 *   ->release, but the model has no preemption point there, and a breadth-first walk of all
 *   2,681 states found no second request). With two pages (`pages: 2`) it deadlocks: the first
 *   request raises the only interrupt there will ever be; the thread handles it and goes back to
 *   sleep with PPR still 1; accel0's request for the other page is queued with no interrupt, and
 *   the thread never reads the ring again. At exit, accel_release (exit_files' fput, on the
 *   task) sleeps until the device has no request outstanding: for ever. Every other actor
 *   finishes, so the system settles with `proc` blocked in accel_release: a deadlock, its request
 *   left in the ring (PQH ≠ PQT), PPR set and no interrupt pending. Under e57e58bd, which clears
 *   PPR before reading PQT, the same two-page scenario is verified: every request queued after
 *   that read is an edge.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../src/check/index.ts';
import { findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { DMA_PRS } from '../src/hw/vtd/layouts.ts';
import { describeViolation } from '../src/report/describe.ts';
import { traceSteps } from '../src/report/text.ts';
import { loadScenario, parseScenario } from '../src/scenario/load.ts';
import { SvmSystem } from '../src/system/system.ts';

const opts = { order: 'bfs', symmetry: true, por: true } as const;

describe('the page-request interrupt as an edge', () => {
  it.each([
    ['v4.4', 'violation', 'leak', 7, 38],
    ['e57e58bd', 'verified', undefined, undefined, 2_471],
    ['e57e58bd-no-release-clear', 'violation', 'use-after-free', 23, 1_036],
    ['e57e58bd-no-fault-pin', 'violation', 'use-after-free', 18, 515],
  ])(
    'seed-accel-dma under %s: %s as with the level, in the same states',
    async (policy, verdict, kind, steps, states) => {
      const sys = new SvmSystem(loadScenario('seed-accel-dma'), findPolicy(policy)!);
      const r = await explore(sys, opts);
      expect(r.verdict).toBe(verdict);
      expect(r.stats.states).toBe(states);
      if (r.violation) {
        const { final } = traceSteps(sys, r.violation.trace);
        expect(describeViolation(sys, final, r.violation.code).kind).toBe(kind);
        expect(r.violation.trace.length).toBe(steps);
      }
    },
  );

  const twoPages = () => {
    const text = loadScenario('seed-accel-dma').text.replace('pages: 1', 'pages: 2');
    expect(text).toContain('pages: 2');
    return parseScenario(text, 'two-pages.yaml');
  };

  it('e57e58bd-no-ppr-clear on seed-accel-dma: one request at most, nothing to strand', async () => {
    const sys = new SvmSystem(loadScenario('seed-accel-dma'), findPolicy('e57e58bd-no-ppr-clear')!);
    expect((await explore(sys, opts)).verdict).toBe('verified');
  });

  it('e57e58bd-no-ppr-clear with two pages: the second request raises no interrupt, and accel_release waits for ever', async () => {
    const sys = new SvmSystem(twoPages(), findPolicy('e57e58bd-no-ppr-clear')!);
    const r = await explore(sys, opts);
    expect(r.verdict).toBe('violation');
    const { steps, final } = traceSteps(sys, r.violation!.trace);
    const v = describeViolation(sys, final, r.violation!.code);
    expect(v.kind).toBe('deadlock');
    expect(v.actor).toBe('proc');
    expect(v.message).toContain('accel_release');
    const requests = steps.filter(
      (s) => s.actorName === 'accel0' && s.notes.join(' ').includes('page request (PRG'),
    );
    expect(requests.length).toBe(2);
    sys.world.s = final;
    const regs = sys.hw.regs;
    expect(regs.pqh).not.toBe(regs.pqt);
    expect(regs.prs & DMA_PRS.PPR).toBe(DMA_PRS.PPR);
    expect(regs.pr_irq_runthread).toBe(0);
  });

  it('e57e58bd with two pages: verified (the PPR clear makes every later request an edge)', async () => {
    const sys = new SvmSystem(twoPages(), findPolicy('e57e58bd')!);
    expect((await explore(sys, opts)).verdict).toBe('verified');
  });
});
