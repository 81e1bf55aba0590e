/**
 * exit_mmap (mm/mmap.c, v4.5): runs once mm_users has reached 0, and takes no mmap_sem, since
 * nobody else should be using the address space. Four steps, with preemption points between them:
 *  1. mmu_notifier_release: every notifier's ->release, then all are unhashed. From here on an
 *     IOMMU driver gets no invalidate callback for this mm.
 *  2. unmap_vmas: clear every PTE; the pages go to the mmu_gather.
 *  3. free_pgtables, then tlb_finish_mmu: free the page-table pages below the PGD and the pages.
 *  4. remove_vma on each VMA: ->close, fput(vm_file), free the VMA.
 */
import { obj } from '../../world/fields.ts';
import { Count, Life, Obj } from '../../world/objects.ts';
import { Ctl, ownWordsOnly } from '../exec.ts';
import { fput } from '../fs/file.ts';
import { defineRoutine, type Kernel } from '../kernel.ts';
import { free_pgtables, tlb_finish_mmu, zap_pte_range } from './memory.ts';
import { __mmu_notifier_release } from './mmu_notifier.ts';

export const exit_mmap = defineRoutine({
  name: 'exit_mmap',
  frame: { mm: obj('mm') },
  calls: () => [__mmu_notifier_release],
  steps: [
    function mmu_notifier_release(k, f) {
      f.mm.exit_mmap_step = 1;
      return k.call(__mmu_notifier_release, { mm: f.mm });
    },
    ownWordsOnly(function cond_resched() {
      return Ctl.PREEMPT;
    }),
    function unmap_vmas(k, f) {
      const mm = f.mm;
      mm.exit_mmap_step = 2;
      for (const v of k.w.vma) {
        if (v.life === Life.live && v.vm_mm === mm && v.vm_file === null)
          zap_pte_range(k, mm.index, v.vm_start, v.vm_pages);
      }
      return Ctl.PREEMPT;
    },
    function free_pgtables_and_finish(k, f) {
      f.mm.exit_mmap_step = 3;
      free_pgtables(k, f.mm.index);
      tlb_finish_mmu(k, f.mm.index);
      return Ctl.PREEMPT;
    },
    function remove_vmas(k, f) {
      const mm = f.mm;
      mm.exit_mmap_step = 4;
      for (const v of k.w.vma) if (v.life === Life.live && v.vm_mm === mm) remove_vma(k, v.index);
      return Ctl.RET;
    },
  ],
});

/** remove_vma (mm/mmap.c): ->close, fput(vm_file), free the VMA. Never sleeps in the model. */
export function remove_vma(k: Kernel, vma: number): void {
  const v = k.w.vma[vma];
  if (v.vm_file) fput(k, v.vm_file.index, Obj.vma, vma);
  if (v.vm_mm) k.put(Count.vma_owner, Obj.vma, vma, Obj.mm, v.vm_mm.index, 0);
  v.life = Life.freed;
  k.note(`remove_vma(vma#${vma})`);
}
