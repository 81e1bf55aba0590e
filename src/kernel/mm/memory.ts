/**
 * Page tables from the kernel's side (mm/memory.c, v4.5): populating them on a fault, clearing
 * PTEs (zap), and freeing the table pages (free_pgtables). The tables are real frames of the
 * modelled physical memory, so the IOMMU walks exactly what the kernel wrote.
 */
import {
  entryAt,
  entryFrame,
  entryPresent,
  leafEntryHi,
  leafEntryLo,
  PageKind,
  readEntry,
  tableEntryLo,
  tableIndex,
  userVa,
  writeEntry,
} from '../../arch/x86/pgtable.ts';
import { site } from '../../properties/violations.ts';
import { obj, ref, value } from '../../world/fields.ts';
import { Count, Life, Obj } from '../../world/objects.ts';
import { refList } from '../../world/refs.ts';
import { Ctl } from '../exec.ts';
import { defineRoutine, type Kernel } from '../kernel.ts';
import { __free_page, alloc_page } from './page_alloc.ts';

const S_WALK = [
  0,
  site('handle_mm_fault writes a PTE in a freed PTE page'),
  site('handle_mm_fault reads a PMD entry in a freed PMD page'),
  site('handle_mm_fault reads a PUD entry in a freed PUD page'),
  site('handle_mm_fault reads the PGD of a freed mm'),
];
const S_FAULT_MM = site('handle_mm_fault on a freed mm');

/** Reads or populates the entry for `va` in table frame `f` at `level`; returns the next frame. */
function walkAlloc(k: Kernel, mm: number, f: number, level: number, va: number): number {
  const p = k.w.page[f];
  if (!k.live(Obj.page, p.life, f, S_WALK[level])) return -1;
  const at = entryAt(k.w, f, level, tableIndex(va, level));
  const lo = readEntry(k.w, at);
  if (entryPresent(lo)) return entryFrame(lo);
  const next = alloc_page(k, level - 1, mm);
  if (next < 0) return -1;
  writeEntry(k.w, at, tableEntryLo(next), 0);
  k.get(Count.page_owner, Obj.page, next, Obj.page, f);
  return next;
}

/**
 * handle_mm_fault(mm, vma, address) for an anonymous page at user page `page` of `mm`. Two steps,
 * because a fault can be preempted between finding the PMD and filling the PTE; the PMD page it
 * found is kept in `pmd` (as the C keeps the pmd pointer) and used in the second step. Callers
 * check the PTE themselves if they need to.
 */
export const handle_mm_fault = defineRoutine({
  name: 'handle_mm_fault',
  frame: { mm: obj('mm'), page: value(), pmd: ref('page') },
  steps: [
    function pud_pmd_alloc(k, f) {
      const m = f.mm;
      const mm = m.index;
      if (!k.live(Obj.mm, m.life, mm, S_FAULT_MM)) return Ctl.RET;
      const va = userVa(f.page);
      if (!m.pgd) {
        k.fail('use-after-free', Obj.mm, mm, S_WALK[4]);
        return Ctl.RET;
      }
      const pud = walkAlloc(k, mm, m.pgd.index, 4, va);
      const pmd = pud < 0 ? -1 : walkAlloc(k, mm, pud, 3, va);
      if (pmd < 0) return Ctl.RET;
      f.pmd = k.w.page[pmd];
      return Ctl.PREEMPT;
    },
    function do_anonymous_page(k, f) {
      const mm = f.mm.index;
      const va = userVa(f.page);
      const pte = f.pmd ? walkAlloc(k, mm, f.pmd.index, 2, va) : -1;
      if (pte < 0) return Ctl.RET;
      const p = k.w.page[pte];
      if (!k.live(Obj.page, p.life, pte, S_WALK[1])) return Ctl.RET;
      const at = entryAt(k.w, pte, 1, tableIndex(va, 1));
      if (entryPresent(readEntry(k.w, at))) return Ctl.RET;
      const data = alloc_page(k, PageKind.data, mm);
      if (data < 0) return Ctl.RET;
      writeEntry(k.w, at, leafEntryLo(data), leafEntryHi);
      k.get(Count.page_owner, Obj.page, data, Obj.page, pte);
      k.note(`set_pte: mm#${mm} page ${f.page} → page#${data}`);
      return Ctl.RET;
    },
  ],
});

/** The frames of mm's tables on the path to user page `page` (-1 where absent). */
export function tablePath(k: Kernel, mm: number, page: number): { pud: number; pmd: number; pte: number } {
  const va = userVa(page);
  const down = (f: number, level: number): number => {
    if (f < 0 || k.w.page[f].life !== Life.live) return -1;
    const lo = readEntry(k.w, entryAt(k.w, f, level, tableIndex(va, level)));
    return entryPresent(lo) ? entryFrame(lo) : -1;
  };
  const pud = down(k.w.mm[mm].pgd?.index ?? -1, 4);
  const pmd = down(pud, 3);
  const pte = down(pmd, 2);
  return { pud, pmd, pte };
}

/**
 * zap_pte_range for user pages [first, first + n): clears the PTEs; the pages go to the mmu_gather
 * (their reference moves to the mm) and are freed by tlb_finish_mmu. Returns how many were cleared.
 */
export function zap_pte_range(k: Kernel, mm: number, first: number, n: number): number {
  let cleared = 0;
  for (let i = first; i < first + n; i++) {
    const { pte } = tablePath(k, mm, i);
    if (pte < 0) continue;
    const at = entryAt(k.w, pte, 1, tableIndex(userVa(i), 1));
    if (at < 0 || !entryPresent(readEntry(k.w, at))) continue;
    const data = entryFrame(readEntry(k.w, at));
    writeEntry(k.w, at, 0, 0);
    k.moveRef(Count.page_owner, Obj.page, data, [Obj.page, pte], [Obj.mm, mm]);
    cleared++;
  }
  return cleared;
}

/** tlb_finish_mmu: frees the pages gathered for mm. */
export function tlb_finish_mmu(k: Kernel, mm: number): void {
  for (const p of k.w.page) {
    if (p.life !== Life.live || p.kind !== PageKind.data || p.owner?.index !== mm) continue;
    if (!ownedBy(k, p.index, Obj.mm, mm)) continue;
    k.put(Count.page_owner, Obj.page, p.index, Obj.mm, mm, 0);
    __free_page(k, p.index);
  }
}

/** free_pgtables over the whole user range: frees PTE, PMD and PUD pages and clears the PGD entry. */
export function free_pgtables(k: Kernel, mm: number): void {
  const m = k.w.mm[mm];
  const pgd = m.pgd?.index ?? -1;
  const va = userVa(0);
  const at = entryAt(k.w, pgd, 4, tableIndex(va, 4));
  const { pud, pmd, pte } = tablePath(k, mm, 0);
  const chain: [number, number][] = [
    [pte, pmd],
    [pmd, pud],
    [pud, pgd],
  ];
  for (const [f, parent] of chain) {
    if (f < 0) continue;
    k.put(Count.page_owner, Obj.page, f, Obj.page, parent, 0);
    __free_page(k, f);
  }
  if (pud >= 0) {
    // pmd_free_tlb / pud_free_tlb clear the upper entries as the tables go.
    writeEntry(k.w, at, 0, 0);
  }
}

function ownedBy(k: Kernel, page: number, holderKind: number, holderIdx: number): boolean {
  const owner = refList(k.s, k.w.refsBase, k.w.dims.refs).find(
    (r) => r.count === Count.page_owner && r.targetKind === Obj.page && r.target === page,
  );
  return owner !== undefined && owner.holderKind === holderKind && owner.holder === holderIdx;
}
