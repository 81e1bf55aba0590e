/**
 * What intel-svm's MMU-notifier callbacks put in their invalidation descriptors (intel-svm.c,
 * v4.5; the 4.4.y copy of docs/fidelity.md): `intel_change_pte`, `intel_invalidate_page` and
 * `intel_invalidate_range` call `intel_flush_svm_range`, and `intel_mm_release` calls
 * `intel_flush_svm_range_dev` for the whole address space; each computes a page count, an
 * address mask, a granularity, the `ih` hint and a device-TLB range, in the C's unsigned 64-bit
 * arithmetic, here in bigint. Pure arithmetic: no model state, and nothing calls it from munmap
 * yet (issue 14 part 1).
 *
 * Where the C's arithmetic is undefined (a shift by 64), the value is the one x86-64 computes (the
 * shift count is taken modulo 64), and the function's comment says where.
 */
import { QI_GRAN, type QiGran } from '../../../hw/vtd/layouts.ts';

const U64 = (1n << 64n) - 1n;
const u64 = (x: bigint): bigint => x & U64;
const PAGE_SHIFT = 12n;
const PAGE_SIZE = 1n << PAGE_SHIFT;
/** `pages == -1` of an unsigned long: ULONG_MAX. */
export const ALL_PAGES = U64;

/** The call a notifier callback makes, with its arguments as the C passes them. */
export type NotifierFlush =
  | { op: 'invalidate_range'; start: bigint; end: bigint }
  | { op: 'invalidate_page'; address: bigint }
  | { op: 'change_pte'; address: bigint }
  /** intel_mm_release (and unbind): `intel_flush_svm_range_dev(svm, sdev, 0, -1, 0, !svm->mm)`. */
  | { op: 'release'; supervisor: boolean };

/** The arguments of intel_flush_svm_range_dev: `address`, `pages` (unsigned long), `ih`, `gl`. */
export interface FlushRange {
  address: bigint;
  pages: bigint;
  ih: 0 | 1;
  gl: 0 | 1;
}

/**
 * The range a callback asks to flush. invalidate_range: `(end - start + PAGE_SIZE - 1) >>
 * VTD_PAGE_SHIFT` pages from `start`, `ih` 0 ("Pages have been freed at this point"): the sum
 * wraps for a range within a page of 2^64 bytes, so `(0, -1)` asks for 0 pages. invalidate_page
 * and change_pte: one page, `ih` 1. Release: every page, `gl` set for a supervisor PASID (no mm).
 */
export function flushRangeOf(call: NotifierFlush): FlushRange {
  switch (call.op) {
    case 'invalidate_range':
      return {
        address: call.start,
        pages: u64(call.end - call.start + PAGE_SIZE - 1n) >> PAGE_SHIFT,
        ih: 0,
        gl: 0,
      };
    case 'invalidate_page':
    case 'change_pte':
      return { address: call.address, pages: 1n, ih: 1, gl: 0 };
    case 'release':
      return { address: 0n, pages: ALL_PAGES, ih: 0, gl: call.supervisor ? 1 : 0 };
  }
}

/** fls_long: the position of the highest set bit, 1-based; 0 for 0. */
const flsLong = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);

/**
 * `ilog2(__roundup_pow_of_two(pages))`, the `int mask` of a page-selective invalidation.
 * `__roundup_pow_of_two(n)` is `1UL << fls_long(n - 1)`: for n = 0, and for n above 2^63, that is
 * a shift by 64, undefined in C; x86-64 shifts by 0, giving 1, so the mask is 0.
 */
export function addressMask(pages: bigint): number {
  const shift = flsLong(u64(pages - 1n)) % 64;
  return flsLong(1n << BigInt(shift)) - 1;
}

/** The device whose caches are flushed: the intel_svm_dev's fields the descriptors use. */
export interface FlushTarget {
  pasid: number;
  did: number;
  sid: number;
  qdep: number;
  /** sdev->dev_iotlb: the device has a device-TLB (ATS), so it gets its own descriptor. */
  devIotlb: boolean;
}

/** The fields intel_flush_svm_range_dev writes, as the layouts name them (hw/vtd/layouts.ts). */
export interface FlushDescriptors {
  iotlb: { PASID: number; DID: number; GRAN: QiGran; ADDR: number; GL: number; IH: number; AM: number };
  devTlb?: { PASID: number; SID: number; QDEP: number; ADDR: number; SIZE: 0 | 1 };
}

/**
 * intel_flush_svm_range_dev: `pages == -1` flushes the PASID (NONG_PASID, or ALL_ALL with `gl`,
 * "because that's the only option the hardware gives us"), else page-selective with the address
 * and its mask, unaligned: the hardware ignores the address's low `mask` page bits. The
 * device-TLB descriptor: every address for -1; for more than one page, the address with the bits
 * below the highest bit in which the first and last address differ set ("the least significant
 * zero bit indicates the size"); else the one address.
 */
export function flushDescriptors(r: FlushRange, t: FlushTarget): FlushDescriptors {
  const all = r.pages === ALL_PAGES;
  const page = (a: bigint): number => Number(u64(a) >> PAGE_SHIFT);
  const iotlb = all
    ? {
        PASID: t.pasid,
        DID: t.did,
        GRAN: r.gl ? QI_GRAN.ALL_ALL : QI_GRAN.NONG_PASID,
        ADDR: 0,
        GL: 0,
        IH: 0,
        AM: 0,
      }
    : {
        PASID: t.pasid,
        DID: t.did,
        GRAN: QI_GRAN.PSI_PASID,
        ADDR: page(r.address),
        GL: r.gl,
        IH: r.ih,
        AM: addressMask(r.pages),
      };
  if (!t.devIotlb) return { iotlb };
  const dev = { PASID: t.pasid, SID: t.sid & 0xffff, QDEP: t.qdep & 0x1f };
  if (all) return { iotlb, devTlb: { ...dev, ADDR: page(U64 >> 1n), SIZE: 1 } };
  if (r.pages > 1n) {
    const last = u64(r.address + u64((r.pages - 1n) << PAGE_SHIFT));
    // __rounddown_pow_of_two(address ^ last): 1UL << (fls_long(x) - 1); x is never 0 here for a
    // range below 2^52 pages.
    const mask = 1n << BigInt(flsLong(r.address ^ last) - 1);
    return { iotlb, devTlb: { ...dev, ADDR: page((r.address & ~mask) | (mask - 1n)), SIZE: 1 } };
  }
  return { iotlb, devTlb: { ...dev, ADDR: page(r.address), SIZE: 0 } };
}
