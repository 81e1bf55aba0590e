/**
 * The shape of every kernel routine's stack frame, and who calls whom: what lets a kernel actor's
 * call stack take only the words it can ever use.
 *
 * A frame is one header word (routine id and pc, see exec.ts) and the routine's own argument and
 * local words, a0 .. a(args-1): the frame comments of each routine's file (svm.ts, qi.ts, mm.ts,
 * ...) say what they hold. Words a routine does not list are not stored at all.
 *
 * The call graph bounds how deep, and so how many words, a stack can get: an actor's stack needs
 * the heaviest chain of at most `stackDepth` frames from its bottom routine (task_main,
 * delayed_fput, prq_event_thread). Both the argument counts and the call edges are checked as the
 * model runs (exec.ts, Kernel.call): a routine touching an argument word it does not list, or
 * calling a routine it does not list as a callee, throws an error naming both, so a table that
 * falls behind the code fails loudly instead of sizing a stack too small.
 *
 * The table is by routine name: the client drivers' and the policies' routines are defined once
 * per driver or policy object, but every instance of a name has the same frame and callees.
 */

export interface FrameShape {
  /** Argument and local words: the routine uses a0 .. a(args-1). */
  readonly args: number;
  /** Routines it calls (by name). */
  readonly calls: readonly string[];
}

/** The client drivers' ioctl(SVM_BIND) and ->release (drivers/accel, drivers/gfx). */
const clientBinds = ['accel_ioctl_bind', 'accel_nowait_ioctl_bind', 'gfx_ioctl_bind'];
const clientReleases = ['accel_release', 'accel_nowait_release', 'gfx_release'];
/** The client drivers' svm_dev_ops.fault_cb, which prq_event_thread calls. */
const clientFaultCbs = ['accel_fault_cb', 'accel_nowait_fault_cb'];

export const frameShapes: ReadonlyMap<string, FrameShape> = new Map<string, FrameShape>([
  // kernel/task.ts: the task's syscall loop, and the syscalls that are routines.
  [
    'task_main',
    { args: 0, calls: [...clientBinds, 'do_mmap', 'do_munmap', 'touch', 'fork', '__fput', 'do_exit'] },
  ],
  ['touch', { args: 2, calls: ['handle_mm_fault'] }],
  ['fork', { args: 2, calls: [] }],
  // kernel/exit.ts, kernel/fs/file.ts
  ['do_exit', { args: 0, calls: ['mmput', '__fput'] }],
  ['__fput', { args: 1, calls: clientReleases }],
  ['delayed_fput', { args: 0, calls: ['__fput'] }],
  // kernel/mm
  ['do_mmap', { args: 2, calls: [] }],
  ['do_munmap', { args: 2, calls: [] }],
  ['handle_mm_fault', { args: 3, calls: [] }],
  ['mmput', { args: 2, calls: ['__mmput'] }],
  ['__mmput', { args: 1, calls: ['exit_mmap'] }],
  ['exit_mmap', { args: 1, calls: ['__mmu_notifier_release'] }],
  ['mmu_notifier_register', { args: 2, calls: [] }],
  ['__mmu_notifier_release', { args: 2, calls: ['intel_mm_release'] }],
  ['mmu_notifier_unregister', { args: 3, calls: ['intel_mm_release'] }],
  // drivers/accel, drivers/gfx: a0 = file; a bind's a1, a2 receive PASID + 1 and sdev + 1.
  ...clientBinds.map((n): [string, FrameShape] => [n, { args: 3, calls: ['intel_svm_bind_mm'] }]),
  ...clientReleases.map((n): [string, FrameShape] => [n, { args: 1, calls: ['intel_svm_unbind_mm'] }]),
  ...clientFaultCbs.map((n): [string, FrameShape] => [n, { args: 3, calls: [] }]),
  // drivers/iommu/intel (every policy's routines have the same frames)
  ['intel_svm_bind_mm', { args: 5, calls: ['mmu_notifier_register', 'mmput'] }],
  [
    'intel_svm_unbind_mm',
    { args: 5, calls: ['intel_flush_pasid_dev+svm_range_dev', 'mmu_notifier_unregister', 'mmput'] },
  ],
  ['intel_mm_release', { args: 3, calls: ['intel_flush_pasid_dev+svm_range_dev'] }],
  ['prq_event_thread', { args: 6, calls: ['handle_mm_fault', 'mmput', ...clientFaultCbs, 'qi_submit_sync'] }],
  ['intel_flush_pasid_dev+svm_range_dev', { args: 2, calls: ['qi_submit_sync'] }],
  ['qi_submit_sync', { args: 5, calls: [] }],
]);

/** The frame of a routine the table does not list: every argument word, and no callees. */
export const MAX_ARGS = 5;
const unlisted: FrameShape = { args: MAX_ARGS, calls: [] };

export const frameShape = (name: string): FrameShape => frameShapes.get(name) ?? unlisted;

/**
 * The most words a stack with `root` at the bottom can hold: the heaviest chain of at most
 * `maxFrames` frames down the call graph (a push beyond `maxFrames` is a capacity violation, so no
 * deeper chain is ever stored). Throws on a cycle, which would leave only `maxFrames` as a bound.
 */
export function stackWordsFrom(root: string, maxFrames: number): number {
  const memo = new Map<string, number>();
  const heaviest = (name: string, frames: number, path: readonly string[]): number => {
    if (frames === 0) return 0;
    if (path.includes(name)) throw new Error(`frames.ts: call cycle ${[...path, name].join(' → ')}`);
    const key = `${name}/${frames}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const shape = frameShape(name);
    let below = 0;
    for (const c of shape.calls) below = Math.max(below, heaviest(c, frames - 1, [...path, name]));
    const words = 1 + shape.args + below;
    memo.set(key, words);
    return words;
  };
  return heaviest(root, maxFrames, []);
}
