import { describe, expect, it } from 'vitest';
import { bind, fault, release, unbind } from '../svm.ts';
import { e57e58bd_no_fault_pin, e57e58bd_no_release_clear } from './ablations.ts';
import { e57e58bd } from './e57e58bd.ts';
import { v4_4 } from './v4.4.ts';

const names = (l: readonly { name: string }[]) => l.map((s) => s.name);

describe('the built-in policies are short diffs of each other', () => {
  it('e57e58bd: the orders the fix gave bind, unbind, release and the fault handler', () => {
    expect(names(e57e58bd.bind).slice(-3)).toEqual(['out', 'mmput', 'ret']);
    const u = names(e57e58bd.unbind);
    expect(u.indexOf('idr_remove')).toBeLessThan(u.indexOf('mmu_notifier_unregister'));
    expect(u).not.toContain('mmput');
    expect(e57e58bd.release).toEqual([release.clear_pasid_entry, release.flush_all_devs, release.ret]);
    const f = names(e57e58bd.fault);
    expect(f.slice(f.indexOf('find_svm'), f.indexOf('find_svm') + 2)).toEqual(['find_svm', 'mmget_not_zero']);
    expect(f.slice(f.indexOf('invalid'), f.indexOf('invalid') + 3)).toEqual(['invalid', 'mmput', 'bad_req']);
  });

  it('v4.4 keeps the mm_users pin in bind and drops it in unbind', () => {
    expect(v4_4.bind).toContain(bind.keep_mm_users_pin);
    expect(v4_4.unbind).toContain(unbind.mmput);
    expect(v4_4.fault).not.toContain(fault.mmget_not_zero);
  });

  it('each ablation differs from e57e58bd in exactly what it names', () => {
    expect(e57e58bd_no_release_clear.release).toEqual([release.flush_all_devs, release.ret]);
    expect({ ...e57e58bd_no_release_clear, release: e57e58bd.release, name: '', summary: '' }).toEqual({
      ...e57e58bd,
      name: '',
      summary: '',
      aliases: [],
    });
    expect(names(e57e58bd.fault).filter((n) => !names(e57e58bd_no_fault_pin.fault).includes(n))).toEqual([
      'mmget_not_zero',
      'mmput',
    ]);
  });
});
