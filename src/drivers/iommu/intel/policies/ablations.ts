/**
 * Ablations of e57e58bd: each takes out one part of the fix, to show what that part is for.
 */
import { fault, faultBefore46924008, release, type SvmPolicy } from '../svm.ts';
import { e57e58bd } from './e57e58bd.ts';
import { replaced, without } from './edit.ts';

/** ->release flushes the caches but leaves the PASID entry present. */
export const e57e58bd_no_release_clear: SvmPolicy = {
  ...e57e58bd,
  name: 'e57e58bd-no-release-clear',
  aliases: [],
  summary: 'e57e58bd, but release leaves the PASID entry present (flushes only)',
  release: without(e57e58bd.release, release.clear_pasid_entry),
};

/** The page-request handler handles faults without pinning mm_users (as v4.4 did). */
export const e57e58bd_no_fault_pin: SvmPolicy = {
  ...e57e58bd,
  name: 'e57e58bd-no-fault-pin',
  aliases: [],
  summary: 'e57e58bd, but the fault handler does not pin mm_users with inc-not-zero',
  fault: without(e57e58bd.fault, fault.mmget_not_zero, fault.mmput),
};

/**
 * The page-request thread never clears PPR, as before 46924008 (v4.5-rc, Cc: stable): the
 * hardware raises the interrupt only when PPR goes from 0 to 1.
 */
export const e57e58bd_no_ppr_clear: SvmPolicy = {
  ...e57e58bd,
  name: 'e57e58bd-no-ppr-clear',
  aliases: [],
  summary: 'e57e58bd, but the page-request thread never clears PPR (before 46924008)',
  fault: replaced(e57e58bd.fault, fault.wait_for_irq, faultBefore46924008.wait_for_irq),
};
