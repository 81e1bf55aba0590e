import { describe, expect, it } from 'vitest';
import { boot, oneProcess } from '../system/testing.ts';

describe('do_exit (kernel/exit.c, v4.5)', () => {
  it('runs exit_mm, exit_files, exit_task_work, then drops the lazy active_mm', () => {
    const b = boot(oneProcess(['open: { device: dev0, fd: 3 }', 'exit']), 'e57e58bd');
    b.move('proc'); // open
    const labels: string[] = [];
    b.sys.kernel.onStep = (r, pc) => labels.push(`${r.name}:${r.labels[pc]}`);
    b.runActor('proc');
    b.sys.kernel.onStep = null;
    const order = ['exit_mm', 'exit_files', 'exit_task_work', 'finish_task_switch'].map((l) =>
      labels.indexOf(`do_exit:${l}`),
    );
    expect(order.every((x) => x >= 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
  });

  it('keeps the mm as lazy active_mm with its own mm_count until the final switch', () => {
    const b = boot(oneProcess(['exit']));
    b.move('proc'); // exit_mm → mmput → exit_mmap ... until a preemption point
    const t = b.sys.world.task[0];
    expect(t.mm).toBe(null);
    expect(t.active_mm?.index).toBe(0);
    b.runActor('proc');
    expect(t.active_mm).toBe(null);
  });
});
