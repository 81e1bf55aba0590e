/**
 * Issue 14, part 3: devices that misbehave. What v4.5's prq_event_thread (4.4.y copy, with
 * e57e58bd) answers each bad page request, derived by hand from the C before running:
 *
 * - outside-vma (the page below the buffer): the PASID is bound, so `result = QI_RESP_INVALID`,
 *   `atomic_inc_not_zero(&svm->mm->mm_users)`, `down_read(mmap_sem)`; `find_extend_vma` finds the
 *   buffer's VMA above the address, which does not grow down: NULL, `goto invalid`; `up_read`,
 *   `mmput`; bad_req finds bad0's sdev by requester id and calls its fault_cb; Invalid Request.
 * - non-canonical (0x8000_0000_0000): `find_vma` finds no VMA ending above it: the same path,
 *   Invalid Request (v4.5 has no canonical check of its own).
 * - unbound-pasid: `idr_find` finds nothing: `goto no_pasid` with `result` still
 *   QI_RESP_FAILURE, skipping bad_req (no fault_cb); Response Failure, which stops bad0's PRI
 *   (PCIe) and not accel0's.
 * - exec (read + execute on the buffer, which has no VM_EXEC): `access_error` is true, `goto
 *   invalid`: Invalid Request.
 * - privileged (read + write + priv): `access_error` looks at exe, rd and wr only, so the fault is
 *   handled: Success, the page mapped.
 * On every path the handler ends with mm_users and mmap_sem as it found them, and goes back to
 * sleep. The built-in scenario (these five beside accel0, both bound by one process) is verified
 * under e57e58bd; under v4.4 too (its handler does not pin the mm, but here the binding's
 * get_task_mm pin keeps the mm until the last unbind, and accel_release waits for bad0's requests
 * for the bound PASID before unbinding; the unbound one never touches an svm).
 *
 * Ablation, derived the same way: a handler whose failed VMA lookup jumps to bad_req instead of
 * invalid (`goto bad_req` for `goto invalid`) skips `up_read` and `mmput`. No well-behaved device
 * takes that path (seed-accel-dma stays verified); on misbehaving-device the outside-vma,
 * non-canonical or exec request leaves mm_users pinned by the IRQ thread, so exit's mmput never
 * reaches 0, exit_mmap never runs and the process's mm, tables and VMAs are never freed: a leak,
 * the reference tracker naming the IRQ thread (actor#2) as the holder of mm#0's mm_users.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../src/check/index.ts';
import { replaced } from '../src/drivers/iommu/intel/policies/edit.ts';
import { findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { fault, type PrqFrame, type SvmPolicy } from '../src/drivers/iommu/intel/svm.ts';
import { CTX_ACTIVE } from '../src/hw/hardware.ts';
import { BAD_REQUESTS } from '../src/hw/pci/device.ts';
import type { Ctl } from '../src/kernel/exec.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { describeViolation } from '../src/report/describe.ts';
import { traceSteps } from '../src/report/text.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { SvmSystem } from '../src/system/system.ts';
import { boot } from '../src/system/testing.ts';

const answers: [string, string, boolean][] = [
  ['outside-vma', 'Invalid Request', true],
  ['non-canonical', 'Invalid Request', true],
  ['unbound-pasid', 'Response Failure', false],
  ['exec', 'Invalid Request', true],
  ['privileged', 'Success', true],
];

/** misbehaving-device booted, the process having bound both devices (one PASID). */
function bothBound() {
  const b = boot(loadScenario('misbehaving-device').text);
  const { hw } = b.sys;
  for (let i = 0; i < 20 && b.s[hw.devCtx(1, 0)] !== CTX_ACTIVE; i++) b.move('proc');
  expect(b.s[hw.devCtx(0, 0)]).toBe(CTX_ACTIVE);
  expect(b.s[hw.devCtx(1, 0)]).toBe(CTX_ACTIVE);
  return b;
}

describe('misbehaving-device: what v4.5 answers each bad page request', () => {
  it('lists the kinds in the order of the scenario', () => {
    expect(answers.map((a) => a[0])).toEqual([...BAD_REQUESTS]);
  });

  it.each(answers)('%s: %s', (kind, answer, callsBack) => {
    const b = bothBound();
    const { sys } = b;
    const mm = sys.world.mm[0];
    const users = mm.mm_users;
    const k = BAD_REQUESTS.indexOf(kind as (typeof BAD_REQUESTS)[number]);
    const sent = b.move('bad0', k * sys.hw.npasid);
    expect(sent.moved).toBe(true);
    expect(sent.notes[0]).toContain(`${kind} page request`);
    const notes: string[] = [];
    for (let i = 0; i < 50; i++) {
      const t = b.move('irq/dmar0-prq');
      const q = b.move('dmar0 invalidation queue');
      notes.push(...t.notes, ...q.notes);
      if (!t.moved && !q.moved) break;
    }
    const text = notes.join('\n');
    expect(sys.world.kernel.violation).toBe(0);
    expect(text).toContain(
      `page group response to device 1, PASID ${kind === 'unbound-pasid' ? 1048575 : 0}: ${answer}`,
    );
    expect(text.includes('bad0: fault_cb')).toBe(callsBack);
    // Every reference the handler took is dropped, and the thread sleeps again.
    expect(mm.mm_users).toBe(users);
    expect(mm.mmap_sem).toBe(0);
    expect(sys.kernel.atIdle(sys.actors.findIndex((a) => a.name === 'irq/dmar0-prq'))).toBe(true);
    // Only a Response Failure stops PRI, and only bad0's.
    expect(sys.hw.dev[1].pri_enabled).toBe(answer === 'Response Failure' ? 0 : 1);
    expect(sys.hw.dev[0].pri_enabled).toBe(1);
  });

  it.each(['e57e58bd', 'v4.4'])(
    'misbehaving-device under %s: verified',
    async (policy) => {
      const sys = new SvmSystem(loadScenario('misbehaving-device'), findPolicy(policy)!);
      const r = await explore(sys, { order: 'bfs', symmetry: true, por: true });
      expect(r.verdict).toBe('verified');
    },
    120_000,
  );
});

describe('an ablation only a misbehaving device reaches: the refused request keeps its references', () => {
  const forgetful = {
    /** find_vma, but a request it refuses goes to bad_req: no up_read, no mmput. */
    find_vma(k: Kernel, f: PrqFrame): Ctl {
      const r = fault.find_vma(k, f);
      return k.routines.get(k.routineId).labels[k.pc] === 'invalid' ? k.jump('bad_req') : r;
    },
  };
  const e57e58bd = findPolicy('e57e58bd')!;
  const policy: SvmPolicy = {
    ...e57e58bd,
    name: 'e57e58bd-refuse-keeps-refs',
    summary: 'a refused page request goes to bad_req without up_read and mmput',
    fault: replaced(e57e58bd.fault, fault.find_vma, forgetful.find_vma),
  };
  const opts = { order: 'bfs', symmetry: true, por: true } as const;

  it('seed-accel-dma: verified (its device never asks outside its VMA)', async () => {
    const r = await explore(new SvmSystem(loadScenario('seed-accel-dma'), policy), opts);
    expect(r.verdict).toBe('verified');
  });

  it('misbehaving-device: a leak, the IRQ thread holding mm_users', async () => {
    const sys = new SvmSystem(loadScenario('misbehaving-device'), policy);
    const r = await explore(sys, opts);
    expect(r.verdict).toBe('violation');
    const { final, steps } = traceSteps(sys, r.violation!.trace);
    const v = describeViolation(sys, final, r.violation!.code);
    expect(v.kind).toBe('leak');
    expect(v.refs).toContain('mm#0.mm_users held by actor#2');
    expect(steps.some((s) => s.actorName === 'bad0')).toBe(true);
    expect(r.violation!.trace.length).toBeLessThan(40);
  }, 120_000);
});
