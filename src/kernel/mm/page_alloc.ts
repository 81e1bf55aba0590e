/**
 * Physical pages: alloc_page / __free_page over the frame pool (mm/page_alloc.c, v4.5).
 * A freed frame is never handed out again (the model's quarantine), so any later touch of it, by
 * the CPU or by the IOMMU, is recognisably a use after free.
 */
import { pageKindName } from '../../arch/x86/pgtable.ts';
import { site } from '../../properties/violations.ts';
import { unusedSlot } from '../../world/layout.ts';
import { Life, Obj } from '../../world/objects.ts';
import type { Kernel } from '../kernel.ts';

const S_DOUBLE_FREE = site('__free_page of a page already freed');

/** Allocates a zeroed frame of `kind` for mm `owner`; returns the frame or -1 (pool exhausted). */
export function alloc_page(k: Kernel, kind: number, owner: number): number {
  // A frame belongs to its mm's task, mm `owner` (world/layout.ts).
  const p = unusedSlot(k.w.page, owner, k.w.dims.per.frames);
  if (p) {
    p.life = Life.live;
    p.kind = kind;
    p.owner = k.w.mm[owner];
    k.note(`alloc_page → page#${p.index} (${pageKindName[kind]} of mm#${owner})`);
    return p.index;
  }
  k.fail('capacity', Obj.page, 0, 0);
  return -1;
}

export function __free_page(k: Kernel, f: number): void {
  const p = k.w.page[f];
  if (!k.live(Obj.page, p.life, f, S_DOUBLE_FREE)) return;
  p.life = Life.freed;
  k.note(`free page#${f} (${pageKindName[p.kind]})`);
}
