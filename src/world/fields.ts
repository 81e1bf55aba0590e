/**
 * The kinds a struct field or a frame word can have, declared once with the field (struct.ts).
 *
 * A kind says how the field reads in code and what the words mean to the rest of the tool: a
 * reference reads as the object's view (or null) and is renamed when processes are exchanged
 * (system/symmetry.ts), followed by the leak analysis and printed as `mm#0`; a plain value is none
 * of those. The `code` is the kind as system/symmetry.ts renames it (the catalog's word kinds).
 */
import { Obj } from './objects.ts';

/** Pools by name (Obj's names). */
export type PoolName = keyof typeof Obj;

/**
 * The view type of each pool, by name: what a reference field reads as. Declared by whoever owns
 * the pool's struct (world/layout.ts for the kernel's, a driver for its own), by augmenting this
 * interface. A pool with no views (device, actor) reads as its index.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation
export interface Pools {}

export type Resolve<N> = N extends keyof Pools ? Pools[N] : number;

/** Symmetry codes: how system/symmetry.ts renames a word. */
export const RENAME_NONE = 0;
/** | object kind: the object's index + 1 is stored, 0 meaning none (NULL). */
export const ID_PLUS1 = 0x100;
/** A reference holder, kind << 16 | index (kernel/mm/mm.ts holder). */
export const W_HOLDER = 0x200;
/** qi_submit_sync's target: an sdev for an invalidation, a requester id for a response. */
export const W_QI_TARGET = 0x201;
/** A page-table or PASID entry's low word: frame in bits 31:12 when present. */
export const W_ENTRY = 0x300;
/** violation_obj: kind << 8 | index. */
export const W_VOBJ = 0x302;
/** delayed_fput: a stack of file + 1 (kernel/fs/file.ts). */
export const W_DFPUT = 0x303;
/** A device's PCI requester id (bus << 8 | devfn), or another number. */
export const W_SID = 0x305;
/** | object kind: a bitmask of objects. */
export const W_MASK = 0x400;
/**
 * A packed field that holds an object: W_PACKED | shift << 20 | width << 25 | the field's own
 * code. Derived from a struct's layout, never declared.
 */
export const W_PACKED = 0x10000;
export const packedCode = (shift: number, width: number, code: number): number =>
  W_PACKED | (shift << 20) | (width << 25) | code;

interface Kind<T extends string> {
  readonly tag: T;
  /** How symmetry renames it (the codes above); 0 when it holds no object. */
  readonly code: number;
  /** Bits, when packed with its neighbours into one word (struct.ts). */
  readonly bits?: number;
  /** The object kind (Obj) it refers to, for references, objects and sets. */
  readonly pool?: number;
}
export interface ValueKind extends Kind<'value'> {}
export interface OptKind extends Kind<'opt'> {}
export interface MaskKind extends Kind<'mask'> {}
export interface RefKind<N extends string> extends Kind<'ref'> {
  readonly poolName: N;
}
export interface ObjKind<N extends string> extends Kind<'obj'> {
  readonly poolName: N;
}
export type FieldKind = ValueKind | OptKind | MaskKind | RefKind<string> | ObjKind<string>;

/** What a field of kind K reads as, and takes when written. */
export type FieldValue<K> =
  K extends RefKind<infer N>
    ? Resolve<N> | null
    : K extends ObjKind<infer N>
      ? Resolve<N>
      : K extends OptKind
        ? number | null
        : number;

/** A plain value: a count, a flag, a state, a position. */
export const value = (bits?: number): ValueKind => ({ tag: 'value', code: RENAME_NONE, bits });

/** A value that holds something no exchange of processes renames, but is not a count (a word with its own rename code). */
export const special = (code: number, bits?: number): ValueKind => ({ tag: 'value', code, bits });

/** A reference to an object of `pool`, or NULL. */
export const ref = <N extends PoolName>(pool: N, bits?: number): RefKind<N> => ({
  tag: 'ref',
  pool: Obj[pool],
  poolName: pool,
  code: Obj[pool] | ID_PLUS1,
  bits,
});

/** An object of `pool` that is never NULL (a routine's argument). */
export const obj = <N extends PoolName>(pool: N, bits?: number): ObjKind<N> => ({
  tag: 'obj',
  pool: Obj[pool],
  poolName: pool,
  code: Obj[pool],
  bits,
});

/** A set of objects of `pool`, one bit each by index. */
export const mask = (pool: PoolName): MaskKind => ({
  tag: 'mask',
  pool: Obj[pool],
  code: W_MASK | Obj[pool],
});

/** A number that may be absent (a PASID not yet allocated): reads as the number or null. */
export const opt = (bits?: number): OptKind => ({ tag: 'opt', code: RENAME_NONE, bits });

/** A PASID: an index into the PASID table, the same whoever holds it (never renamed). */
export const pasid = value;

/** The bit of object `o` in a set of objects (a mask field). */
export const bit = (o: { readonly index: number }): number => 1 << o.index;
