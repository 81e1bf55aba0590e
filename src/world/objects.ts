/**
 * The kinds of modelled objects, the counts they carry, and the state every allocated object is in.
 * Shared by the kernel model, the hardware model, the properties and the front ends.
 */

/** Object kinds, as named in reports. */
export const Obj = {
  task: 1,
  mm: 2,
  vma: 3,
  file: 4,
  page: 5,
  svm: 6,
  sdev: 7,
  pasid: 8,
  notifier: 9,
  fd: 10,
  actor: 11,
  device: 12,
} as const;
export type ObjKind = (typeof Obj)[keyof typeof Obj];

export const objName: Record<number, string> = Object.fromEntries(
  Object.entries(Obj).map(([k, v]) => [v, k]),
);

/** Lifetime of a pooled object. Freed slots are never reused (like KASAN's quarantine), so a
 * stale access is always recognisable as a use after free. */
export const Life = { unused: 0, live: 1, freed: 2 } as const;

/**
 * The counts that references are taken on. A reference held in the tracker names the count, the
 * object it pins and who holds it (like the kernel's ref_tracker).
 */
export const Count = {
  mm_users: 0,
  mm_count: 1,
  f_count: 2,
  /** intel_svm_dev.users: the binding, held by the client's file context. */
  sdev_users: 3,
  /** A VMA is owned by its mm's address space until munmap or exit_mmap removes it. */
  vma_owner: 4,
  /** A page is owned by the page table (or mm, for the PGD) that maps it. */
  page_owner: 5,
} as const;
export type CountKind = (typeof Count)[keyof typeof Count];

export const countName: Record<number, string> = {
  [Count.mm_users]: 'mm_users',
  [Count.mm_count]: 'mm_count',
  [Count.f_count]: 'f_count',
  [Count.sdev_users]: 'users',
  [Count.vma_owner]: 'vm_area',
  [Count.page_owner]: 'mapped',
};
