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

/** In an id word (see Id): the object's index + 1 is stored, 0 meaning none (NULL). */
export const ID_PLUS1 = 0x100;

/**
 * How a word of the state names an object, for renaming objects when processes are exchanged
 * (system/symmetry.ts): an object kind (Obj) for a plain index, with ID_PLUS1 for index + 1.
 */
export const Id = {
  /** Not an object: a count, a flag, a slot, a PASID, a user page number. */
  none: 0,
  task: Obj.task,
  mm: Obj.mm,
  vma: Obj.vma,
  file: Obj.file,
  page: Obj.page,
  svm: Obj.svm,
  sdev: Obj.sdev,
  /** A reference holder passed as an argument: kind << 16 | index (kernel/mm/mm.ts holder). */
  holder: 0x200,
  /** qi_submit_sync's a2: an sdev for an invalidation (Qi kind 1..3 in a0), else a requester id. */
  qiTarget: 0x201,
  /** A device's index in bits 7:0, flags above them (intel_svm_bind_mm's a0 keeps its own there). */
  dev: 0x202,
} as const;

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
