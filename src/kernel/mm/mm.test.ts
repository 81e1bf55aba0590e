import { describe, expect, it } from 'vitest';
import { boot, oneProcess } from '../../system/testing.ts';
import { Life, Obj } from '../../world/objects.ts';
import { holder, mmdrop, mmget, mmget_not_zero } from './mm.ts';

describe('mm_struct counts (kernel/fork.c, v4.5)', () => {
  it('a new mm has mm_users 1 (the task) and mm_count 1 (all users together), and a PGD', () => {
    const b = boot(oneProcess(['exit']));
    const mm = b.sys.world.mm[0];
    expect([mm.life, mm.mm_users, mm.mm_count]).toEqual([Life.live, 1, 1]);
    expect(mm.pgd?.life).toBe(Life.live);
  });

  it('inc-not-zero fails once mm_users reached 0, and succeeds before', () => {
    const b = boot(oneProcess(['exit']));
    const k = b.sys.kernel;
    k.bindActor(0);
    expect(mmget_not_zero(k, 0, holder(Obj.actor, 0), 0)).toBe(true);
    expect(b.sys.world.mm[0].mm_users).toBe(2);
    b.sys.world.mm[0].mm_users = 0;
    expect(mmget_not_zero(k, 0, holder(Obj.actor, 0), 0)).toBe(false);
  });

  it('mmget from 0 is refcount misuse', () => {
    const b = boot(oneProcess(['exit']));
    const k = b.sys.kernel;
    k.bindActor(0);
    b.sys.world.mm[0].mm_users = 0;
    mmget(k, 0, holder(Obj.actor, 0));
    expect(b.sys.world.kernel.violation).toBe(3);
  });

  it('mmdrop 1→0 runs __mmdrop: frees the PGD and the mm; a later mmdrop is a use after free', () => {
    const b = boot(oneProcess(['exit']));
    const k = b.sys.kernel;
    k.bindActor(0);
    const pgd = b.sys.world.mm[0].pgd?.index ?? -1;
    mmdrop(k, 0, holder(Obj.mm, 0));
    expect(b.sys.world.mm[0].life).toBe(Life.freed);
    expect(b.sys.world.page[pgd].life).toBe(Life.freed);
    expect(b.sys.world.kernel.violation).toBe(0);
    mmdrop(k, 0, holder(Obj.mm, 0));
    expect(b.sys.world.kernel.violation).toBe(2);
  });

  it('mmput 1→0 runs __mmput in the caller: exit_mmap, then the users-held mmdrop', () => {
    const b = boot(oneProcess(['exit']));
    const notes = b.runActor('proc');
    expect(notes.join(' ')).toMatch(/mmput .*__mmput .*exit_mmap/);
    const mm = b.sys.world.mm[0];
    expect(mm.life).toBe(Life.freed);
  });
});
