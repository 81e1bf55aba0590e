import { describe, expect, it } from 'vitest';
import { explore } from '../check/index.ts';
import { boot, oneProcess } from '../system/testing.ts';
import { Life } from '../world/objects.ts';

const forking = oneProcess([
  'open: { device: dev0, fd: 3 }',
  'ioctl_bind: 3',
  'mmap: 3',
  'fork: { name: child, program: [exit] }',
  'exit',
]);

describe('fork (kernel/fork.c, v4.5)', () => {
  it('copies the fd table and the VMAs, each copy taking its own file reference', () => {
    const b = boot(forking);
    for (let i = 0; i < 4; i++) b.move('proc');
    const w = b.sys.world;
    expect(w.task[1].life).toBe(Life.live);
    expect(w.mm[1].life).toBe(Life.live);
    // fd of the parent + its VMA, fd of the child + its VMA.
    expect(w.file[0].f_count).toBe(4);
    expect(w.vma.filter((v) => v.life === Life.live && v.vm_mm === w.mm[1])).toHaveLength(2);
  });

  it('the child starts running only once forked', () => {
    const b = boot(forking);
    expect(b.move('child').moved).toBe(false);
    for (let i = 0; i < 4; i++) b.move('proc');
    expect(b.move('child').moved).toBe(true);
  });

  it('with a child holding the file too, the fix still frees everything, and v4.4 still leaks', async () => {
    const fixed = await explore(boot(forking, 'e57e58bd').sys);
    expect(fixed.verdict).toBe('verified');
    const old = await explore(boot(forking, 'v4.4').sys);
    expect(old.verdict).toBe('violation');
  });
});
