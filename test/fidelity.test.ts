/**
 * The fidelity audit's results (docs/fidelity.md): what the audit corrected stays corrected, the
 * C's own WARN_ON and NULL dereference are reached where the C reaches them, ->release runs as the
 * SRCU notifier code runs it, and every routine the model defines has a ledger entry.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explore, finalState } from '../src/check/index.ts';
import { builtinPolicies, findPolicy } from '../src/drivers/iommu/intel/policies/index.ts';
import { framePc, frameRoutine, nextFrame } from '../src/kernel/exec.ts';
import { describeViolation } from '../src/report/describe.ts';
import {
  builtinScenarios,
  loadScenario,
  parseScenario,
  withSpeculativeCaching,
} from '../src/scenario/load.ts';
import { SvmSystem } from '../src/system/system.ts';
import { check as checkWith } from './verdict.ts';

/** As `svmsim check` runs: breadth-first, with symmetry and partial-order reduction. */
const check = (scenario: string, policy: string) =>
  checkWith(scenario, policy, { order: 'bfs', symmetry: true, por: true });

describe('prq_event_thread keeps no svm across requests (bad_req ends with svm = NULL)', () => {
  it('two-procs-one-device under e57e58bd: no use after free of an intel_svm; verified', async () => {
    const r = await check('two-procs-one-device', 'e57e58bd');
    expect(r.v?.message).toBeUndefined();
    expect(r.verdict).toBe('verified');
    expect(r.states).toBeGreaterThan(100_000);
  }, 300_000);

  it('two-procs-nowait under e57e58bd: the nowait client makes the thread WARN in bad_req', async () => {
    const r = await check('two-procs-nowait', 'e57e58bd');
    expect(r.v?.kind).toBe('warning');
    expect(r.v?.message).toContain('WARN_ON(&sdev->list == &svm->devs)');
    expect(r.v?.actor).toBe('irq/dmar0-prq');
    // The unbind took the sdev off svm->devs before the thread looked for it.
    const names = r.steps!.flatMap((s) => s.notes).join(' ');
    expect(names).toContain('accel_nowait_release');
  }, 120_000);
});

describe("bad_req as the C has it: the kernel's WARN_ON and the NULL svm", () => {
  it.each(['v4.4', 'e57e58bd'])(
    'rogue-device under %s: a request from a device no binding has: WARN_ON',
    async (policy) => {
      const r = await check('rogue-device', policy);
      expect(r.v?.kind).toBe('warning');
      expect(r.v?.message).toContain("no bound device has the request's requester id");
      expect(r.steps?.some((s) => s.actorName === 'accel1')).toBe(true);
    },
  );

  it.each(['v4.4', 'e57e58bd'])(
    'pasidless-request under %s: a request without PASID: NULL dereference',
    async (policy) => {
      const r = await check('pasidless-request', policy);
      expect(r.v?.kind).toBe('null-deref');
      expect(r.v?.message).toContain('svm NULL');
    },
  );

  it('the same devices behaving (pasids: own) give no warning and no oops', async () => {
    const yaml = loadScenario('rogue-device').text.replace('pasids: all', 'pasids: own');
    const sys = new SvmSystem(parseScenario(yaml, 'own.yaml'), findPolicy('e57e58bd')!);
    const r = await explore(sys, { order: 'bfs' });
    expect(r.verdict).toBe('verified');
  });

  it('fault_cb: the thread calls the client for the device that sent the request', async () => {
    const yaml = loadScenario('seed-accel-dma').text.replace('dma: 6', 'dma: 6\n    fault_cb: true');
    const sys = new SvmSystem(parseScenario(yaml, 'cb.yaml'), findPolicy('e57e58bd')!);
    const r = await explore(sys, { order: 'bfs' });
    expect(r.verdict).toBe('verified');
    // A reachable run in which the IRQ thread called the client's fault_cb, then sent its response.
    const notes = await reaches(sys, (_s, n) => n.includes('accel_fault_cb'));
    expect(notes).toBeDefined();
    expect(notes!.slice(notes!.lastIndexOf('accel_fault_cb'))).toContain('qi_submit_sync');
    // Without fault_cb in the scenario, it is never called.
    const plain = new SvmSystem(loadScenario('seed-accel-dma'), findPolicy('e57e58bd')!);
    expect(await reaches(plain, (_s, n) => n.includes('accel_fault_cb'))).toBeUndefined();
  });
});

/** The routine names on each kernel actor's stack in `state`, bottom first. */
function stacks(sys: SvmSystem, state: Int32Array): string[][] {
  const out: string[][] = [];
  for (let a = 0; a < sys.world.dims.kactors; a++) {
    const v = sys.world.actor[a];
    const spAt = v.base + 1;
    const names: string[] = [];
    let fb = spAt + 1;
    for (let i = 0; i < state[spAt]; i++) {
      const r = sys.kernel.routines.get(frameRoutine(state, fb));
      names.push(`${r.name}:${r.labels[framePc(state, fb)]}`);
      fb = nextFrame(fb, r);
    }
    out.push(names);
  }
  return out;
}

/**
 * Breadth-first over every state (no reduction), noting what each move called: the first state
 * where `pred` holds, with the notes of every move on the way there (functions called, in order),
 * or undefined.
 */
async function reaches(
  sys: SvmSystem,
  pred: (s: Int32Array, notes: readonly string[]) => boolean,
): Promise<string[] | undefined> {
  const start = new Int32Array(sys.stateWords);
  sys.init(start);
  const seen = new Set<string>([start.join(',')]);
  const queue: { s: Int32Array; notes: string[] }[] = [{ s: start, notes: [] }];
  while (queue.length > 0) {
    const { s, notes } = queue.shift()!;
    if (pred(s, notes)) return notes;
    sys.world.s = s;
    if (sys.world.kernel.violation !== 0) continue;
    for (let a = 0; a < sys.actorCount; a++) {
      for (let c = 0; c < sys.choices(s, a); c++) {
        const out = new Int32Array(sys.stateWords);
        out.set(s);
        sys.world.s = out;
        const moved: string[] = [];
        if (!sys.act(a, c, moved)) continue;
        const key = out.join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        queue.push({ s: out, notes: [...notes, ...moved] });
      }
    }
  }
  return undefined;
}

describe('->release runs as the SRCU notifier code runs it: twice, and concurrently', () => {
  // One process whose client unbinds without waiting, and does not mmap the fd (so exit_files'
  // fput is the last and the unbind runs at exit_task_work): the page-request thread can hold the
  // last mm_users pin (e57e58bd's inc-not-zero) and run exit_mmap, whose __mmu_notifier_release
  // calls ->release, while the task's file release unbinds and mmu_notifier_unregister, finding
  // the notifier still hashed, calls ->release too.
  const yaml = [
    'name: race',
    'devices:',
    '  - { name: accel0, client: accel-nowait, ats: true, dma: 2 }',
    'processes:',
    '  - name: proc',
    '    program:',
    '      - open: { device: accel0, fd: 3 }',
    '      - ioctl_bind: 3',
    '      - exit',
  ].join('\n');
  const sys = new SvmSystem(parseScenario(yaml, 'race.yaml'), findPolicy('e57e58bd')!);
  const inRelease = (st: string[]) => st.some((f) => f.startsWith('intel_mm_release'));

  it("reaches a state where exit_mmap's ->release waits for an invalidation while unregister, having run ->release itself, waits in synchronize_srcu", async () => {
    const race = (s: Int32Array) => {
      const st = stacks(sys, s);
      const exitMmap = st.some(
        (x) =>
          x.some((f) => f.startsWith('__mmu_notifier_release:call_release')) &&
          inRelease(x) &&
          x.at(-1) === 'qi_submit_sync:wait_for_qi_done',
      );
      const unregister = st.some((x) => x.at(-1) === 'mmu_notifier_unregister:synchronize_srcu');
      return exitMmap && unregister;
    };
    const notes = await reaches(sys, race);
    expect(notes).toBeDefined();
    // Both calls are in the one trace: exit_mmap's walk called ->release, and so did unregister
    // (the notifier was still hashed: exit_mmap unhashes only after its walk).
    const calls = notes!.filter((n) => n === 'intel_mm_release').length;
    expect(calls).toBe(2);
    const first = notes!.indexOf('intel_mm_release');
    expect(notes!.slice(0, first)).toContain('__mmu_notifier_release');
    expect(notes!.slice(first + 1)).toContain('mmu_notifier_unregister');
  }, 120_000);

  it('and the search over that scenario ends in the verdict the client earns, not in a crash', async () => {
    const r = await explore(sys, { order: 'bfs' });
    expect(['verified', 'violation']).toContain(r.verdict);
  });
});

describe('speculative caching is an assumption, stated when a finding uses it', () => {
  it('is off by default, and --speculative-caching writes it into the scenario text', () => {
    const sc = loadScenario('seed-accel-dma');
    expect(sc.speculativeCaching).toBe(false);
    const on = withSpeculativeCaching(sc, true);
    expect(on.speculativeCaching).toBe(true);
    expect(parseScenario(on.text, 'again.yaml').speculativeCaching).toBe(true);
    expect(withSpeculativeCaching(sc, undefined)).toBe(sc);
  });

  it('a trace with a fill the hardware made on its own says it assumes it; the same trace without does not', async () => {
    const sys = new SvmSystem(
      withSpeculativeCaching(loadScenario('seed-accel-dma'), true),
      findPolicy('e57e58bd-no-release-clear')!,
    );
    const r = await explore(sys, { order: 'bfs' });
    const trace = r.violation!.trace;
    const cache = sys.actors.findIndex((a) => a.kind === 'iommu-cache');
    expect(trace.some((t) => t.actor === cache)).toBe(false);
    expect(describeViolation(sys, finalState(sys, trace), r.violation!.code, trace).assumes).toBeUndefined();
    // The same run with a speculative PASID-cache fill right after the bind wrote the entry.
    for (let i = 1; i < trace.length; i++) {
      const t = [...trace.slice(0, i), { actor: cache, choice: 0 }, ...trace.slice(i)];
      let end: Int32Array;
      try {
        end = finalState(sys, t);
      } catch {
        continue; // the fill was not enabled there (entry not present yet, or already cached)
      }
      if (sys.violation(end) !== r.violation!.code) continue;
      expect(describeViolation(sys, end, r.violation!.code, t).assumes).toEqual([
        'speculative-pasid-cache-fill',
      ]);
      return;
    }
    throw new Error('no place in the trace where a speculative fill could run');
  });
});

describe('docs/fidelity.md', () => {
  it('has an entry for every routine the model defines', () => {
    const ledger = readFileSync(new URL('../docs/fidelity.md', import.meta.url), 'utf8');
    const entries = new Set([...ledger.matchAll(/^### `([^`]+)`$/gm)].map((m) => m[1]));
    const missing = new Set<string>();
    for (const s of builtinScenarios())
      for (const p of builtinPolicies)
        for (const r of new SvmSystem(loadScenario(s), p).kernel.routines.all)
          if (!entries.has(r.name)) missing.add(r.name);
    expect([...missing]).toEqual([]);
  });
});
