/**
 * do_exit (kernel/exit.c, v4.5), in kernel order: exit_mm (keep the mm as lazy active_mm with an
 * extra mm_count, then mmput), exit_files (fput each fd), exit_task_work (the queued ->release
 * calls run here), and at the final context switch finish_task_switch drops the lazy mm_count.
 */
import { Obj } from '../world/objects.ts';
import { Ctl, ownWordsOnly } from './exec.ts';
import { __fput, fdClear, fdFile, fdHolder, fput, nextTaskWork } from './fs/file.ts';
import { defineRoutine, PF_EXITING } from './kernel.ts';
import { holder, mmdrop, mmgrab, mmput } from './mm/mm.ts';

export const do_exit = defineRoutine({
  name: 'do_exit',
  calls: () => [mmput, __fput],
  steps: [
    ownWordsOnly(function exit_signals(k) {
      k.w.task[k.actor].flags |= PF_EXITING;
      return Ctl.NEXT;
    }),
    function exit_mm(k) {
      const t = k.w.task[k.actor];
      const mm = t.mm;
      if (!mm) return Ctl.NEXT;
      // The task keeps the mm as its lazy active_mm until the next context switch.
      mmgrab(k, mm.index, holder(Obj.task, k.actor));
      t.mm = null;
      t.active_mm = mm;
      return k.call(mmput, { mm, holder: holder(Obj.task, k.actor) });
    },
    ownWordsOnly(function cond_resched() {
      return Ctl.PREEMPT;
    }),
    function exit_files(k) {
      const t = k.w.task[k.actor];
      for (let fd = 0; fd < k.w.dims.nfd; fd++) {
        const file = fdFile(t, fd);
        if (file < 0) continue;
        fdClear(t, fd);
        fput(k, file, Obj.fd, fdHolder(k, k.actor, fd));
      }
      return Ctl.PREEMPT;
    },
    ownWordsOnly(function exit_task_work(k) {
      const file = nextTaskWork(k);
      if (file >= 0) return k.callAgain(__fput, { file: k.w.file[file] });
      // task_work_run's final pass marks the list dead: later fputs go to delayed_fput.
      k.w.task[k.actor].work_exited = 1;
      return Ctl.PREEMPT;
    }),
    function finish_task_switch(k) {
      const t = k.w.task[k.actor];
      const mm = t.active_mm;
      if (mm) {
        t.active_mm = null;
        mmdrop(k, mm.index, holder(Obj.task, k.actor));
      }
      return Ctl.RET;
    },
  ],
});
