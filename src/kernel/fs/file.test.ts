import { describe, expect, it } from 'vitest';
import { boot, oneProcess } from '../../system/testing.ts';
import { Life } from '../../world/objects.ts';

describe('struct file (fs/file_table.c, v4.5)', () => {
  it('the final fput of a user task is deferred to task work and runs on return to user space', () => {
    const b = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'close: 3', 'exit']));
    const w = b.sys.world;
    b.move('proc'); // open
    expect(w.file[0].f_count).toBe(1);
    const executed: string[] = [];
    b.sys.kernel.onStep = (r, pc) => executed.push(`${r.name}:${r.labels[pc]}`);
    const notes = b.move('proc').notes; // close: f_count 1→0, __fput queued, run on the way out
    expect(notes.findIndex((n) => n.startsWith('task_work_add'))).toBeLessThan(notes.indexOf('__fput'));
    // ->release ran from task_work_run in ret_to_user, not from close itself.
    const fputAt = executed.indexOf('__fput:call_release');
    expect(executed[fputAt - 1]).toBe('task_main:ret_to_user');
    expect(w.file[0].life).toBe(Life.freed);
  });

  it('a VMA holds its own reference: closing the fd of a mapped file does not release it', () => {
    const b = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'mmap: 3', 'close: 3', 'exit']));
    const w = b.sys.world;
    for (let i = 0; i < 4; i++) b.move('proc');
    expect(w.file[0].f_count).toBe(1);
    expect(w.file[0].life).toBe(Life.live);
  });

  it('an fput after exit_task_work goes to delayed_fput, which the kworker runs', () => {
    const b = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'mmap: 3', 'exit']), 'e57e58bd');
    const w = b.sys.world;
    // Let the task exit completely; the VMA's fput comes from exit_mmap, before exit_files.
    b.runActor('proc');
    expect(w.file[0].life).toBe(Life.freed);
    // Now a kthread-context final fput: hand-craft one.
    const b2 = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'exit']));
    b2.move('proc');
    b2.sys.world.task[0].work_exited = 1;
    b2.move('proc'); // exit: exit_mm...
    b2.runActor('proc');
    expect(b2.sys.world.kernel.delayed_fput).toBe(1);
    expect(b2.runActor('kworker/u:delayed_fput')).toContain('__fput');
    expect(b2.sys.world.file[0].life).toBe(Life.freed);
  });
});
