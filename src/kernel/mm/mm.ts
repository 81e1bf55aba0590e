/**
 * mm_struct lifetime (kernel/fork.c, include/linux/sched.h; v4.5).
 *
 * mm_users counts users of the address space; when it reaches 0, __mmput tears the address space
 * down (exit_mmap) and drops the one mm_count that all users together hold. mm_count counts
 * references to the struct and its PGD; when it reaches 0, __mmdrop frees both.
 */
import { PageKind } from '../../arch/x86/pgtable.ts';
import { site } from '../../properties/violations.ts';
import { obj, special, W_HOLDER } from '../../world/fields.ts';
import { Count, Life, Obj } from '../../world/objects.ts';
import { Ctl, ownWordsOnly } from '../exec.ts';
import { defineRoutine, type Kernel } from '../kernel.ts';
import { exit_mmap } from './exit_mmap.ts';
import { __free_page, alloc_page } from './page_alloc.ts';

/** A reference holder passed through routine arguments: kind and index in one word. */
export const holder = (kind: number, idx: number): number => (kind << 16) | idx;
export const holderKind = (h: number): number => h >>> 16;
export const holderIdx = (h: number): number => h & 0xffff;

const S_MMPUT = site('mmput: mm_users of a freed mm');
const S_MMPUT_NEG = site('mmput: mm_users already 0');
const S_MMDROP = site('mmdrop: mm_count of a freed mm');
const S_MMDROP_NEG = site('mmdrop: mm_count already 0');
const S_MMGET = site('atomic_inc(&mm->mm_users) on a freed mm');
const S_MMGET_ZERO = site('atomic_inc(&mm->mm_users) from 0 (mmget on a dead mm)');
const S_MMGRAB = site('atomic_inc(&mm->mm_count) on a freed mm');
const S_MMDROP_NOTIFIERS = site(
  '__mmdrop: BUG_ON(mm->mmu_notifier_mm) list not empty (mmu_notifier_mm_destroy)',
);
const S_PGD_FREE = site('pgd_free');

/**
 * mm_alloc + pgd_alloc: a new mm for task `task`, users=1 (held by the task), count=1. A task has
 * one mm in the model, and it is mm `task` (world/layout.ts: the owner of every other object).
 */
export function mm_alloc(k: Kernel, task: number): number {
  const mm = k.w.mm[task];
  if (mm.life !== Life.unused) {
    k.fail('capacity', Obj.mm, 0, 0);
    return -1;
  }
  mm.life = Life.live;
  mm.mm_users = 1;
  mm.mm_count = 1;
  k.get(Count.mm_users, Obj.mm, mm.index, Obj.task, task);
  k.get(Count.mm_count, Obj.mm, mm.index, Obj.mm, mm.index);
  const pgd = alloc_page(k, PageKind.pgd, mm.index);
  mm.pgd = pgd < 0 ? null : k.w.page[pgd];
  k.get(Count.page_owner, Obj.page, pgd, Obj.mm, mm.index);
  return mm.index;
}

/** atomic_inc(&mm->mm_users) (later mmget). */
export function mmget(k: Kernel, mm: number, h: number): void {
  const m = k.w.mm[mm];
  if (!k.live(Obj.mm, m.life, mm, S_MMGET)) return;
  if (m.mm_users === 0) k.fail('refcount', Obj.mm, mm, S_MMGET_ZERO);
  m.mm_users++;
  k.get(Count.mm_users, Obj.mm, mm, holderKind(h), holderIdx(h));
}

/** atomic_inc_not_zero(&mm->mm_users) (later mmget_not_zero): fails once users reached 0. */
export function mmget_not_zero(k: Kernel, mm: number, h: number, uafSite: number): boolean {
  const m = k.w.mm[mm];
  if (!k.live(Obj.mm, m.life, mm, uafSite)) return false;
  if (m.mm_users === 0) return false;
  m.mm_users++;
  k.get(Count.mm_users, Obj.mm, mm, holderKind(h), holderIdx(h));
  return true;
}

/** get_task_mm: the task's mm with mm_users pinned, or -1 once the task has passed exit_mm. */
export function get_task_mm(k: Kernel, task: number, h: number): number {
  const mm = k.w.task[task].mm;
  if (!mm) return -1;
  mmget(k, mm.index, h);
  return mm.index;
}

/** atomic_inc(&mm->mm_count) (later mmgrab). */
export function mmgrab(k: Kernel, mm: number, h: number): void {
  const m = k.w.mm[mm];
  if (!k.live(Obj.mm, m.life, mm, S_MMGRAB)) return;
  m.mm_count++;
  k.get(Count.mm_count, Obj.mm, mm, holderKind(h), holderIdx(h));
}

/** mmdrop: 1→0 runs __mmdrop (never sleeps, so a plain function). */
export function mmdrop(k: Kernel, mm: number, h: number): void {
  const m = k.w.mm[mm];
  if (!k.live(Obj.mm, m.life, mm, S_MMDROP)) return;
  if (m.mm_count <= 0) {
    k.fail('refcount', Obj.mm, mm, S_MMDROP_NEG);
    return;
  }
  k.put(Count.mm_count, Obj.mm, mm, holderKind(h), holderIdx(h), S_MMDROP);
  m.mm_count--;
  k.note(`mmdrop(mm#${mm}): mm_count ${m.mm_count + 1}→${m.mm_count}`);
  if (m.mm_count === 0) __mmdrop(k, mm);
}

/** __mmdrop (kernel/fork.c, v4.5): free the PGD, destroy the notifier bookkeeping, free the mm. */
function __mmdrop(k: Kernel, mm: number): void {
  const m = k.w.mm[mm];
  k.note(`__mmdrop(mm#${mm})`);
  const pgd = m.pgd;
  if (pgd) {
    k.put(Count.page_owner, Obj.page, pgd.index, Obj.mm, mm, S_PGD_FREE);
    __free_page(k, pgd.index);
  }
  m.pgd = null;
  // mmu_notifier_mm_destroy: BUG_ON(!hlist_empty(&mm->mmu_notifier_mm->list)).
  if (m.notifiers !== 0) k.fail('refcount', Obj.mm, mm, S_MMDROP_NOTIFIERS);
  m.life = Life.freed;
}

/**
 * mmput(mm), on behalf of `holder`: 1→0 runs __mmput in the caller's context: exit_mmap, then the
 * mmdrop of the count all users held.
 */
export const mmput = defineRoutine({
  name: 'mmput',
  frame: { mm: obj('mm'), holder: special(W_HOLDER) },
  calls: () => [__mmput],
  steps: [
    function mmput(k, f) {
      const mm = f.mm.index;
      const m = k.w.mm[mm];
      if (!k.live(Obj.mm, m.life, mm, S_MMPUT)) return Ctl.RET;
      if (m.mm_users <= 0) {
        k.fail('refcount', Obj.mm, mm, S_MMPUT_NEG);
        return Ctl.RET;
      }
      k.put(Count.mm_users, Obj.mm, mm, holderKind(f.holder), holderIdx(f.holder), S_MMPUT);
      m.mm_users--;
      k.note(`mm#${mm} mm_users ${m.mm_users + 1}→${m.mm_users}`);
      if (m.mm_users > 0) return Ctl.RET;
      return k.call(__mmput, { mm: f.mm });
    },
    ownWordsOnly(function done() {
      return Ctl.RET;
    }),
  ],
});

/** __mmput (kernel/fork.c, v4.5): exit_aio, ..., exit_mmap, ..., mmdrop. */
export const __mmput = defineRoutine({
  name: '__mmput',
  frame: { mm: obj('mm') },
  calls: () => [exit_mmap],
  steps: [
    ownWordsOnly(function call_exit_mmap(k, f) {
      return k.call(exit_mmap, { mm: f.mm });
    }),
    function mmdrop_users_ref(k, f) {
      mmdrop(k, f.mm.index, holder(Obj.mm, f.mm.index));
      return Ctl.RET;
    },
  ],
});
