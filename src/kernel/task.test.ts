import { describe, expect, it } from 'vitest';
import { explore } from '../check/index.ts';
import { findPolicy } from '../drivers/iommu/intel/policies/index.ts';
import { parseScenario } from '../scenario/load.ts';
import { SvmSystem } from '../system/system.ts';
import { boot, oneProcess } from '../system/testing.ts';

const twoCopies = (program: string[]) =>
  [
    'name: t',
    'devices: [{ name: dev0, client: accel }]',
    'processes:',
    '  - name: p',
    '    count: 2',
    '    program:',
    ...program.map((p) => `      - ${p}`),
  ].join('\n');

describe('a task running its program', () => {
  it('munmap of an open fd that is not mapped succeeds and does nothing, as munmap of an empty range', () => {
    const b = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'munmap: 3']));
    b.move('proc');
    const { notes } = b.move('proc');
    expect(notes.join(' ')).toContain('nothing mapped');
    expect(b.sys.world.kernel.violation).toBe(0);
  });

  it('two copies that munmap an unmapped fd verify, with and without symmetry reduction', async () => {
    const sys = boot(twoCopies(['open: { device: dev0, fd: 3 }', 'munmap: 3'])).sys;
    for (const symmetry of [true, false]) {
      const r = await explore(sys, { symmetry });
      expect(r.verdict).toBe('verified');
    }
  });

  it('mmap of a gfx fd fails with -ENODEV, in the trace, and maps nothing', () => {
    const b = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'mmap: 3'], { client: 'gfx' }));
    b.move('proc');
    const { notes } = b.move('proc');
    expect(notes.join(' ')).toContain('-ENODEV');
    expect(b.sys.world.vma.filter((v) => v.vm_file !== null)).toHaveLength(0);
  });

  it('a syscall on an fd that is not open names the fd of the task that made it, so that symmetry reduction can rename it', async () => {
    // The loader rejects such a program; build one past it, as a model bug would.
    const sc = parseScenario(twoCopies(['open: { device: dev0, fd: 3 }', 'close: 3']), 't.yaml');
    for (const t of sc.tasks) t.program.push({ op: 'close', fd: 0 });
    const sys = new SvmSystem(sc, findPolicy('e57e58bd')!);
    const r = await explore(sys, { symmetry: true });
    expect(r.verdict).toBe('violation');
    const plain = await explore(sys, { symmetry: false });
    expect(r.violation?.trace.length).toBe(plain.violation?.trace.length);
  });
});
