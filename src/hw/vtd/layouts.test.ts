/**
 * Every layout of layouts.ts against the kernel's own definitions of the era.
 *
 * The kernel builds each descriptor by OR-ing macros that shift a value into place; below, each
 * macro used is restated as a bigint function with the same shift and mask, and each descriptor
 * the driver builds is rebuilt from them and compared with what the layout encodes. Sources:
 * include/linux/intel-iommu.h v4.5 (read in the 4.4.y stable tree; identical in a v4.11-era tree
 * for every macro here), drivers/iommu/intel-svm.c and drivers/iommu/dmar.c of v4.4.y,
 * arch/x86/include/asm/pgtable_types.h v4.5.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Layout } from './layout.ts';
import {
  addressMaskForPages,
  DEV_TLB_ALL_ADDR,
  DMA_TLB_FLUSH,
  decodeDevTlbRange,
  decodeIotlbRange,
  encodeDevTlbRange,
  formatQi,
  PAGE_REQ_DSC,
  PASID_ENTRY,
  PTE,
  QI_DEIOTLB,
  QI_DEV_EIOTLB_MAX_INVS,
  QI_DIOTLB,
  QI_EIOTLB,
  QI_GRAN,
  QI_IOTLB,
  QI_IWD,
  QI_PC,
  QI_PC_GRANULARITY,
  QI_PGRP_RESP,
  QI_PSTRM_RESP,
  QI_RESP,
  QI_STATUS,
  QI_TYPE,
  qiLayout,
  qiType,
} from './layouts.ts';

// --- The kernel's definitions, restated -------------------------------------------------------

/** C's u64 wrap-around. */
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

// include/linux/intel-iommu.h, v4.5
const VTD_PAGE_SHIFT = 12n;
const VTD_PAGE_MASK = u64(-1n << VTD_PAGE_SHIFT);
const QI_IOTLB_TYPE = 0x2n;
const QI_DIOTLB_TYPE = 0x3n;
const QI_IWD_TYPE = 0x5n;
const QI_EIOTLB_TYPE = 0x6n;
const QI_PC_TYPE = 0x7n;
const QI_DEIOTLB_TYPE = 0x8n;
const QI_PGRP_RESP_TYPE = 0x9n;
const QI_PSTRM_RESP_TYPE = 0xan;

const QI_IWD_STATUS_DATA = (d: bigint) => u64(d << 32n);
const QI_IWD_STATUS_WRITE = 1n << 5n;

const DMA_TLB_FLUSH_GRANU_OFFSET = 60n;
const DMA_TLB_GLOBAL_FLUSH = 1n << 60n;
const DMA_TLB_DSI_FLUSH = 2n << 60n;
const DMA_TLB_PSI_FLUSH = 3n << 60n;
const QI_IOTLB_DID = (did: bigint) => did << 16n;
const QI_IOTLB_DR = (dr: bigint) => dr << 7n;
const QI_IOTLB_DW = (dw: bigint) => dw << 6n;
const QI_IOTLB_GRAN = (gran: bigint) => gran >> (DMA_TLB_FLUSH_GRANU_OFFSET - 4n);
const QI_IOTLB_ADDR = (addr: bigint) => addr & VTD_PAGE_MASK;
const QI_IOTLB_IH = (ih: bigint) => ih << 6n;
const QI_IOTLB_AM = (am: bigint) => am & 0xffn; // (u8)am

const QI_DEV_IOTLB_SID = (sid: bigint) => (sid & 0xffffn) << 32n;
const QI_DEV_IOTLB_QDEP = (qdep: bigint) => (qdep & 0x1fn) << 16n;
const QI_DEV_IOTLB_ADDR = (addr: bigint) => addr & VTD_PAGE_MASK;
const QI_DEV_IOTLB_SIZE = 1n;

const QI_PC_PASID = (pasid: bigint) => pasid << 32n;
const QI_PC_DID = (did: bigint) => did << 16n;
const QI_PC_GRAN = (gran: bigint) => gran << 4n;
const QI_PC_ALL_PASIDS = QI_PC_TYPE | QI_PC_GRAN(0n);
const QI_PC_PASID_SEL = QI_PC_TYPE | QI_PC_GRAN(1n);

const QI_EIOTLB_ADDR = (addr: bigint) => addr & VTD_PAGE_MASK;
const QI_EIOTLB_GL = (gl: bigint) => gl << 7n;
const QI_EIOTLB_IH = (ih: bigint) => ih << 6n;
const QI_EIOTLB_AM = (am: bigint) => am;
const QI_EIOTLB_PASID = (pasid: bigint) => pasid << 32n;
const QI_EIOTLB_DID = (did: bigint) => did << 16n;
const QI_EIOTLB_GRAN = (gran: bigint) => gran << 4n;

const QI_DEV_EIOTLB_ADDR = (a: bigint) => a & VTD_PAGE_MASK;
const QI_DEV_EIOTLB_SIZE = 1n << 11n;
const QI_DEV_EIOTLB_GLOB = (g: bigint) => g;
const QI_DEV_EIOTLB_PASID = (p: bigint) => p << 32n;
const QI_DEV_EIOTLB_SID = (sid: bigint) => (sid & 0xffffn) << 16n;
const QI_DEV_EIOTLB_QDEP = (qd: bigint) => (qd & 0x1fn) << 4n;

const QI_PGRP_IDX = (idx: bigint) => u64(idx << 55n);
const QI_PGRP_PRIV = (priv: bigint) => priv << 32n;
const QI_PGRP_RESP_CODE = (res: bigint) => res;
const QI_PGRP_PASID = (pasid: bigint) => pasid << 32n;
const QI_PGRP_DID = (did: bigint) => did << 16n;
const QI_PGRP_PASID_P = (p: bigint) => p << 4n;

const QI_PSTRM_ADDR = (addr: bigint) => addr & VTD_PAGE_MASK;
const QI_PSTRM_DEVFN = (devfn: bigint) => devfn << 4n;
const QI_PSTRM_RESP_CODE = (res: bigint) => res;
const QI_PSTRM_IDX = (idx: bigint) => u64(idx << 55n);
const QI_PSTRM_PRIV = (priv: bigint) => priv << 32n;
const QI_PSTRM_BUS = (bus: bigint) => bus << 24n;
const QI_PSTRM_PASID = (pasid: bigint) => pasid << 4n;

const K_QI_RESP_SUCCESS = 0x0n;
const K_QI_RESP_INVALID = 0x1n;
const K_QI_RESP_FAILURE = 0xfn;
const K_QI_GRAN_ALL_ALL = 0n;
const K_QI_GRAN_NONG_ALL = 1n;
const K_QI_GRAN_NONG_PASID = 2n;
const K_QI_GRAN_PSI_PASID = 3n;
const K_QI_DONE = 2n; // enum { QI_FREE, QI_IN_USE, QI_DONE, QI_ABORT }

// arch/x86/include/asm/pgtable_types.h and page_64_types.h, v4.5
const _PAGE_PRESENT = 1n << 0n;
const _PAGE_RW = 1n << 1n;
const _PAGE_USER = 1n << 2n;
const _PAGE_PWT = 1n << 3n;
const _PAGE_PCD = 1n << 4n;
const _PAGE_ACCESSED = 1n << 5n;
const _PAGE_DIRTY = 1n << 6n;
const _PAGE_PSE = 1n << 7n;
const _PAGE_GLOBAL = 1n << 8n;
const _PAGE_NX = 1n << 63n;
const __PHYSICAL_MASK_SHIFT = 46n;
const PTE_PFN_MASK = ((1n << __PHYSICAL_MASK_SHIFT) - 1n) & VTD_PAGE_MASK;

// drivers/iommu/intel-svm.c, v4.4: struct page_req_dsc, u64 bitfields in declaration order.
const PAGE_REQ_DSC_BITFIELDS: readonly [string, number][] = [
  ['srr', 1],
  ['bof', 1],
  ['pasid_present', 1],
  ['lpig', 1],
  ['pasid', 20],
  ['bus', 8],
  ['private', 23],
  ['prg_index', 9],
  ['rd_req', 1],
  ['wr_req', 1],
  ['exe_req', 1],
  ['priv_req', 1],
  ['devfn', 8],
  ['addr', 52],
];

/**
 * GCC's x86-64 placement of u64 bitfields: from bit 0 of the first u64, in declaration order; a
 * bitfield that does not fit in what is left of its u64 starts the next one.
 */
function packBitfields(fields: readonly [string, number][], values: Record<string, bigint>): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  for (const [name, width] of fields) {
    if ((pos % 64) + width > 64) pos += 64 - (pos % 64);
    const q = Math.floor(pos / 64);
    out[q] = (out[q] ?? 0n) | (values[name] << BigInt(pos % 64));
    pos += width;
  }
  return out;
}

// include/linux/log2.h and bitops: fls_long, __roundup_pow_of_two, __rounddown_pow_of_two, ilog2.
const flsLong = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);
const roundupPowOfTwo = (n: bigint): bigint => 1n << BigInt(flsLong(n - 1n));
const rounddownPowOfTwo = (n: bigint): bigint => 1n << BigInt(flsLong(n) - 1);
const ilog2 = (n: bigint): bigint => BigInt(flsLong(n) - 1);

/** The QW1 intel_flush_svm_range_dev (v4.5) writes into its extended device-TLB descriptor. */
function kernelDevTlbHigh(address: bigint, pages: bigint): bigint {
  if (pages === -1n) return QI_DEV_EIOTLB_ADDR(u64(-1n) >> 1n) | QI_DEV_EIOTLB_SIZE;
  if (pages > 1n) {
    const last = address + ((pages - 1n) << VTD_PAGE_SHIFT);
    const mask = rounddownPowOfTwo(address ^ last);
    return QI_DEV_EIOTLB_ADDR(u64((address & ~mask) | (mask - 1n))) | QI_DEV_EIOTLB_SIZE;
  }
  return QI_DEV_EIOTLB_ADDR(address);
}

// --- Arbitraries ------------------------------------------------------------------------------

const bits = (width: number): fc.Arbitrary<bigint> => fc.bigInt({ min: 0n, max: (1n << BigInt(width)) - 1n });
const N = (x: bigint): number => Number(x);

function arbitraryValues(layout: Layout<string>): fc.Arbitrary<Record<string, number>> {
  const model: Record<string, fc.Arbitrary<number>> = {};
  for (const f of layout.fields) {
    model[f.name] = f.fixed !== undefined ? fc.constant(f.fixed) : bits(Math.min(f.width, 53)).map(N);
  }
  return fc.record(model);
}

const ALL_LAYOUTS: Layout<string>[] = [
  PASID_ENTRY,
  PTE,
  QI_IWD,
  QI_IOTLB,
  QI_DIOTLB,
  QI_EIOTLB,
  QI_PC,
  QI_DEIOTLB,
  QI_PGRP_RESP,
  QI_PSTRM_RESP,
  PAGE_REQ_DSC,
];

// --- Tests ------------------------------------------------------------------------------------

describe('PASID-table entry (intel_svm_bind_mm, v4.5)', () => {
  it('a user mm: __pa(mm->pgd) | 1', () => {
    fc.assert(
      fc.property(bits(40), (pgdPfn) => {
        const pgd = pgdPfn << VTD_PAGE_SHIFT;
        expect(PASID_ENTRY.encodeBig({ P: 1, FLPTPTR: N(pgdPfn) })).toEqual([pgd | 1n]);
      }),
    );
  });

  it('SVM_FLAG_SUPERVISOR_MODE: __pa(init_mm.pgd) | 1 | (1ULL << 11)', () => {
    const pgd = 0x1a0d000n;
    expect(PASID_ENTRY.encodeBig({ P: 1, SRE: 1, FLPTPTR: 0x1a0d })).toEqual([pgd | 1n | (1n << 11n)]);
  });

  it('intel_mm_release clears it to 0', () => {
    const words = new Int32Array(2);
    PASID_ENTRY.encode({ P: 1, FLPTPTR: 0x1234 }, words, 0);
    PASID_ENTRY.encode({}, words, 0);
    expect(Array.from(words)).toEqual([0, 0]);
  });
});

describe('x86-64 page-table entry (pgtable_types.h, v4.5)', () => {
  it('flags are the _PAGE_* bits and ADDR is pfn << PAGE_SHIFT within PTE_PFN_MASK', () => {
    fc.assert(
      fc.property(bits(34), fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), (pfn, flags) => {
        const names = ['P', 'RW', 'US', 'PWT', 'PCD', 'A', 'D', 'PS', 'G', 'XD'] as const;
        const kernelBits = [
          _PAGE_PRESENT,
          _PAGE_RW,
          _PAGE_USER,
          _PAGE_PWT,
          _PAGE_PCD,
          _PAGE_ACCESSED,
          _PAGE_DIRTY,
          _PAGE_PSE,
          _PAGE_GLOBAL,
          _PAGE_NX,
        ];
        const values: Record<string, number> = { ADDR: N(pfn) };
        let kernel = (pfn << VTD_PAGE_SHIFT) & PTE_PFN_MASK;
        names.forEach((name, i) => {
          values[name] = flags[i] ? 1 : 0;
          if (flags[i]) kernel |= kernelBits[i];
        });
        expect(PTE.encodeBig(values)).toEqual([kernel]);
        expect(PTE.decodeBig([kernel])).toEqual(values);
      }),
    );
  });

  it('ADDR holds the architectural 40 bits (51:12), beyond the v4.5 PTE_PFN_MASK', () => {
    expect(PTE.encodeBig({ P: 1, ADDR: 2 ** 40 - 1 })).toEqual([0x000ffffffffff001n]);
    expect(() => PTE.encodeBig({ ADDR: 2 ** 40 })).toThrow(/layout pte: .* field ADDR/);
  });
});

describe('invalidation wait (qi_submit_sync, dmar.c)', () => {
  it('QI_IWD_STATUS_DATA(QI_DONE) | QI_IWD_STATUS_WRITE | QI_IWD_TYPE, then the status address', () => {
    fc.assert(
      fc.property(bits(44), (slot) => {
        const statusPhys = slot << 2n;
        expect(
          QI_IWD.encodeBig({ STATUS_WRITE: 1, STATUS_DATA: QI_STATUS.DONE, STATUS_ADDR: N(slot) }),
        ).toEqual([QI_IWD_STATUS_DATA(K_QI_DONE) | QI_IWD_STATUS_WRITE | QI_IWD_TYPE, statusPhys]);
      }),
    );
  });

  it('IF, FN and PD are bits 4, 6 and 7 (spec; later QI_IWD_FENCE, QI_IWD_PRQ_DRAIN)', () => {
    expect(QI_IWD.encodeBig({ IF: 1, FN: 1, PD: 1 })).toEqual([
      (1n << 4n) | (1n << 6n) | (1n << 7n) | 5n,
      0n,
    ]);
  });
});

describe('legacy IOTLB and device-TLB (qi_flush_iotlb, qi_flush_dev_iotlb, dmar.c)', () => {
  it('QI_IOTLB: DID | DR | DW | GRAN(type) | TYPE; ADDR | IH | AM', () => {
    const types = [DMA_TLB_GLOBAL_FLUSH, DMA_TLB_DSI_FLUSH, DMA_TLB_PSI_FLUSH];
    const grans = [DMA_TLB_FLUSH.GLOBAL, DMA_TLB_FLUSH.DSI, DMA_TLB_FLUSH.PSI];
    fc.assert(
      fc.property(
        bits(16),
        bits(1),
        bits(1),
        fc.nat(2),
        bits(40),
        bits(1),
        bits(6),
        (did, dr, dw, t, pfn, ih, am) => {
          const addr = pfn << VTD_PAGE_SHIFT;
          const low =
            QI_IOTLB_DID(did) | QI_IOTLB_DR(dr) | QI_IOTLB_DW(dw) | QI_IOTLB_GRAN(types[t]) | QI_IOTLB_TYPE;
          const high = QI_IOTLB_ADDR(addr) | QI_IOTLB_IH(ih) | QI_IOTLB_AM(am);
          const values = {
            GRAN: grans[t],
            DID: N(did),
            DR: N(dr),
            DW: N(dw),
            ADDR: N(pfn),
            IH: N(ih),
            AM: N(am),
          };
          expect(QI_IOTLB.encodeBig(values)).toEqual([low, high]);
        },
      ),
    );
  });

  it('QI_DIOTLB: SID | QDEP | TYPE; ADDR | SIZE', () => {
    fc.assert(
      fc.property(bits(16), fc.nat(QI_DEV_EIOTLB_MAX_INVS - 1), bits(40), bits(1), (sid, qdep, pfn, size) => {
        const low = QI_DEV_IOTLB_SID(sid) | QI_DEV_IOTLB_QDEP(BigInt(qdep)) | QI_DIOTLB_TYPE;
        const high = QI_DEV_IOTLB_ADDR(pfn << VTD_PAGE_SHIFT) | (size ? QI_DEV_IOTLB_SIZE : 0n);
        expect(QI_DIOTLB.encodeBig({ SID: N(sid), QDEP: qdep, ADDR: N(pfn), SIZE: N(size) })).toEqual([
          low,
          high,
        ]);
      }),
    );
  });
});

describe('PASID-cache invalidation (intel_flush_pasid_dev, v4.5)', () => {
  it('QI_PC_TYPE | QI_PC_DID(did) | QI_PC_PASID_SEL | QI_PC_PASID(pasid); QW1 0', () => {
    fc.assert(
      fc.property(bits(16), bits(20), (did, pasid) => {
        const low = QI_PC_TYPE | QI_PC_DID(did) | QI_PC_PASID_SEL | QI_PC_PASID(pasid);
        expect(QI_PC.encodeBig({ GRAN: QI_PC_GRANULARITY.PASID_SEL, DID: N(did), PASID: N(pasid) })).toEqual([
          low,
          0n,
        ]);
      }),
    );
    expect(QI_PC.encodeBig({ GRAN: QI_PC_GRANULARITY.ALL_PASIDS })).toEqual([QI_PC_ALL_PASIDS, 0n]);
  });
});

describe('extended IOTLB invalidation (intel_flush_svm_range_dev, v4.5)', () => {
  it('the granularities are the kernel QI_GRAN_* values', () => {
    expect([QI_GRAN.ALL_ALL, QI_GRAN.NONG_ALL, QI_GRAN.NONG_PASID, QI_GRAN.PSI_PASID].map(BigInt)).toEqual([
      K_QI_GRAN_ALL_ALL,
      K_QI_GRAN_NONG_ALL,
      K_QI_GRAN_NONG_PASID,
      K_QI_GRAN_PSI_PASID,
    ]);
  });

  it('whole PASID: GRAN NONG_PASID (ALL_ALL when gl), QW1 0', () => {
    fc.assert(
      fc.property(bits(20), bits(16), fc.boolean(), (pasid, did, gl) => {
        const gran = gl ? K_QI_GRAN_ALL_ALL : K_QI_GRAN_NONG_PASID;
        const low = QI_EIOTLB_PASID(pasid) | QI_EIOTLB_DID(did) | QI_EIOTLB_GRAN(gran) | QI_EIOTLB_TYPE;
        expect(QI_EIOTLB.encodeBig({ PASID: N(pasid), DID: N(did), GRAN: N(gran) })).toEqual([low, 0n]);
      }),
    );
  });

  it('page-selective: GRAN PSI_PASID, ADDR | GL | IH | AM(ilog2(roundup_pow_of_two(pages)))', () => {
    fc.assert(
      fc.property(
        bits(20),
        bits(16),
        bits(35),
        fc.integer({ min: 1, max: 1 << 20 }),
        bits(1),
        bits(1),
        (pasid, did, pfn, pages, ih, gl) => {
          const mask = ilog2(roundupPowOfTwo(BigInt(pages)));
          const address = pfn << VTD_PAGE_SHIFT;
          const low =
            QI_EIOTLB_PASID(pasid) |
            QI_EIOTLB_DID(did) |
            QI_EIOTLB_GRAN(K_QI_GRAN_PSI_PASID) |
            QI_EIOTLB_TYPE;
          const high = QI_EIOTLB_ADDR(address) | QI_EIOTLB_GL(gl) | QI_EIOTLB_IH(ih) | QI_EIOTLB_AM(mask);
          const values = {
            PASID: N(pasid),
            DID: N(did),
            GRAN: QI_GRAN.PSI_PASID,
            ADDR: N(pfn),
            GL: N(gl),
            IH: N(ih),
            AM: addressMaskForPages(pages),
          };
          expect(QI_EIOTLB.encodeBig(values)).toEqual([low, high]);
        },
      ),
    );
  });

  it('a known descriptor, in hex', () => {
    expect(QI_EIOTLB.hex({ GRAN: QI_GRAN.PSI_PASID, DID: 1, PASID: 5, ADDR: 0x12345, AM: 2, IH: 1 })).toBe(
      '0x0000000500010036 0x0000000012345042',
    );
  });
});

describe('extended device-TLB invalidation (intel_flush_svm_range_dev, v4.5)', () => {
  it('QW0: PASID | SID | QDEP | TYPE', () => {
    fc.assert(
      fc.property(bits(20), bits(16), fc.nat(QI_DEV_EIOTLB_MAX_INVS - 1), (pasid, sid, qdep) => {
        const low =
          QI_DEV_EIOTLB_PASID(pasid) |
          QI_DEV_EIOTLB_SID(sid) |
          QI_DEV_EIOTLB_QDEP(BigInt(qdep)) |
          QI_DEIOTLB_TYPE;
        expect(QI_DEIOTLB.encodeBig({ PASID: N(pasid), SID: N(sid), QDEP: qdep })[0]).toBe(low);
      }),
    );
  });

  it('QW1 for every address (pages == -1): ADDR(-1ULL >> 1) | SIZE', () => {
    expect(QI_DEIOTLB.encodeBig(encodeDevTlbRange(0, -1))[1]).toBe(kernelDevTlbHigh(0n, -1n));
    expect(decodeDevTlbRange(DEV_TLB_ALL_ADDR, 1)).toEqual({ pfn: 0, pages: 2 ** 52 });
  });

  it('QW1 for a range: the kernel lowest-zero-bit encoding', () => {
    fc.assert(
      fc.property(bits(40), fc.integer({ min: 1, max: 1 << 20 }), (pfn, pages) => {
        const high = kernelDevTlbHigh(pfn << VTD_PAGE_SHIFT, BigInt(pages));
        expect(QI_DEIOTLB.encodeBig(encodeDevTlbRange(N(pfn), pages))[1]).toBe(high);
      }),
    );
  });

  it('GLOB is bit 0 of QW1', () => {
    expect(QI_DEIOTLB.encodeBig({ GLOB: 1 })[1]).toBe(QI_DEV_EIOTLB_GLOB(1n));
  });

  it("the kernel's own example: 0x12345f000 with S flushes 0x123440000 to 0x12347ffff", () => {
    expect(decodeDevTlbRange(0x12345f, 1)).toEqual({ pfn: 0x123440, pages: 0x40 });
    expect(encodeDevTlbRange(0x123440, 0x40)).toEqual({ ADDR: 0x12345f, SIZE: 1 });
  });

  it('the encoded range is the smallest aligned power-of-two block holding the request', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 1 << 20 }),
        (pfn, pages) => {
          const { ADDR, SIZE } = encodeDevTlbRange(pfn, pages);
          const got = decodeDevTlbRange(ADDR, SIZE);
          expect(got.pfn <= pfn && pfn + pages <= got.pfn + got.pages).toBe(true);
          expect(got.pfn % got.pages).toBe(0);
          if (got.pages > 1) {
            const half = got.pages / 2;
            const fitsInHalf = Math.floor(pfn / half) === Math.floor((pfn + pages - 1) / half);
            expect(fitsInHalf).toBe(false);
          }
        },
      ),
    );
  });
});

describe('page-selective address mask', () => {
  it('AM = ilog2(__roundup_pow_of_two(pages))', () => {
    expect([1, 2, 3, 4, 5, 512, 513, 2 ** 40, 2 ** 40 + 1].map(addressMaskForPages)).toEqual([
      0, 1, 2, 2, 3, 9, 10, 40, 41,
    ]);
    expect(() => addressMaskForPages(0)).toThrow(/addressMaskForPages/);
  });

  it('hardware ignores the low AM bits of ADDR: v4.5 leaves an unaligned range partly uncovered', () => {
    const am = addressMaskForPages(2);
    expect(decodeIotlbRange(3, am)).toEqual({ pfn: 2, pages: 2 });
  });
});

describe('page request and its responses (prq_event_thread, v4.4)', () => {
  const request = fc.record({
    srr: bits(1),
    bof: bits(1),
    pasid_present: bits(1),
    lpig: bits(1),
    pasid: bits(20),
    bus: bits(8),
    private: bits(23),
    prg_index: bits(9),
    rd_req: bits(1),
    wr_req: bits(1),
    exe_req: bits(1),
    priv_req: bits(1),
    devfn: bits(8),
    addr: bits(52),
  });

  it('struct page_req_dsc: the layout reads the bitfields where GCC puts them', () => {
    fc.assert(
      fc.property(request, (req) => {
        const qws = packBitfields(PAGE_REQ_DSC_BITFIELDS, req);
        const expected: Record<string, number> = {};
        for (const [name] of PAGE_REQ_DSC_BITFIELDS)
          expected[name.toUpperCase()] = N(req[name as keyof typeof req]);
        expect(PAGE_REQ_DSC.decodeBig(qws)).toEqual(expected);
        expect(PAGE_REQ_DSC.encodeBig(expected)).toEqual(qws);
      }),
    );
  });

  it('page group response: PASID | DID(bus << 8 | devfn) | PASID_P | TYPE; IDX | PRIV | RESP_CODE', () => {
    const results = [K_QI_RESP_SUCCESS, K_QI_RESP_INVALID, K_QI_RESP_FAILURE];
    fc.assert(
      fc.property(request, fc.nat(2), (req, r) => {
        const words = new Int32Array(4);
        PAGE_REQ_DSC.encode(PAGE_REQ_DSC.decodeBig(packBitfields(PAGE_REQ_DSC_BITFIELDS, req)), words, 0);
        const d = PAGE_REQ_DSC.decode(words, 0);
        const result = [QI_RESP.SUCCESS, QI_RESP.INVALID, QI_RESP.FAILURE][r];
        const low =
          QI_PGRP_PASID(req.pasid) |
          QI_PGRP_DID((req.bus << 8n) | req.devfn) |
          QI_PGRP_PASID_P(req.pasid_present) |
          QI_PGRP_RESP_TYPE;
        const high = QI_PGRP_IDX(req.prg_index) | QI_PGRP_PRIV(req.private) | QI_PGRP_RESP_CODE(results[r]);
        const resp = {
          PASID: d.PASID,
          DID: (d.BUS << 8) | d.DEVFN,
          PASID_P: d.PASID_PRESENT,
          IDX: d.PRG_INDEX,
          PRIV: d.PRIVATE,
          RESP_CODE: result,
        };
        expect(QI_PGRP_RESP.encodeBig(resp)).toEqual([low, high]);
      }),
    );
  });

  it('page stream response: IDX | PRIV | BUS | PASID | TYPE; ADDR | DEVFN | RESP_CODE', () => {
    fc.assert(
      fc.property(request, fc.constantFrom(0x0n, 0x1n, 0xfn), (req, result) => {
        const address = u64(req.addr << VTD_PAGE_SHIFT);
        const low =
          QI_PSTRM_IDX(req.prg_index) |
          QI_PSTRM_PRIV(req.private) |
          QI_PSTRM_BUS(req.bus) |
          QI_PSTRM_PASID(req.pasid) |
          QI_PSTRM_RESP_TYPE;
        const high = QI_PSTRM_ADDR(address) | QI_PSTRM_DEVFN(req.devfn) | QI_PSTRM_RESP_CODE(result);
        const resp = {
          IDX: N(req.prg_index),
          PRIV: N(req.private),
          BUS: N(req.bus),
          PASID: N(req.pasid),
          ADDR: N(req.addr),
          DEVFN: N(req.devfn),
          RESP_CODE: N(result),
        };
        expect(QI_PSTRM_RESP.encodeBig(resp)).toEqual([low, high]);
      }),
    );
  });
});

describe('every layout', () => {
  it('decode(encode(x)) is x', () => {
    for (const layout of ALL_LAYOUTS) {
      fc.assert(
        fc.property(arbitraryValues(layout), (values) => {
          const words = new Int32Array(layout.words + 2);
          layout.encode(values, words, 1);
          expect(layout.decode(words, 1)).toEqual(values);
          expect(layout.decodeBig(layout.encodeBig(values))).toEqual(values);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('a value one past its field is refused, naming the layout and the field', () => {
    for (const layout of ALL_LAYOUTS) {
      for (const f of layout.fields) {
        const fixed = f.fixed;
        if (fixed !== undefined) {
          expect(() => layout.encodeBig({ [f.name]: (fixed + 1) % 16 })).toThrow(
            new RegExp(`layout ${layout.name}: field ${f.name} is fixed`),
          );
          continue;
        }
        const tooBig = f.width >= 53 ? 2 ** 53 : 2 ** f.width;
        expect(() => layout.encodeBig({ [f.name]: tooBig })).toThrow(
          new RegExp(`layout ${layout.name}: value .* does not fit field ${f.name} `),
        );
        expect(() => layout.encodeBig({ [f.name]: -1 })).toThrow(new RegExp(`field ${f.name} `));
      }
    }
  });

  it('every descriptor type is found by its type bits, and formats for traces', () => {
    const words = new Int32Array(4);
    for (const layout of [
      QI_IWD,
      QI_IOTLB,
      QI_DIOTLB,
      QI_EIOTLB,
      QI_PC,
      QI_DEIOTLB,
      QI_PGRP_RESP,
      QI_PSTRM_RESP,
    ]) {
      layout.encode({}, words, 0);
      expect(qiLayout(qiType(words, 0))).toBe(layout);
      expect(layout.matches(words, 0)).toBe(true);
    }
    QI_PC.encode({ GRAN: QI_PC_GRANULARITY.PASID_SEL, DID: 1, PASID: 3 }, words, 0);
    expect(formatQi(words, 0)).toBe(
      'QI_PC {TYPE=0x7 GRAN=0x1 DID=0x1 PASID=0x3} [0x0000000300010017 0x0000000000000000]',
    );
    expect(qiType(words, 0)).toBe(QI_TYPE.PC);
    words[0] = 0x4;
    expect(formatQi(words, 0)).toMatch(/unmodelled type 0x4/);
  });
});
