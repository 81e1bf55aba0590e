/**
 * The VT-d 2.x "extended mode" entries and descriptors the 2016 Intel SVM driver wrote, and the
 * x86-64 page-table entry the IOMMU walks as its first-level table.
 *
 * Sources, checked field by field (see layouts.test.ts, which rebuilds every descriptor from the
 * kernel's macros):
 * - include/linux/intel-iommu.h, v4.5. The exact v4.5 text was not at hand; the QI_* macros were
 *   read in the v4.4.y stable tree and in a v4.11-era tree, which agree on every macro used here
 *   (4.4.y also carries the later PFSID backport, ignored), so v4.5, between them, has the same.
 * - drivers/iommu/intel-svm.c, v4.4.y stable: the PASID-entry writes in intel_svm_bind_mm, the
 *   descriptors of intel_flush_pasid_dev, intel_flush_svm_range_dev and prq_event_thread, and
 *   `struct page_req_dsc`.
 * - drivers/iommu/dmar.c of the same era: qi_submit_sync (wait descriptor), qi_flush_iotlb and
 *   qi_flush_dev_iotlb (the legacy, non-PASID descriptors).
 * - arch/x86/include/asm/pgtable_types.h, v4.5 (_PAGE_BIT_*).
 *
 * Field names are the suffixes of the kernel macros that fill them (QI_EIOTLB_DID -> DID), or the
 * upper-cased members of the kernel struct (page_req_dsc.lpig -> LPIG), so the C and the model
 * can be read side by side. Where the kernel has no name, the VT-d specification's is used.
 * An address field holds a page number: the byte address shifted right by 12 (VTD_PAGE_SHIFT),
 * as `page_req_dsc.addr` does; the kernel's QI_*_ADDR(addr) macros mask the byte address instead,
 * which puts the same bits in the same place.
 */

import { defineLayout, type Layout, type Words } from './layout.ts';

/** VTD_PAGE_SHIFT: VT-d pages are 4 KiB whatever the CPU's page size. */
export const VTD_PAGE_SHIFT = 12;

// --- Tables ---------------------------------------------------------------------------------

/**
 * `struct pasid_entry { u64 val; }` of intel-svm.c (extended-mode PASID-table entry, one per
 * PASID, in a flat table shared by every device of the IOMMU). intel_svm_bind_mm writes
 * `__pa(mm->pgd) | 1` for a user mm and `__pa(init_mm.pgd) | 1 | (1ULL << 11)` for
 * SVM_FLAG_SUPERVISOR_MODE; intel_mm_release writes 0. No other bit is ever set.
 */
export const PASID_ENTRY = defineLayout({
  name: 'pasid_entry',
  quadwords: 1,
  doc: 'Extended-mode PASID-table entry (VT-d 2.x)',
  fields: [
    { name: 'P', qw: 0, lo: 0, hi: 0, doc: 'Present; the `| 1` of intel_svm_bind_mm' },
    {
      name: 'SRE',
      qw: 0,
      lo: 11,
      hi: 11,
      doc: 'Supervisor Requests Enable; the `1ULL << 11` written for SVM_FLAG_SUPERVISOR_MODE',
    },
    {
      name: 'FLPTPTR',
      qw: 0,
      lo: 12,
      hi: 63,
      doc: 'First-level page-table pointer: page number of the PGD (__pa(mm->pgd) >> 12)',
    },
  ],
});

/**
 * x86-64 page-table entry at any of the four levels (PGD, PUD, PMD, PTE), as the CPU and the
 * IOMMU's first-level walk read it. Bit numbers are _PAGE_BIT_* of pgtable_types.h, v4.5.
 * ADDR is the architectural 51:12; the v4.5 kernel's PTE_PFN_MASK covers only 45:12
 * (__PHYSICAL_MASK_SHIFT 46), so the kernel never sets 51:46. Bits 11:9 and 62:52 are left to
 * software (the kernel keeps _PAGE_SPECIAL, _PAGE_SOFT_DIRTY there) and are not declared.
 */
export const PTE = defineLayout({
  name: 'pte',
  quadwords: 1,
  doc: 'x86-64 4-level paging entry',
  fields: [
    { name: 'P', qw: 0, lo: 0, hi: 0, doc: 'Present (_PAGE_BIT_PRESENT)' },
    { name: 'RW', qw: 0, lo: 1, hi: 1, doc: 'Writable (_PAGE_BIT_RW)' },
    { name: 'US', qw: 0, lo: 2, hi: 2, doc: 'User-accessible (_PAGE_BIT_USER)' },
    { name: 'PWT', qw: 0, lo: 3, hi: 3, doc: 'Write-through (_PAGE_BIT_PWT)' },
    { name: 'PCD', qw: 0, lo: 4, hi: 4, doc: 'Cache disable (_PAGE_BIT_PCD)' },
    { name: 'A', qw: 0, lo: 5, hi: 5, doc: 'Accessed, set by the walker (_PAGE_BIT_ACCESSED)' },
    { name: 'D', qw: 0, lo: 6, hi: 6, doc: 'Dirty, set by a write (_PAGE_BIT_DIRTY)' },
    {
      name: 'PS',
      qw: 0,
      lo: 7,
      hi: 7,
      doc: 'Page size: a leaf above the last level (_PAGE_BIT_PSE; PAT on a 4 KiB PTE)',
    },
    { name: 'G', qw: 0, lo: 8, hi: 8, doc: 'Global (_PAGE_BIT_GLOBAL)' },
    {
      name: 'ADDR',
      qw: 0,
      lo: 12,
      hi: 51,
      doc: 'Page number of the next table or of the page (pte_pfn)',
    },
    { name: 'XD', qw: 0, lo: 63, hi: 63, doc: 'Execute disable (_PAGE_BIT_NX)' },
  ],
});

// --- Invalidation-queue descriptors (128 bits: `struct qi_desc { u64 low, high; }`) ----------

/** Descriptor types, bits 3:0 of QW0 (QI_*_TYPE of intel-iommu.h, v4.5). */
export const QI_TYPE = {
  CC: 0x1,
  IOTLB: 0x2,
  DIOTLB: 0x3,
  IEC: 0x4,
  IWD: 0x5,
  EIOTLB: 0x6,
  PC: 0x7,
  DEIOTLB: 0x8,
  PGRP_RESP: 0x9,
  PSTRM_RESP: 0xa,
} as const;

/** Granularity of extended IOTLB invalidation, QI_EIOTLB_GRAN (QI_GRAN_* of v4.5). */
export const QI_GRAN = {
  /** All PASIDs, global mappings included (used by the v4.5 driver for supervisor PASIDs). */
  ALL_ALL: 0,
  /** All PASIDs of the domain, global mappings excluded. */
  NONG_ALL: 1,
  /** One PASID, global mappings excluded. */
  NONG_PASID: 2,
  /** Page-selective within one PASID (ADDR, AM). */
  PSI_PASID: 3,
} as const;
export type QiGran = (typeof QI_GRAN)[keyof typeof QI_GRAN];

/** Granularity of PASID-cache invalidation, QI_PC_GRAN (QI_PC_ALL_PASIDS, QI_PC_PASID_SEL of v4.5). */
export const QI_PC_GRANULARITY = {
  ALL_PASIDS: 0,
  PASID_SEL: 1,
} as const;
export type QiPcGranularity = (typeof QI_PC_GRANULARITY)[keyof typeof QI_PC_GRANULARITY];

/**
 * Granularity of the legacy IOTLB descriptor: DMA_TLB_{GLOBAL,DSI,PSI}_FLUSH of v4.5 are these
 * values at bit 60 of the IOTLB register, and QI_IOTLB_GRAN moves them to bits 5:4.
 */
export const DMA_TLB_FLUSH = {
  GLOBAL: 1,
  DSI: 2,
  PSI: 3,
} as const;
export type DmaTlbFlush = (typeof DMA_TLB_FLUSH)[keyof typeof DMA_TLB_FLUSH];

/** Page request response codes, QI_RESP_* of v4.5 (the `result` prq_event_thread sends back). */
export const QI_RESP = {
  SUCCESS: 0x0,
  /** Invalid Request: this request fails, the device may keep sending page requests. */
  INVALID: 0x1,
  /** Response Failure: the device stops issuing page requests for all its PASIDs. */
  FAILURE: 0xf,
} as const;
export type QiResp = (typeof QI_RESP)[keyof typeof QI_RESP];

/**
 * Software status of a queue slot (the anonymous enum QI_FREE .. QI_ABORT of v4.5). qi_submit_sync
 * has the wait descriptor write QI_DONE into the slot's status word.
 */
export const QI_STATUS = {
  FREE: 0,
  IN_USE: 1,
  DONE: 2,
  ABORT: 3,
} as const;

/**
 * ATS invalidate queue depth at or above which the descriptor carries 0 ("no limit"):
 * QI_DEV_EIOTLB_MAX_INVS / QI_DEV_IOTLB_MAX_INVS of v4.5. The QDEP fields are 5 bits wide.
 */
export const QI_DEV_EIOTLB_MAX_INVS = 32;

const TYPE_DOC = 'Descriptor type (QI_*_TYPE)';

/**
 * 0x5 Invalidation wait. qi_submit_sync (dmar.c) follows every descriptor with one:
 * `QI_IWD_STATUS_DATA(QI_DONE) | QI_IWD_STATUS_WRITE | QI_IWD_TYPE`, QW1 = physical address of
 * the slot's status word, then spins until that word reads QI_DONE.
 */
export const QI_IWD = defineLayout({
  name: 'QI_IWD',
  quadwords: 2,
  doc: 'Invalidation wait descriptor',
  fields: [
    { name: 'TYPE', qw: 0, lo: 0, hi: 3, fixed: QI_TYPE.IWD, doc: TYPE_DOC },
    { name: 'IF', qw: 0, lo: 4, hi: 4, doc: 'Interrupt flag (spec IF; not used by v4.5)' },
    {
      name: 'STATUS_WRITE',
      qw: 0,
      lo: 5,
      hi: 5,
      doc: 'Write STATUS_DATA to STATUS_ADDR on completion (QI_IWD_STATUS_WRITE; spec SW)',
    },
    {
      name: 'FN',
      qw: 0,
      lo: 6,
      hi: 6,
      doc: 'Fence: later descriptors wait for this one (spec FN; QI_IWD_FENCE only from v5.x)',
    },
    {
      name: 'PD',
      qw: 0,
      lo: 7,
      hi: 7,
      doc: 'Page-request drain (spec PD; QI_IWD_PRQ_DRAIN only from v5.x, never set in 2016)',
    },
    { name: 'STATUS_DATA', qw: 0, lo: 32, hi: 63, doc: 'Value written on completion (QI_IWD_STATUS_DATA)' },
    {
      name: 'STATUS_ADDR',
      qw: 1,
      lo: 2,
      hi: 63,
      doc: 'Status address >> 2 (the kernel writes the 4-byte-aligned physical address as is)',
    },
  ],
});

/** 0x2 IOTLB invalidate (legacy, domain/second-level), as qi_flush_iotlb of dmar.c writes it. */
export const QI_IOTLB = defineLayout({
  name: 'QI_IOTLB',
  quadwords: 2,
  doc: 'IOTLB invalidate descriptor (requests without PASID)',
  fields: [
    { name: 'TYPE', qw: 0, lo: 0, hi: 3, fixed: QI_TYPE.IOTLB, doc: TYPE_DOC },
    { name: 'GRAN', qw: 0, lo: 4, hi: 5, doc: 'Granularity, DMA_TLB_FLUSH.* (QI_IOTLB_GRAN)' },
    { name: 'DW', qw: 0, lo: 6, hi: 6, doc: 'Drain writes (QI_IOTLB_DW)' },
    { name: 'DR', qw: 0, lo: 7, hi: 7, doc: 'Drain reads (QI_IOTLB_DR)' },
    { name: 'DID', qw: 0, lo: 16, hi: 31, doc: 'Domain id (QI_IOTLB_DID)' },
    { name: 'AM', qw: 1, lo: 0, hi: 5, doc: 'Address mask: 2^AM pages (QI_IOTLB_AM)' },
    { name: 'IH', qw: 1, lo: 6, hi: 6, doc: 'Invalidation hint: leaf entries only (QI_IOTLB_IH)' },
    { name: 'ADDR', qw: 1, lo: 12, hi: 63, doc: 'Page number (QI_IOTLB_ADDR)' },
  ],
});

/** 0x3 Device-TLB invalidate (legacy, no PASID), as qi_flush_dev_iotlb of dmar.c writes it. */
export const QI_DIOTLB = defineLayout({
  name: 'QI_DIOTLB',
  quadwords: 2,
  doc: 'Device-TLB invalidate descriptor (ATS, without PASID)',
  fields: [
    { name: 'TYPE', qw: 0, lo: 0, hi: 3, fixed: QI_TYPE.DIOTLB, doc: TYPE_DOC },
    {
      name: 'QDEP',
      qw: 0,
      lo: 16,
      hi: 20,
      doc: 'Max invalidations pending, 0 if >= QI_DEV_IOTLB_MAX_INVS (QI_DEV_IOTLB_QDEP)',
    },
    { name: 'SID', qw: 0, lo: 32, hi: 47, doc: 'Source id, bus << 8 | devfn (QI_DEV_IOTLB_SID)' },
    {
      name: 'SIZE',
      qw: 1,
      lo: 0,
      hi: 0,
      doc: 'Range size in the lowest zero bit of ADDR (QI_DEV_IOTLB_SIZE; spec S)',
    },
    { name: 'ADDR', qw: 1, lo: 12, hi: 63, doc: 'Page number (QI_DEV_IOTLB_ADDR)' },
  ],
});

/**
 * 0x6 Extended IOTLB invalidate (PASID-based), as intel_flush_svm_range_dev writes it: GRAN
 * NONG_PASID (or ALL_ALL for a supervisor PASID) with QW1 zero for the whole PASID, else
 * PSI_PASID with ADDR, AM = addressMaskForPages(pages), IH, GL.
 */
export const QI_EIOTLB = defineLayout({
  name: 'QI_EIOTLB',
  quadwords: 2,
  doc: 'Extended IOTLB invalidate descriptor',
  fields: [
    { name: 'TYPE', qw: 0, lo: 0, hi: 3, fixed: QI_TYPE.EIOTLB, doc: TYPE_DOC },
    { name: 'GRAN', qw: 0, lo: 4, hi: 5, doc: 'Granularity, QI_GRAN_* (QI_EIOTLB_GRAN)' },
    { name: 'DID', qw: 0, lo: 16, hi: 31, doc: 'Domain id (QI_EIOTLB_DID)' },
    { name: 'PASID', qw: 0, lo: 32, hi: 51, doc: 'PASID (QI_EIOTLB_PASID)' },
    { name: 'AM', qw: 1, lo: 0, hi: 5, doc: 'Address mask: 2^AM pages (QI_EIOTLB_AM)' },
    { name: 'IH', qw: 1, lo: 6, hi: 6, doc: 'Invalidation hint: leaf entries only (QI_EIOTLB_IH)' },
    { name: 'GL', qw: 1, lo: 7, hi: 7, doc: 'Global mappings too (QI_EIOTLB_GL)' },
    { name: 'ADDR', qw: 1, lo: 12, hi: 63, doc: 'Page number (QI_EIOTLB_ADDR)' },
  ],
});

/**
 * 0x7 PASID-cache invalidate, as intel_flush_pasid_dev writes it:
 * `QI_PC_TYPE | QI_PC_DID(did) | QI_PC_PASID_SEL | QI_PC_PASID(pasid)`, QW1 zero.
 */
export const QI_PC = defineLayout({
  name: 'QI_PC',
  quadwords: 2,
  doc: 'PASID-cache invalidate descriptor',
  fields: [
    { name: 'TYPE', qw: 0, lo: 0, hi: 3, fixed: QI_TYPE.PC, doc: TYPE_DOC },
    { name: 'GRAN', qw: 0, lo: 4, hi: 5, doc: 'Granularity, QI_PC_GRANULARITY.* (QI_PC_GRAN)' },
    { name: 'DID', qw: 0, lo: 16, hi: 31, doc: 'Domain id (QI_PC_DID)' },
    { name: 'PASID', qw: 0, lo: 32, hi: 51, doc: 'PASID (QI_PC_PASID)' },
  ],
});

/**
 * 0x8 Extended device-TLB invalidate, as intel_flush_svm_range_dev writes it. The v4.5 header
 * has no PFSID (added to the kernel in 2018, at QW0 15:12 and 63:52); QI_DEV_EIOTLB_GLOB exists
 * but the 2016 driver never sets it.
 */
export const QI_DEIOTLB = defineLayout({
  name: 'QI_DEIOTLB',
  quadwords: 2,
  doc: 'Extended device-TLB invalidate descriptor (ATS, with PASID)',
  fields: [
    { name: 'TYPE', qw: 0, lo: 0, hi: 3, fixed: QI_TYPE.DEIOTLB, doc: TYPE_DOC },
    {
      name: 'QDEP',
      qw: 0,
      lo: 4,
      hi: 8,
      doc: 'Max invalidations pending (QI_DEV_EIOTLB_QDEP, which masks with 0x1f)',
    },
    { name: 'SID', qw: 0, lo: 16, hi: 31, doc: 'Source id, bus << 8 | devfn (QI_DEV_EIOTLB_SID)' },
    { name: 'PASID', qw: 0, lo: 32, hi: 51, doc: 'PASID (QI_DEV_EIOTLB_PASID)' },
    { name: 'GLOB', qw: 1, lo: 0, hi: 0, doc: 'Global mappings too (QI_DEV_EIOTLB_GLOB; spec G)' },
    {
      name: 'SIZE',
      qw: 1,
      lo: 11,
      hi: 11,
      doc: 'Range size in the lowest zero bit of ADDR (QI_DEV_EIOTLB_SIZE; spec S)',
    },
    { name: 'ADDR', qw: 1, lo: 12, hi: 63, doc: 'Page number (QI_DEV_EIOTLB_ADDR)' },
  ],
});

/**
 * 0x9 Page group response, as prq_event_thread writes it for a request with LPIG set:
 * `QI_PGRP_PASID(pasid) | QI_PGRP_DID(bus << 8 | devfn) | QI_PGRP_PASID_P(pasid_present) |
 * QI_PGRP_RESP_TYPE`, and `QI_PGRP_IDX(prg_index) | QI_PGRP_PRIV(private) | QI_PGRP_RESP_CODE(result)`.
 */
export const QI_PGRP_RESP = defineLayout({
  name: 'QI_PGRP_RESP',
  quadwords: 2,
  doc: 'Page group response descriptor',
  fields: [
    { name: 'TYPE', qw: 0, lo: 0, hi: 3, fixed: QI_TYPE.PGRP_RESP, doc: TYPE_DOC },
    { name: 'PASID_P', qw: 0, lo: 4, hi: 4, doc: 'PASID present (QI_PGRP_PASID_P)' },
    {
      name: 'DID',
      qw: 0,
      lo: 16,
      hi: 31,
      doc: 'Requester id, bus << 8 | devfn, of the device to answer (QI_PGRP_DID: not a domain id)',
    },
    { name: 'PASID', qw: 0, lo: 32, hi: 51, doc: 'PASID (QI_PGRP_PASID)' },
    { name: 'RESP_CODE', qw: 1, lo: 0, hi: 3, doc: 'Response code, QI_RESP_* (QI_PGRP_RESP_CODE)' },
    { name: 'PRIV', qw: 1, lo: 32, hi: 54, doc: 'Private data echoed from the request (QI_PGRP_PRIV)' },
    { name: 'IDX', qw: 1, lo: 55, hi: 63, doc: 'Page request group index (QI_PGRP_IDX)' },
  ],
});

/**
 * 0xA Page stream response, as prq_event_thread writes it for a request with SRR set and LPIG
 * clear. Its fields mirror the page request's own: no PASID-present bit, the requester split into
 * BUS (QW0) and DEVFN (QW1), and the page address echoed back.
 */
export const QI_PSTRM_RESP = defineLayout({
  name: 'QI_PSTRM_RESP',
  quadwords: 2,
  doc: 'Page stream response descriptor',
  fields: [
    { name: 'TYPE', qw: 0, lo: 0, hi: 3, fixed: QI_TYPE.PSTRM_RESP, doc: TYPE_DOC },
    { name: 'PASID', qw: 0, lo: 4, hi: 23, doc: 'PASID (QI_PSTRM_PASID)' },
    { name: 'BUS', qw: 0, lo: 24, hi: 31, doc: 'Requester bus (QI_PSTRM_BUS)' },
    { name: 'PRIV', qw: 0, lo: 32, hi: 54, doc: 'Private data echoed from the request (QI_PSTRM_PRIV)' },
    { name: 'IDX', qw: 0, lo: 55, hi: 63, doc: 'Page request group index (QI_PSTRM_IDX)' },
    { name: 'RESP_CODE', qw: 1, lo: 0, hi: 3, doc: 'Response code, QI_RESP_* (QI_PSTRM_RESP_CODE)' },
    { name: 'DEVFN', qw: 1, lo: 4, hi: 11, doc: 'Requester devfn (QI_PSTRM_DEVFN)' },
    { name: 'ADDR', qw: 1, lo: 12, hi: 63, doc: 'Page number of the request (QI_PSTRM_ADDR)' },
  ],
});

/** Every invalidation-queue descriptor layout declared here, by type. */
const QI_LAYOUTS: ReadonlyMap<number, Layout<string>> = new Map<number, Layout<string>>([
  [QI_TYPE.IOTLB, QI_IOTLB],
  [QI_TYPE.DIOTLB, QI_DIOTLB],
  [QI_TYPE.IWD, QI_IWD],
  [QI_TYPE.EIOTLB, QI_EIOTLB],
  [QI_TYPE.PC, QI_PC],
  [QI_TYPE.DEIOTLB, QI_DEIOTLB],
  [QI_TYPE.PGRP_RESP, QI_PGRP_RESP],
  [QI_TYPE.PSTRM_RESP, QI_PSTRM_RESP],
]);

/** The type (QW0 bits 3:0) of the descriptor at `words[offset]`. */
export function qiType(words: Words, offset: number): number {
  return words[offset] & 0xf;
}

/** The layout of an invalidation-queue descriptor type, or undefined for a type not modelled. */
export function qiLayout(type: number): Layout<string> | undefined {
  return QI_LAYOUTS.get(type);
}

/** One line describing the descriptor at `words[offset]`, for traces. */
export function formatQi(words: Words, offset: number): string {
  const type = qiType(words, offset);
  const layout = qiLayout(type);
  if (layout === undefined) {
    const lo = (words[offset] >>> 0).toString(16).padStart(8, '0');
    return `QI descriptor of unmodelled type 0x${type.toString(16)} (low word 0x${lo})`;
  }
  return layout.format(layout.decode(words, offset));
}

// --- Page request queue ------------------------------------------------------------------------

/**
 * `struct page_req_dsc` of intel-svm.c, v4.4: a 16-byte page request the hardware appends to the
 * page request queue. The struct declares u64 bitfields, which GCC on x86-64 packs from bit 0 of
 * each quadword in declaration order; these positions are that packing.
 */
export const PAGE_REQ_DSC = defineLayout({
  name: 'page_req_dsc',
  quadwords: 2,
  doc: 'Page request descriptor (VT-d 2.x, 128 bits)',
  fields: [
    {
      name: 'SRR',
      qw: 0,
      lo: 0,
      hi: 0,
      doc: 'Stream response requested: answer with a page stream response (srr)',
    },
    { name: 'BOF', qw: 0, lo: 1, hi: 1, doc: 'Blocked on fault (bof)' },
    { name: 'PASID_PRESENT', qw: 0, lo: 2, hi: 2, doc: 'The request carries a PASID (pasid_present)' },
    {
      name: 'LPIG',
      qw: 0,
      lo: 3,
      hi: 3,
      doc: 'Last page in group: answer with a page group response (lpig)',
    },
    { name: 'PASID', qw: 0, lo: 4, hi: 23, doc: 'PASID (pasid)' },
    { name: 'BUS', qw: 0, lo: 24, hi: 31, doc: 'Requester bus (bus)' },
    { name: 'PRIVATE', qw: 0, lo: 32, hi: 54, doc: 'Private data, echoed in the response (private)' },
    { name: 'PRG_INDEX', qw: 0, lo: 55, hi: 63, doc: 'Page request group index (prg_index)' },
    { name: 'RD_REQ', qw: 1, lo: 0, hi: 0, doc: 'Read access requested (rd_req)' },
    { name: 'WR_REQ', qw: 1, lo: 1, hi: 1, doc: 'Write access requested (wr_req)' },
    { name: 'EXE_REQ', qw: 1, lo: 2, hi: 2, doc: 'Execute access requested (exe_req)' },
    { name: 'PRIV_REQ', qw: 1, lo: 3, hi: 3, doc: 'Privileged (supervisor) access requested (priv_req)' },
    { name: 'DEVFN', qw: 1, lo: 4, hi: 11, doc: 'Requester devfn (devfn)' },
    {
      name: 'ADDR',
      qw: 1,
      lo: 12,
      hi: 63,
      doc: 'Page number of the faulting address; the kernel shifts it left by VTD_PAGE_SHIFT (addr)',
    },
  ],
});

/**
 * PRQ_RING_MASK of intel-svm.c, v4.4, with PRQ_ORDER 0: head and tail are byte offsets into a
 * one-page ring of 16-byte descriptors.
 */
export const PRQ_RING_MASK = 0x1000 - 0x10;

// --- Registers ---------------------------------------------------------------------------------

/** Register offsets the v4.5 driver uses (DMAR_*_REG of intel-iommu.h, v4.5). */
export const DMAR = {
  GCMD_REG: 0x18,
  GSTS_REG: 0x1c,
  FSTS_REG: 0x34,
  /** Invalidation queue head: byte offset of the next descriptor hardware will fetch. */
  IQH_REG: 0x80,
  /** Invalidation queue tail: software writes `free_head << DMAR_IQ_SHIFT` to submit. */
  IQT_REG: 0x88,
  IQA_REG: 0x90,
  ICS_REG: 0x9c,
  /** Page request queue head, written by software (prq_event_thread). */
  PQH_REG: 0xc0,
  /** Page request queue tail, written by hardware. */
  PQT_REG: 0xc8,
  PQA_REG: 0xd0,
  PRS_REG: 0xdc,
  PECTL_REG: 0xe0,
  PEDATA_REG: 0xe4,
  PEADDR_REG: 0xe8,
  PEUADDR_REG: 0xec,
} as const;

/** DMAR_IQ_SHIFT: IQH/IQT hold descriptor index << 4 (16-byte descriptors). */
export const DMAR_IQ_SHIFT = 4;

/**
 * Page request status register bits. DMA_PRS_PPR is in v4.5 (prq_event_thread writes it to
 * clear PPR before reading head and tail); PRO has no v4.5 name (DMA_PRS_PRO, bit 1, came later).
 */
export const DMA_PRS = {
  /** Pending page request: set by hardware when it queues a request, cleared by writing 1. */
  PPR: 1 << 0,
  /** Page request overflow: the queue was full and a request was dropped. */
  PRO: 1 << 1,
} as const;

/**
 * Event control register bits (DMA_FECTL_IM of v4.5; the page request event control register has
 * the fault event control register's layout: VT-d §10.4). IM is set at reset; v4.5's
 * `dmar_msi_unmask` writes 0 to PECTL, `dmar_msi_mask` writes IM. IP is read-only.
 */
export const DMA_PECTL = {
  /** Interrupt mask: hardware sends no interrupt message while set. */
  IM: 1 << 31,
  /** Interrupt pending: an interrupt condition is held pending (masked). */
  IP: 1 << 30,
} as const;

/** Fault status register bits the invalidation queue reports (DMA_FSTS_* of v4.5). */
export const DMA_FSTS = {
  /** Invalidation queue error. */
  IQE: 1 << 4,
  /** Invalidation completion error. */
  ICE: 1 << 5,
  /** Invalidation time-out error (a device-TLB invalidation that never completed). */
  ITE: 1 << 6,
} as const;

// --- Ranges ------------------------------------------------------------------------------------

/**
 * The address mask AM for a page-selective invalidation of `pages` pages:
 * `ilog2(__roundup_pow_of_two(pages))`, as intel_flush_svm_range_dev (v4.5) computes it. The
 * hardware then invalidates the 2^AM pages of the naturally aligned block holding ADDR (see
 * decodeIotlbRange); v4.5 does not align ADDR first, so a range that straddles a block boundary
 * is only partly covered.
 */
export function addressMaskForPages(pages: number): number {
  if (!Number.isInteger(pages) || pages < 1 || pages > 2 ** 52) {
    throw new Error(`addressMaskForPages: ${pages} is not a page count from 1 to 2^52`);
  }
  let am = 0;
  while (2 ** am < pages) am++;
  return am;
}

/** The pages a page-selective IOTLB invalidation with ADDR and AM covers: ADDR's low AM bits ignored. */
export function decodeIotlbRange(addr: number, am: number): { pfn: number; pages: number } {
  const pages = 2 ** am;
  return { pfn: Math.floor(addr / pages) * pages, pages };
}

/** ADDR of the extended device-TLB descriptor for "every address": QI_DEV_EIOTLB_ADDR(-1ULL >> 1). */
export const DEV_TLB_ALL_ADDR = 2 ** 51 - 1;

/**
 * ADDR and SIZE of a device-TLB invalidation of `pages` pages from page number `pfn`, as
 * intel_flush_svm_range_dev (v4.5) encodes them; `pages === -1` means every address.
 * With SIZE = 1 the range is given by the lowest zero bit of the address: bit k + 12 clear and
 * every bit below it set means 2^(k+1) pages, aligned. The kernel takes the highest bit in which
 * the first and last page differ, clears it and sets every bit below, so the encoded range is the
 * smallest aligned block holding both (it may be larger than asked, never smaller).
 */
export function encodeDevTlbRange(pfn: number, pages: number): { ADDR: number; SIZE: 0 | 1 } {
  if (pages === -1) return { ADDR: DEV_TLB_ALL_ADDR, SIZE: 1 };
  if (!Number.isInteger(pfn) || pfn < 0 || !Number.isInteger(pages) || pages < 1 || pfn + pages > 2 ** 52) {
    throw new Error(`encodeDevTlbRange: ${pages} pages from page ${pfn} is not a range of 64-bit addresses`);
  }
  if (pages === 1) return { ADDR: pfn, SIZE: 0 };
  const last = pfn + pages - 1;
  // k: one above the highest bit in which pfn and last differ (bit operators are 32-bit only).
  let k = 1;
  while (Math.floor(pfn / 2 ** k) !== Math.floor(last / 2 ** k)) k++;
  return { ADDR: Math.floor(pfn / 2 ** k) * 2 ** k + 2 ** (k - 1) - 1, SIZE: 1 };
}

/**
 * The pages a device-TLB invalidation with ADDR and SIZE covers (both the extended and the legacy
 * descriptor). With SIZE = 1 and no zero bit in the address below bit 63, every address.
 */
export function decodeDevTlbRange(addr: number, size: number): { pfn: number; pages: number } {
  if (size === 0) return { pfn: addr, pages: 1 };
  let k = 0;
  while (k < 52 && Math.floor(addr / 2 ** k) % 2 === 1) k++;
  if (k >= 51) return { pfn: 0, pages: 2 ** 52 };
  const pages = 2 ** (k + 1);
  return { pfn: Math.floor(addr / pages) * pages, pages };
}

// --- Capability registers ------------------------------------------------------------------

/**
 * DMAR_CAP_REG, the fields intel-svm.c and intel-iommu.c read in v4.5 (cap_* macros of
 * intel-iommu.h): caching mode decides whether PASID 0 may be used (`idr_alloc(..,
 * !!cap_caching_mode(iommu->cap), ..)`).
 */
export const DMAR_CAP = defineLayout({
  name: 'DMAR_CAP_REG',
  quadwords: 1,
  doc: 'Capability register (the fields the SVM code reads)',
  fields: [
    {
      name: 'CM',
      qw: 0,
      lo: 7,
      hi: 7,
      doc: 'Caching mode: not-present entries may be cached (cap_caching_mode)',
    },
  ],
});

/**
 * DMAR_ECAP_REG, the fields the 2016 SVM code reads (ecap_* macros of intel-iommu.h, v4.5).
 */
export const DMAR_ECAP = defineLayout({
  name: 'DMAR_ECAP_REG',
  quadwords: 1,
  doc: 'Extended capability register (the fields the SVM code reads)',
  fields: [
    { name: 'QI', qw: 0, lo: 1, hi: 1, doc: 'Queued invalidation (ecap_qis)' },
    { name: 'DT', qw: 0, lo: 2, hi: 2, doc: 'Device-TLB (ATS) support (ecap_dev_iotlb_support)' },
    { name: 'ECS', qw: 0, lo: 24, hi: 24, doc: 'Extended context support (ecap_ecs)' },
    { name: 'DIS', qw: 0, lo: 27, hi: 27, doc: 'Deferred invalidate support (ecap_dis)' },
    { name: 'PRS', qw: 0, lo: 29, hi: 29, doc: 'Page request support (ecap_prs)' },
    { name: 'SRS', qw: 0, lo: 31, hi: 31, doc: 'Supervisor request support (ecap_srs)' },
    { name: 'PSS', qw: 0, lo: 35, hi: 39, doc: 'PASID size supported, minus one, in bits (ecap_pss)' },
    { name: 'PASID', qw: 0, lo: 40, hi: 40, doc: 'PASID support (ecap_pasid)' },
  ],
});
