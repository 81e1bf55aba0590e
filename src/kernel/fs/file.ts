/**
 * struct file lifetime (fs/file_table.c, fs/file.c, kernel/task_work.c; v4.5).
 *
 * f_count counts references: one per fd that refers to the file, one per VMA that maps it. The
 * final fput does not call ->release at once: in a user task it is queued as task work, run at
 * exit_task_work or on the way back to user space; from a kernel thread, or once the task has
 * passed exit_task_work, it goes to the delayed_fput list, which a kworker drains.
 */
import { site } from '../../properties/violations.ts';
import { obj } from '../../world/fields.ts';
import { type FileView, unusedSlot } from '../../world/layout.ts';
import { Count, Life, Obj } from '../../world/objects.ts';
import { Ctl } from '../exec.ts';
import { defineRoutine, type Kernel } from '../kernel.ts';

const S_FPUT = site('fput on a freed file');
const S_FPUT_NEG = site('fput: f_count already 0');
const S_GET_FILE = site('get_file on a freed file');

/** alloc_file + fd_install: a new file for task's fd, f_count = 1 held by the fd. */
export function alloc_file(k: Kernel, task: number, fd: number, fOp: number, device: number): number {
  const f = unusedSlot(k.w.file, task, k.w.dims.per.files);
  if (!f) {
    k.fail('capacity', Obj.file, 0, 0);
    return -1;
  }
  f.life = Life.live;
  f.f_count = 1;
  f.f_op = fOp;
  f.device = device;
  fdInstall(k.w.task[task], fd, f);
  k.get(Count.f_count, Obj.file, f.index, Obj.fd, fdHolder(k, task, fd));
  return f.index;
}

/** The fd table is the task_struct's tail (world/layout.ts): a reference to a file, or NULL, per fd. */
type FdTable = { tailAt(i: number): unknown; setTailAt(i: number, value: unknown): void };

/** The file open on `fd`, or -1. */
export const fdFile = (t: FdTable, fd: number): number => (t.tailAt(fd) as FileView | null)?.index ?? -1;

/** fd_install: `fd` refers to `file` from now on. */
export const fdInstall = (t: FdTable, fd: number, file: FileView): void => t.setTailAt(fd, file);

/** The fd is closed: it refers to nothing. */
export const fdClear = (t: FdTable, fd: number): void => t.setTailAt(fd, null);

/** The fd slot of a task, as a reference holder index. */
export const fdHolder = (k: Kernel, task: number, fd: number): number => task * k.w.dims.nfd + fd;

/** get_file: f_count++ for a new holder. */
export function get_file(k: Kernel, file: number, holderKind: number, holderIdx: number): void {
  const f = k.w.file[file];
  if (!k.live(Obj.file, f.life, file, S_GET_FILE)) return;
  f.f_count++;
  k.get(Count.f_count, Obj.file, file, holderKind, holderIdx);
}

/** fput: the last reference queues __fput (task work, or delayed_fput from a kthread). */
export function fput(k: Kernel, file: number, holderKind: number, holderIdx: number): void {
  const f = k.w.file[file];
  if (!k.live(Obj.file, f.life, file, S_FPUT)) return;
  if (f.f_count <= 0) {
    k.fail('refcount', Obj.file, file, S_FPUT_NEG);
    return;
  }
  k.put(Count.f_count, Obj.file, file, holderKind, holderIdx, S_FPUT);
  f.f_count--;
  k.note(`fput(file#${file}): f_count ${f.f_count + 1}→${f.f_count}`);
  if (f.f_count > 0) return;
  const isTask = k.actor < k.cfg.tasks;
  if (isTask && k.w.task[k.actor].work_exited === 0) {
    k.w.task[k.actor].task_works |= 1 << file;
    k.note(`task_work_add(__fput file#${file})`);
  } else {
    delayed_fput_push(k, file);
    k.note(`delayed_fput queued file#${file}`);
  }
}

/**
 * delayed_fput_list is an llist (fs/file_table.c, v4.5): fput pushes on its head, and delayed_fput
 * takes the files from the head, the newest first. The model keeps it as a stack of file + 1 in
 * DF_BITS-bit fields of kernel.delayed_fput, the newest in the low bits. The order is part of the
 * state: taking the lowest-numbered file first, as the model did, made the kworker's order depend
 * on file numbers, which an exchange of two processes changes (system/symmetry.ts).
 */
export const DF_BITS = 5;
export const DF_MASK = (1 << DF_BITS) - 1;

function delayed_fput_push(k: Kernel, file: number): void {
  const q = k.w.kernel.delayed_fput;
  if (q >>> (31 - DF_BITS) !== 0 || file + 1 > DF_MASK) {
    k.fail('capacity', Obj.file, file, 0);
    return;
  }
  k.w.kernel.delayed_fput = (q << DF_BITS) | (file + 1);
}

/** __fput(file): calls f_op->release, then frees the file. */
export const __fput = defineRoutine({
  name: '__fput',
  frame: { file: obj('file') },
  calls: (cfg) => cfg.fileOps.map((o) => o.release),
  steps: [
    function call_release(k, f) {
      const ops = k.cfg.fileOps[f.file.f_op];
      return ops?.release ? k.call(ops.release, { file: f.file }) : Ctl.NEXT;
    },
    function file_free(k, f) {
      f.file.life = Life.freed;
      k.note(`file#${f.file.index} freed`);
      return Ctl.RET;
    },
  ],
});

/** task_work_run: runs the queued __fput calls of the current task, one after another. */
export function nextTaskWork(k: Kernel): number {
  const t = k.w.task[k.actor];
  if (t.task_works === 0) return -1;
  const file = 31 - Math.clz32(t.task_works & -t.task_works);
  t.task_works &= ~(1 << file);
  return file;
}

/** The delayed_fput worker (kworker): idles until a file is queued, then __fput()s the newest. */
export const delayed_fput = defineRoutine({
  name: 'delayed_fput',
  calls: () => [__fput],
  steps: [
    function wait_for_work(k) {
      const q = k.w.kernel.delayed_fput;
      if (q === 0) return Ctl.BLOCK;
      const file = (q & DF_MASK) - 1;
      k.w.kernel.delayed_fput = q >>> DF_BITS;
      return k.callAgain(__fput, { file: k.w.file[file] });
    },
  ],
  idle: ['wait_for_work'],
});
