/**
 * mmap and munmap of a device file (mm/mmap.c, v4.5). The VMA takes a reference on the file
 * (get_file, before the driver's ->mmap runs); munmap drops it after unmapping. Device mappings
 * are VM_IO | VM_PFNMAP doorbells: never populated with RAM pages in the model.
 */
import { MMAP_BASE, pageOfVa } from '../../arch/x86/pgtable.ts';
import { site } from '../../properties/violations.ts';
import { obj } from '../../world/fields.ts';
import { unusedSlot } from '../../world/layout.ts';
import { Count, Life, Obj } from '../../world/objects.ts';
import { Ctl } from '../exec.ts';
import { get_file } from '../fs/file.ts';
import { defineRoutine, type Kernel } from '../kernel.ts';
import { down_write_mmap_sem, up_write } from '../locking.ts';
import { remove_vma } from './exit_mmap.ts';

export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_PFNMAP = 0x400;
export const VM_IO = 0x4000;

const S_MMAP = site('mmap on a freed file');

/** Allocates a VMA in mm (owned by the mm's address space). */
export function vma_alloc(
  k: Kernel,
  mm: number,
  start: number,
  pages: number,
  file: number,
  flags: number,
): number {
  const v = unusedSlot(k.w.vma, mm, k.w.dims.per.vmas);
  if (!v) {
    k.fail('capacity', Obj.vma, 0, 0);
    return -1;
  }
  v.life = Life.live;
  v.vm_mm = k.w.mm[mm];
  v.vm_start = start;
  v.vm_pages = pages;
  v.vm_file = file < 0 ? null : k.w.file[file];
  v.vm_flags = flags;
  k.get(Count.vma_owner, Obj.vma, v.index, Obj.mm, mm);
  if (file >= 0) get_file(k, file, Obj.vma, v.index);
  return v.index;
}

/** The VMA of mm mapping `file`, or -1. */
export function find_file_vma(k: Kernel, mm: number, file: number): number {
  const v = k.w.vma.find((x) => x.life === Life.live && x.vm_mm?.index === mm && x.vm_file?.index === file);
  return v ? v.index : -1;
}

/** mmap(fd) of `file` into `mm`. */
export const do_mmap = defineRoutine({
  name: 'do_mmap',
  frame: { mm: obj('mm'), file: obj('file') },
  steps: [
    down_write_mmap_sem,
    function mmap_region(k, f) {
      if (!k.live(Obj.file, f.file.life, f.file.index, S_MMAP)) return Ctl.RET;
      vma_alloc(k, f.mm.index, pageOfVa(MMAP_BASE), 1, f.file.index, VM_READ | VM_WRITE | VM_IO | VM_PFNMAP);
      up_write(k, f.mm.index);
      return Ctl.RET;
    },
  ],
});

/** munmap of `vma`, the mapping of a file in `mm`. */
export const do_munmap = defineRoutine({
  name: 'do_munmap',
  frame: { mm: obj('mm'), vma: obj('vma') },
  steps: [
    down_write_mmap_sem,
    function remove_vma_and_unlock(k, f) {
      // A device mapping has no RAM pages to zap, so no notifier invalidation is needed here.
      remove_vma(k, f.vma.index);
      up_write(k, f.mm.index);
      return Ctl.RET;
    },
  ],
});
