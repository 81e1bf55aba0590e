/**
 * flush_range.ts against intel-svm.c's own expressions (4.4.y copy, v4.5 code), transliterated
 * here in bigint and unsigned 64-bit, and against cases worked by hand before running:
 *
 * - invalidate_range(0x7f0000001000, 0x7f0000003000): (0x2000 + 0xfff) >> 12 = 2 pages, mask
 *   ilog2(2) = 1, ADDR page 0x7f0000001, IH 0. The hardware ignores ADDR's low mask bit and
 *   flushes pages 0x7f0000000-0x7f0000001: page 0x7f0000002, freed, stays in the IOTLB. The
 *   device-TLB: last = 0x7f0000002000, address ^ last = 0x3000, rounded down 0x2000, ADDR
 *   (0x7f0000001000 & ~0x2000) | 0x1fff, page 0x7f0000001 with S: bit 1 is its lowest zero, so
 *   4 pages from 0x7f0000000, both asked-for pages in them.
 * - invalidate_range(0x1000, 0x4000): 3 pages, mask ilog2(4) = 2: pages 0-3, all three covered.
 * - invalidate_page(0x1234567) and change_pte(0x5000): one page, IH 1, mask 0; device-TLB the one
 *   address, no S.
 * - release: pages -1: NONG_PASID and QW1 0 for a user PASID, ALL_ALL for a supervisor one;
 *   device-TLB ADDR(-1ULL >> 1) with S: every address.
 * - invalidate_range(0, -1): (2^64 - 1 + 4095) mod 2^64 = 4094, >> 12 = 0 pages; mask from
 *   __roundup_pow_of_two(0) = 1UL << 64 (undefined; x86-64: 1) = 0: the one page at 0. The
 *   device-TLB takes its last branch: the one address 0.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { userVa } from '../../../arch/x86/pgtable.ts';
import { qiProcessOne } from '../../../hw/vtd/iommu.ts';
import {
  DEV_TLB_ALL_ADDR,
  decodeDevTlbRange,
  decodeIotlbRange,
  QI_DEIOTLB,
  QI_EIOTLB,
  QI_GRAN,
} from '../../../hw/vtd/layouts.ts';
import { boot, oneProcess } from '../../../system/testing.ts';
import {
  ALL_PAGES,
  addressMask,
  type FlushRange,
  type FlushTarget,
  flushDescriptors,
  flushRangeOf,
  type NotifierFlush,
} from './flush_range.ts';

// --- the C, transliterated (include/linux/intel-iommu.h and intel-svm.c, v4.5) ---------------
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const VTD_PAGE_SHIFT = 12n;
const PAGE_SIZE = 4096n;
const VTD_PAGE_MASK = u64(-1n << VTD_PAGE_SHIFT);
const QI_EIOTLB_TYPE = 0x6n;
const QI_DEIOTLB_TYPE = 0x8n;
const QI_EIOTLB_ADDR = (addr: bigint) => addr & VTD_PAGE_MASK;
const QI_EIOTLB_GL = (gl: bigint) => gl << 7n;
const QI_EIOTLB_IH = (ih: bigint) => ih << 6n;
const QI_EIOTLB_AM = (am: bigint) => am;
const QI_EIOTLB_PASID = (pasid: bigint) => pasid << 32n;
const QI_EIOTLB_DID = (did: bigint) => did << 16n;
const QI_EIOTLB_GRAN = (gran: bigint) => gran << 4n;
const QI_DEV_EIOTLB_ADDR = (a: bigint) => a & VTD_PAGE_MASK;
const QI_DEV_EIOTLB_SIZE = 1n << 11n;
const QI_DEV_EIOTLB_PASID = (p: bigint) => p << 32n;
const QI_DEV_EIOTLB_SID = (sid: bigint) => (sid & 0xffffn) << 16n;
const QI_DEV_EIOTLB_QDEP = (qd: bigint) => (qd & 0x1fn) << 4n;
const QI_GRAN_ALL_ALL = 0n;
const QI_GRAN_NONG_PASID = 2n;
const QI_GRAN_PSI_PASID = 3n;
const flsLong = (x: bigint): bigint => BigInt(x === 0n ? 0 : x.toString(2).length);
/** A 64-bit shift as x86-64's SHL does it: the count modulo 64 (the C leaves 64 undefined). */
const shl64 = (x: bigint, n: bigint): bigint => u64(x << (n & 63n));
const roundupPowOfTwo = (n: bigint): bigint => shl64(1n, flsLong(u64(n - 1n)));
const rounddownPowOfTwo = (n: bigint): bigint => shl64(1n, flsLong(n) - 1n);
const ilog2 = (n: bigint): bigint => flsLong(n) - 1n;

/** intel_flush_svm_range_dev's two descriptors, [low, high] each (the second when dev_iotlb). */
function cFlushSvmRangeDev(
  t: FlushTarget,
  address: bigint,
  pages: bigint,
  ih: bigint,
  gl: bigint,
): bigint[][] {
  const pasid = BigInt(t.pasid);
  let low: bigint;
  let high: bigint;
  if (pages === u64(-1n)) {
    low =
      QI_EIOTLB_PASID(pasid) |
      QI_EIOTLB_DID(BigInt(t.did)) |
      QI_EIOTLB_GRAN(gl ? QI_GRAN_ALL_ALL : QI_GRAN_NONG_PASID) |
      QI_EIOTLB_TYPE;
    high = 0n;
  } else {
    const mask = ilog2(roundupPowOfTwo(pages));
    low =
      QI_EIOTLB_PASID(pasid) |
      QI_EIOTLB_DID(BigInt(t.did)) |
      QI_EIOTLB_GRAN(QI_GRAN_PSI_PASID) |
      QI_EIOTLB_TYPE;
    high = QI_EIOTLB_ADDR(address) | QI_EIOTLB_GL(gl) | QI_EIOTLB_IH(ih) | QI_EIOTLB_AM(mask);
  }
  const out = [[low, high]];
  if (t.devIotlb) {
    const dlow =
      QI_DEV_EIOTLB_PASID(pasid) |
      QI_DEV_EIOTLB_SID(BigInt(t.sid)) |
      QI_DEV_EIOTLB_QDEP(BigInt(t.qdep)) |
      QI_DEIOTLB_TYPE;
    let dhigh: bigint;
    if (pages === u64(-1n)) dhigh = QI_DEV_EIOTLB_ADDR(u64(-1n) >> 1n) | QI_DEV_EIOTLB_SIZE;
    else if (pages > 1n) {
      const last = u64(address + u64((pages - 1n) << VTD_PAGE_SHIFT));
      const mask = rounddownPowOfTwo(address ^ last);
      dhigh = QI_DEV_EIOTLB_ADDR((address & u64(~mask)) | u64(mask - 1n)) | QI_DEV_EIOTLB_SIZE;
    } else dhigh = QI_DEV_EIOTLB_ADDR(address);
    out.push([dlow, dhigh]);
  }
  return out;
}

/** The callbacks' arguments to intel_flush_svm_range (intel_invalidate_range etc.). */
function cFlushRange(call: NotifierFlush): [bigint, bigint, bigint, bigint] {
  switch (call.op) {
    case 'invalidate_range':
      return [call.start, u64(call.end - call.start + PAGE_SIZE - 1n) >> VTD_PAGE_SHIFT, 0n, 0n];
    case 'invalidate_page':
    case 'change_pte':
      return [call.address, 1n, 1n, 0n];
    case 'release':
      return [0n, u64(-1n), 0n, call.supervisor ? 1n : 0n];
  }
}
// ---------------------------------------------------------------------------------------------

const target: FlushTarget = { pasid: 5, did: 1, sid: 0x10, qdep: 0, devIotlb: true };
const encode = (r: FlushRange, t = target): bigint[][] => {
  const d = flushDescriptors(r, t);
  return [QI_EIOTLB.encodeBig(d.iotlb), ...(d.devTlb ? [QI_DEIOTLB.encodeBig(d.devTlb)] : [])];
};

describe('intel_flush_svm_range, as the C computes it', () => {
  it('an unaligned two-page range: the IOTLB flush misses the second page; the device-TLB flush covers both', () => {
    const r = flushRangeOf({ op: 'invalidate_range', start: 0x7f0000001000n, end: 0x7f0000003000n });
    expect(r).toEqual({ address: 0x7f0000001000n, pages: 2n, ih: 0, gl: 0 });
    const d = flushDescriptors(r, target);
    expect(d.iotlb).toMatchObject({ GRAN: QI_GRAN.PSI_PASID, ADDR: 0x7f0000001, AM: 1, IH: 0 });
    expect(decodeIotlbRange(d.iotlb.ADDR, d.iotlb.AM)).toEqual({ pfn: 0x7f0000000, pages: 2 });
    expect(d.devTlb).toMatchObject({ ADDR: 0x7f0000001, SIZE: 1 });
    expect(decodeDevTlbRange(d.devTlb!.ADDR, d.devTlb!.SIZE)).toEqual({ pfn: 0x7f0000000, pages: 4 });
  });

  it('three pages from page 1: mask 2, the aligned four pages 0-3', () => {
    const d = flushDescriptors(
      flushRangeOf({ op: 'invalidate_range', start: 0x1000n, end: 0x4000n }),
      target,
    );
    expect([d.iotlb.ADDR, d.iotlb.AM]).toEqual([1, 2]);
    expect(decodeIotlbRange(d.iotlb.ADDR, d.iotlb.AM)).toEqual({ pfn: 0, pages: 4 });
  });

  it('invalidate_page and change_pte: one page, ih 1', () => {
    for (const op of ['invalidate_page', 'change_pte'] as const) {
      const d = flushDescriptors(flushRangeOf({ op, address: 0x1234567n }), target);
      expect(d.iotlb).toMatchObject({ GRAN: QI_GRAN.PSI_PASID, ADDR: 0x1234, AM: 0, IH: 1 });
      expect(d.devTlb).toMatchObject({ ADDR: 0x1234, SIZE: 0 });
    }
  });

  it('release: the whole PASID, ALL_ALL for a supervisor PASID; the device-TLB every address', () => {
    const user = flushDescriptors(flushRangeOf({ op: 'release', supervisor: false }), target);
    expect(user.iotlb).toEqual({ PASID: 5, DID: 1, GRAN: QI_GRAN.NONG_PASID, ADDR: 0, GL: 0, IH: 0, AM: 0 });
    expect(user.devTlb).toMatchObject({ ADDR: DEV_TLB_ALL_ADDR, SIZE: 1 });
    const sup = flushDescriptors(flushRangeOf({ op: 'release', supervisor: true }), target);
    expect(sup.iotlb.GRAN).toBe(QI_GRAN.ALL_ALL);
  });

  it('invalidate_range(0, -1): the page count wraps to 0, and 0 pages flush the one page at 0', () => {
    const r = flushRangeOf({ op: 'invalidate_range', start: 0n, end: (1n << 64n) - 1n });
    expect(r.pages).toBe(0n);
    expect(addressMask(0n)).toBe(0);
    const d = flushDescriptors(r, target);
    expect([d.iotlb.ADDR, d.iotlb.AM]).toEqual([0, 0]);
    expect(d.devTlb).toMatchObject({ ADDR: 0, SIZE: 0 });
  });

  it('no device-TLB descriptor for a device without one', () => {
    expect(
      flushDescriptors(flushRangeOf({ op: 'change_pte', address: 0n }), { ...target, devIotlb: false })
        .devTlb,
    ).toBeUndefined();
    expect(addressMask(ALL_PAGES)).toBe(0);
  });

  it('every descriptor word is the C expression, for ranges of up to 2^32 pages anywhere in 48 bits', () => {
    const t = fc.record({
      pasid: fc.integer({ min: 0, max: (1 << 20) - 1 }),
      did: fc.integer({ min: 0, max: 0xffff }),
      sid: fc.integer({ min: 0, max: 0xffff }),
      qdep: fc.integer({ min: 0, max: 31 }),
      devIotlb: fc.boolean(),
    });
    const call: fc.Arbitrary<NotifierFlush> = fc.oneof(
      fc
        .tuple(fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }), fc.bigInt({ min: 0n, max: 1n << 44n }))
        .map(([start, len]) => ({ op: 'invalidate_range' as const, start, end: start + len })),
      fc
        .bigInt({ min: 0n, max: (1n << 48n) - 1n })
        .map((address) => ({ op: 'invalidate_page' as const, address })),
      fc
        .bigInt({ min: 0n, max: (1n << 48n) - 1n })
        .map((address) => ({ op: 'change_pte' as const, address })),
      fc.boolean().map((supervisor) => ({ op: 'release' as const, supervisor })),
    );
    fc.assert(
      fc.property(t, call, (tt, c) => {
        const [address, pages, ih, gl] = cFlushRange(c);
        const r = flushRangeOf(c);
        expect([r.address, r.pages, BigInt(r.ih), BigInt(r.gl)]).toEqual([address, pages, ih, gl]);
        expect(encode(r, tt)).toEqual(cFlushSvmRangeDev(tt, address, pages, ih, gl));
      }),
    );
  });

  it('the page count and mask wrap as unsigned long does, for any pair of 64-bit addresses', () => {
    const any = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(any, any, (start, end) => {
        const r = flushRangeOf({ op: 'invalidate_range', start, end });
        const [, pages] = cFlushRange({ op: 'invalidate_range', start, end });
        expect(r.pages).toBe(pages);
        expect(BigInt(addressMask(r.pages))).toBe(ilog2(roundupPowOfTwo(pages)));
      }),
    );
  });
});

describe('the hardware applies the page-selective flush to the naturally aligned block its mask names', () => {
  it('invalidate_range of buffer pages 1-2 (unaligned): the IOTLB loses pages 0 and 1, keeps 2 and 3', () => {
    const b = boot(oneProcess(['exit'], { pages: 4 }));
    const { sys } = b;
    const hw = sys.hw;
    for (let i = 0; i < 4; i++) b.s[hw.iotlbAt(0, i)] = 10 + i;
    const r = flushRangeOf({ op: 'invalidate_range', start: BigInt(userVa(1)), end: BigInt(userVa(3)) });
    const d = flushDescriptors(r, { pasid: 0, did: 1, sid: 0x10, qdep: 0, devIotlb: false });
    QI_EIOTLB.encode(d.iotlb, b.s, hw.iq);
    hw.regs.iqt = 1 << 4;
    expect(qiProcessOne(sys.world, hw, 0, () => -1)).toContain('extended IOTLB invalidation, PASID 0');
    expect([0, 1, 2, 3].map((i) => b.s[hw.iotlbAt(0, i)])).toEqual([0, 0, 12, 13]);
  });
});
