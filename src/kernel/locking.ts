/**
 * Sleeping locks as actors wait on them: a step that cannot take the lock BLOCKs, so the actor is
 * not enabled until the holder lets go (kernel/locking/mutex.c, rwsem.c; v4.5).
 */
import { site } from '../properties/violations.ts';
import { Obj } from '../world/objects.ts';
import { Ctl } from './exec.ts';
import type { Kernel } from './kernel.ts';

const S_MMAP_SEM = site('down/up on mmap_sem of a freed mm');

/** mutex_lock(&pasid_mutex); false means blocked. */
export function mutex_lock_pasid(k: Kernel): boolean {
  const kern = k.w.kernel;
  if (kern.pasid_mutex !== null) return false;
  kern.pasid_mutex = k.actor;
  return true;
}

export function mutex_unlock_pasid(k: Kernel): void {
  k.w.kernel.pasid_mutex = null;
}

export function down_write(k: Kernel, mm: number): boolean {
  const m = k.w.mm[mm];
  if (!k.live(Obj.mm, m.life, mm, S_MMAP_SEM)) return true;
  if (m.mmap_sem !== 0) return false;
  m.mmap_sem = -1;
  return true;
}

export function up_write(k: Kernel, mm: number): void {
  const m = k.w.mm[mm];
  if (k.live(Obj.mm, m.life, mm, S_MMAP_SEM)) m.mmap_sem = 0;
}

export function down_read(k: Kernel, mm: number): boolean {
  const m = k.w.mm[mm];
  if (!k.live(Obj.mm, m.life, mm, S_MMAP_SEM)) return true;
  if (m.mmap_sem < 0) return false;
  m.mmap_sem++;
  return true;
}

export function up_read(k: Kernel, mm: number): void {
  const m = k.w.mm[mm];
  if (k.live(Obj.mm, m.life, mm, S_MMAP_SEM)) m.mmap_sem--;
}

/**
 * down_write(&mm->mmap_sem) as the step that opens a routine whose frame holds the mm (mmap, munmap,
 * mmu_notifier_register): blocks while a reader or a writer holds it.
 */
export function down_write_mmap_sem(k: Kernel, f: { readonly mm: { readonly index: number } }): Ctl {
  return down_write(k, f.mm.index) ? Ctl.NEXT : Ctl.BLOCK;
}
