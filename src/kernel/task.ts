/**
 * A user task running its scenario program: one syscall per atomic action, task work run on the
 * way back to user space (as task_work_run does), and do_exit when the program ends.
 */
import { pageOfVa, USER_BASE } from '../arch/x86/pgtable.ts';
import { site } from '../properties/violations.ts';
import { obj, value } from '../world/fields.ts';
import { Life, Obj } from '../world/objects.ts';
import { Ctl, ownWordsOnly } from './exec.ts';
import { do_exit } from './exit.ts';
import {
  __fput,
  alloc_file,
  fdClear,
  fdFile,
  fdHolder,
  fdInstall,
  fput,
  get_file,
  nextTaskWork,
} from './fs/file.ts';
import { defineRoutine, type Kernel } from './kernel.ts';
import { down_read, down_write, up_read, up_write } from './locking.ts';
import { handle_mm_fault } from './mm/memory.ts';
import { mm_alloc } from './mm/mm.ts';
import { do_mmap, do_munmap, find_file_vma, VM_READ, VM_WRITE, vma_alloc } from './mm/mmap.ts';

const S_BAD_FD = site('syscall on an fd that is not open (scenario error)');

/** The anonymous buffer every process starts with: user pages 0 .. upages-1. */
export function setup_process(k: Kernel, task: number): void {
  const t = k.w.task[task];
  t.life = Life.live;
  const mm = mm_alloc(k, task);
  t.mm = mm < 0 ? null : k.w.mm[mm];
  t.active_mm = t.mm;
  vma_alloc(k, mm, pageOfVa(USER_BASE), k.w.dims.upages, -1, VM_READ | VM_WRITE);
}

const fileOf = (k: Kernel, fd: number): number => fdFile(k.w.task[k.actor], fd);

export const task_main = defineRoutine({
  name: 'task_main',
  calls: (cfg) => [
    ...cfg.fileOps.map((o) => o.bind),
    do_mmap,
    do_munmap,
    sys_touch,
    sys_fork,
    __fput,
    do_exit,
  ],
  steps: [
    function syscall(k) {
      const t = k.w.task[k.actor];
      const prog = k.cfg.programs[k.actor];
      const op = prog[t.prog_pc];
      if (!op || op.op === 'exit') return k.jump('exit');
      t.prog_pc++;
      const mm = t.mm;
      switch (op.op) {
        case 'open': {
          const file = alloc_file(k, k.actor, op.fd, k.cfg.devices[op.device].client, op.device);
          k.note(`open(/dev/${k.cfg.devices[op.device].name}) → file#${file}`);
          return Ctl.NEXT;
        }
        case 'bind': {
          const file = fileOf(k, op.fd);
          if (file < 0) return badFd(k, op.fd);
          return k.call(k.cfg.fileOps[k.w.file[file].f_op].bind, { file: k.w.file[file] });
        }
        case 'mmap': {
          const file = fileOf(k, op.fd);
          if (file < 0) return badFd(k, op.fd);
          // A driver without ->mmap fails the call (-ENODEV): nothing is mapped.
          if (!k.cfg.fileOps[k.w.file[file].f_op].mmap) {
            k.note('mmap → -ENODEV (the driver has no ->mmap)');
            return Ctl.NEXT;
          }
          if (!mm) return Ctl.NEXT;
          return k.call(do_mmap, { mm, file: k.w.file[file] });
        }
        case 'munmap': {
          const file = fileOf(k, op.fd);
          if (file < 0) return badFd(k, op.fd);
          const vma = mm ? find_file_vma(k, mm.index, file) : -1;
          // munmap of a range where nothing is mapped succeeds and does nothing (mm/mmap.c
          // do_munmap finds no VMA): a gfx fd, whose mmap failed, or an fd never mapped.
          if (!mm || vma < 0) {
            k.note('munmap: nothing mapped from this fd → 0');
            return Ctl.NEXT;
          }
          return k.call(do_munmap, { mm, vma: k.w.vma[vma] });
        }
        case 'touch':
          if (!mm) return Ctl.NEXT;
          return k.call(sys_touch, { mm, page: op.page });
        case 'close': {
          const file = fileOf(k, op.fd);
          if (file < 0) return badFd(k, op.fd);
          fdClear(t, op.fd);
          fput(k, file, Obj.fd, fdHolder(k, k.actor, op.fd));
          return Ctl.NEXT;
        }
        case 'fork':
          if (!mm) return Ctl.NEXT;
          return k.call(sys_fork, { mm, child: k.w.task[op.child] });
      }
    },
    ownWordsOnly(function ret_to_user(k) {
      const file = nextTaskWork(k);
      if (file >= 0) return k.callAgain(__fput, { file: k.w.file[file] });
      return k.jumpPreempt('syscall');
    }),
    ownWordsOnly(function exit(k) {
      return k.call(do_exit);
    }),
    ownWordsOnly(function dead() {
      return Ctl.RET;
    }),
  ],
});

function badFd(k: Kernel, fd: number): Ctl {
  k.fail('capacity', Obj.fd, fdHolder(k, k.actor, fd), S_BAD_FD);
  return Ctl.RET;
}

/** A CPU access to user page `page` of `mm`: the page fault path, under mmap_sem for read. */
const sys_touch = defineRoutine({
  name: 'touch',
  frame: { mm: obj('mm'), page: value() },
  calls: () => [handle_mm_fault],
  steps: [
    function down_read_mmap_sem(k, f) {
      return down_read(k, f.mm.index) ? Ctl.NEXT : Ctl.BLOCK;
    },
    function fault(k, f) {
      return k.call(handle_mm_fault, { mm: f.mm, page: f.page });
    },
    function up_read_mmap_sem(k, f) {
      up_read(k, f.mm.index);
      return Ctl.RET;
    },
  ],
});

/**
 * fork (kernel/fork.c, v4.5): copy_files then copy_mm. dup_mmap copies every VMA under the
 * parent's mmap_sem, each copy taking its own file reference; the child's page tables start empty
 * (the model does not copy anonymous pages: the child faults its own).
 */
const sys_fork = defineRoutine({
  name: 'fork',
  frame: { mm: obj('mm'), child: obj('task') },
  steps: [
    function down_write_oldmm(k, f) {
      return down_write(k, f.mm.index) ? Ctl.NEXT : Ctl.BLOCK;
    },
    function copy_process(k, f) {
      const parent = k.w.task[k.actor];
      const c = f.child;
      const child = c.index;
      c.life = Life.live;
      for (let fd = 0; fd < k.w.dims.nfd; fd++) {
        const file = fdFile(parent, fd);
        if (file < 0) continue;
        fdInstall(c, fd, k.w.file[file]);
        get_file(k, file, Obj.fd, fdHolder(k, child, fd));
      }
      const mm = mm_alloc(k, child);
      c.mm = mm < 0 ? null : k.w.mm[mm];
      c.active_mm = c.mm;
      for (const v of k.w.vma) {
        if (v.life !== Life.live || v.vm_mm !== f.mm) continue;
        vma_alloc(k, mm, v.vm_start, v.vm_pages, v.vm_file?.index ?? -1, v.vm_flags);
      }
      up_write(k, f.mm.index);
      // wake_up_new_task: the child starts running its program.
      const me = k.actor;
      k.bindActor(child);
      k.start(task_main);
      k.bindActor(me);
      return Ctl.RET;
    },
  ],
});
