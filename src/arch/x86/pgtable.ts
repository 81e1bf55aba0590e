/**
 * x86-64 4-level page tables in the modelled physical memory, shared by the kernel (which builds
 * and frees them) and the IOMMU (whose first-level translation walks the same tables).
 *
 * A page-table page has 512 64-bit entries; the model keeps only the entries that the scenario's
 * user addresses can use. All user pages of a process lie in one 2 MiB region at USER_BASE, so the
 * PGD, PUD and PMD pages each use one entry and the PTE page uses one entry per user page. An entry
 * is stored as two 32-bit words (bits 31:0, bits 63:32); an entry the model does not keep reads 0.
 */
import { PFN_BASE, type World } from '../../world/layout.ts';

/** User buffer: page i of a process is at USER_BASE + i * 4 KiB. */
export const USER_BASE = 0x7f5a_0000_0000;
/** Where a device's mmap() lands (another 2 MiB-aligned slot of the same PMD's range is not needed:
 * device mappings in the model are never populated, so no table entry is kept for them). */
export const MMAP_BASE = 0x7f5a_0010_0000;
export const PAGE_SHIFT = 12;

/** Page-table entry bits (arch/x86/include/asm/pgtable_types.h, v4.5). */
export const _PAGE_PRESENT = 0x001;
export const _PAGE_RW = 0x002;
export const _PAGE_USER = 0x004;
export const _PAGE_ACCESSED = 0x020;
export const _PAGE_DIRTY = 0x040;
/** _PAGE_TABLE: what pgd/pud/pmd_populate write for user page tables. */
export const _PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
/** _PAGE_NX is bit 63: bit 31 of the high word. */
export const _PAGE_NX_HI = 0x8000_0000 | 0;

/** Page kinds, by the level of table they are (or data). */
export const PageKind = { pgd: 4, pud: 3, pmd: 2, pte: 1, data: 5 } as const;
export const pageKindName: Record<number, string> = { 4: 'PGD', 3: 'PUD', 2: 'PMD', 1: 'PTE', 5: 'data' };

/** Table index of virtual address `va` at `level` (4 = PGD .. 1 = PTE). */
export function tableIndex(va: number, level: number): number {
  return Math.floor(va / 2 ** (PAGE_SHIFT + 9 * (level - 1))) % 512;
}

export const userVa = (page: number): number => USER_BASE + page * 4096;
export const pageOfVa = (va: number): number => Math.floor((va - USER_BASE) / 4096);

/** Physical address of frame f, and the frame of a physical address. */
export const framePhys = (f: number): number => (PFN_BASE + f) * 4096;
export const physFrame = (phys: number): number => Math.floor(phys / 4096) - PFN_BASE;

/**
 * Which stored slot of a level-`level` table holds entry `index`, or -1 if the model keeps no
 * such entry (it then reads as not present).
 */
export function entrySlot(level: number, index: number, upages: number): number {
  if (level === 1) {
    const first = tableIndex(USER_BASE, 1);
    return index >= first && index < first + upages ? index - first : -1;
  }
  return index === tableIndex(USER_BASE, level) ? 0 : -1;
}

/** Word offset of entry `index` of the table in frame `f` (or -1, not kept). */
export function entryAt(w: World, f: number, level: number, index: number): number {
  const slot = entrySlot(level, index, w.dims.upages);
  return slot < 0 ? -1 : w.page[f].base + w.page[f].def.headWords + 2 * slot;
}

/** The low word of the entry at `at` (entryAt): present bit, flags and frame. */
export const readEntry = (w: World, at: number): number => w.s[at];

/** Writes the entry at `at` (entryAt): bits 31:0 and 63:32. */
export function writeEntry(w: World, at: number, lo: number, hi: number): void {
  w.s[at] = lo;
  w.s[at + 1] = hi;
}

/** A non-leaf entry pointing at frame f. */
export const tableEntryLo = (f: number): number => framePhys(f) | _PAGE_TABLE;
/** A leaf entry for a writable, non-executable user data page in frame f. */
export const leafEntryLo = (f: number): number => framePhys(f) | _PAGE_TABLE;
export const leafEntryHi = _PAGE_NX_HI;

export const entryPresent = (lo: number): boolean => (lo & _PAGE_PRESENT) !== 0;
/** The frame an entry points at (addresses stay below 4 GiB in the model, so bits 51:32 are 0). */
export const entryFrame = (lo: number): number => physFrame(lo >>> 0) & ~0;
