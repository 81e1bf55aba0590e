import { describe, expect, it } from 'vitest';
import { DMAR_CAP, DMAR_ECAP } from './layouts.ts';

// Expected values written as include/linux/intel-iommu.h (v4.5) reads them:
// cap_caching_mode(c) (((c) >> 7) & 1); ecap_pss(e) ((e >> 35) & 0x1f); ecap_pasid(e) ((e >> 40) & 0x1);
// ecap_prs(e) ((e >> 29) & 0x1); ecap_dis(e) ((e >> 27) & 0x1); ecap_ecs(e) ((e >> 24) & 0x1);
// ecap_dev_iotlb_support(e) (((e) >> 2) & 0x1); ecap_qis(e) ((e) & 0x2); ecap_srs(e) ((e >> 31) & 0x1).
describe('capability registers', () => {
  it('CAP.CM is bit 7', () => {
    expect(DMAR_CAP.encodeBig({ CM: 1 })[0]).toBe(1n << 7n);
  });

  it('ECAP fields sit where the ecap_* macros read them', () => {
    const e = DMAR_ECAP.encodeBig({ QI: 1, DT: 1, ECS: 1, DIS: 1, PRS: 1, SRS: 1, PSS: 19, PASID: 1 })[0];
    expect(e & 0x2n).toBe(0x2n);
    expect((e >> 2n) & 1n).toBe(1n);
    expect((e >> 24n) & 1n).toBe(1n);
    expect((e >> 27n) & 1n).toBe(1n);
    expect((e >> 29n) & 1n).toBe(1n);
    expect((e >> 31n) & 1n).toBe(1n);
    expect((e >> 35n) & 0x1fn).toBe(19n);
    expect((e >> 40n) & 1n).toBe(1n);
  });
});
