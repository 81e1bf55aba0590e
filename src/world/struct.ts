/**
 * Struct declarations, and the struct-like views over the flat state vector derived from them.
 *
 * The whole modelled system lives in one Int32Array (see layout.ts). Code reads and writes it
 * through views whose properties carry the kernel's field names (`mm.mm_users`, `svm.mm`), so that
 * the model reads like the C while the state stays one copyable, hashable value.
 *
 * Every struct (a kernel object, a driver's, a hardware structure, a routine's stack frame) is
 * declared once, as its fields in order, each with its kind (fields.ts): a plain value, a reference
 * to an object of a named pool, a set of objects, a PASID... Everything else is derived from that
 * one declaration: where each field sits (fields with `bits` share a word), the view's accessors
 * (a reference reads as the object's view or null, never as an index + 1), how an exchange of
 * processes renames the field (system/symmetry.ts), what the leak analysis follows and what traces
 * print.
 *
 * A view holds the memory (whose `s` is the current state vector) and a base offset: rebinding the
 * memory to another vector re-targets every view at once, so stepping allocates nothing.
 */
import { type FieldKind, type FieldValue, RENAME_NONE, type Resolve, type ValueKind } from './fields.ts';
import { Obj } from './objects.ts';

export interface Memory {
  /** The state vector the views currently read and write. */
  s: Int32Array;
  /** The views of each pool, by object kind (Obj): what a reference field reads as. */
  readonly pools: readonly (readonly unknown[] | undefined)[];
}

/** A struct's fields: names in layout order, each with its kind. */
export type Fields = Readonly<Record<string, FieldKind>>;

/** Where a field sits: word offset, shift and mask (a mask of -1 for a whole word). */
export interface FieldPlace {
  readonly name: string;
  readonly kind: FieldKind;
  readonly off: number;
  readonly shift: number;
  readonly mask: number;
}

export interface StructDef<F extends Fields = Fields> {
  readonly name: string;
  readonly fields: F;
  /** The fields' names, in layout order. */
  readonly names: readonly string[];
  readonly places: readonly FieldPlace[];
  /** Words of the named fields (packed fields share words). */
  readonly headWords: number;
  /** Extra words after the named fields (arrays such as a task's fd table), and what each holds. */
  readonly tailWords: number;
  readonly tailKind?: FieldKind;
  readonly words: number;
}

/**
 * Declares a struct. Fields with `bits` are packed, in order, into one word while they fit in 31
 * bits; every other field takes a word of its own. `tail` words (an array) follow the fields.
 */
export function defineStruct<const N extends readonly string[]>(
  name: string,
  fields: N,
): StructDef<{ readonly [K in N[number]]: ValueKind }>;
export function defineStruct<F extends Fields>(
  name: string,
  fields: F,
  tail?: { words: number; kind: FieldKind },
): StructDef<F>;
export function defineStruct(
  name: string,
  declared: Fields | readonly string[],
  tail: { words: number; kind: FieldKind } = { words: 0, kind: { tag: 'value', code: RENAME_NONE } },
): StructDef {
  // A list of names: plain values each (registers and the like).
  const fields: Fields = Array.isArray(declared)
    ? Object.fromEntries(declared.map((n) => [n, { tag: 'value', code: RENAME_NONE }]))
    : (declared as Fields);
  const places: FieldPlace[] = [];
  let off = -1;
  let shift = 31;
  for (const [field, kind] of Object.entries(fields)) {
    if (kind.bits === undefined) {
      places.push({ name: field, kind, off: ++off, shift: 0, mask: -1 });
      shift = 31;
      continue;
    }
    if (shift + kind.bits > 31) {
      off++;
      shift = 0;
    }
    places.push({ name: field, kind, off, shift, mask: (1 << kind.bits) - 1 });
    shift += kind.bits;
  }
  const headWords = off + 1;
  return {
    name,
    fields,
    names: Object.keys(fields),
    places,
    headWords,
    tailWords: tail.words,
    tailKind: tail.words > 0 ? tail.kind : undefined,
    words: headWords + tail.words,
  };
}

/** The same struct with `words` tail words (a kernel actor's stack, sized per actor). */
export const withTail = <F extends Fields>(def: StructDef<F>, words: number): StructDef<F> =>
  words === def.tailWords ? def : { ...def, tailWords: words, words: def.headWords + words };

/** Field `i` of the struct `def` at `base` of `s`, as stored: for code that compares states. */
export function fieldValue(def: StructDef, s: Int32Array, base: number, i: number): number {
  const { off, shift, mask } = def.places[i];
  return mask === -1 ? s[base + off] : (s[base + off] >>> shift) & mask;
}

/**
 * A stored word as its kind reads (an object's view or null for a reference, a number or null for
 * an optional number, the word itself otherwise), and the word that stores a value: for the words
 * declared by kind outside a struct's named fields (a struct's tail, a driver's array).
 */
export function decodeWord(mem: Memory, kind: FieldKind, v: number): unknown {
  const viewed = kind.pool !== undefined && kind.pool !== Obj.device && kind.pool !== Obj.actor;
  switch (kind.tag) {
    case 'ref':
      return v === 0 ? null : viewed ? (mem.pools[kind.pool as number] as unknown[])[v - 1] : v - 1;
    case 'obj':
      return viewed ? (mem.pools[kind.pool as number] as unknown[])[v] : v;
    case 'opt':
      return v === 0 ? null : v - 1;
    default:
      return v;
  }
}

export function encodeWord(kind: FieldKind, value: unknown): number {
  const index = (o: unknown): number => (typeof o === 'number' ? o : (o as Indexed).index);
  switch (kind.tag) {
    case 'ref':
    case 'opt':
      return value === null ? 0 : index(value) + 1;
    case 'obj':
      return index(value);
    default:
      return value as number;
  }
}

/** A view: the named fields (objects for references), plus where it lives. */
export type View<F extends Fields> = { -readonly [K in keyof F]: FieldValue<F[K]> } & ViewBase<F>;

export interface ViewBase<F extends Fields> {
  readonly def: StructDef<F>;
  /** Index of this instance in its pool (mm#0, mm#1, ...). */
  readonly index: number;
  /** Offset of the first word in the state vector. */
  readonly base: number;
  /** The tail words (an array field), read and written by index, as stored. */
  at(i: number): number;
  setAt(i: number, v: number): void;
  /** Tail word `i` as its declared kind reads (a task's fd table: the file, or null). */
  tailAt(i: number): unknown;
  setTailAt(i: number, value: unknown): void;
}

/** An object view's index, for fields that hold objects of pools that have no views (devices). */
type Indexed = { readonly index: number };

type ViewClass = new (def: StructDef, mem: Memory, index: number, base: number) => unknown;
const viewClasses = new WeakMap<Fields, ViewClass>();

/** The accessor of one field, derived from its kind and place. */
function accessor(def: StructDef, p: FieldPlace): PropertyDescriptor {
  const { off, shift, mask, kind } = p;
  const packed = mask !== -1;
  const read = packed
    ? (m: Memory, base: number) => (m.s[base + off] >>> shift) & mask
    : (m: Memory, base: number) => m.s[base + off];
  const write = packed
    ? (m: Memory, base: number, v: number) => {
        if (v < 0 || v > mask)
          throw new Error(`${def.name}.${p.name} = ${v}: wider than its ${kind.bits} bits`);
        const s = m.s;
        s[base + off] = (s[base + off] & ~(mask << shift)) | (v << shift);
      }
    : (m: Memory, base: number, v: number) => {
        m.s[base + off] = v;
      };
  type Self = { mem: Memory; base: number };
  const pool = kind.pool ?? 0;
  const viewed = pool !== Obj.device && pool !== Obj.actor;
  switch (kind.tag) {
    case 'ref':
      // Stored as index + 1, 0 for NULL.
      return viewed
        ? {
            get(this: Self) {
              const v = read(this.mem, this.base);
              return v === 0 ? null : (this.mem.pools[pool] as unknown[])[v - 1];
            },
            set(this: Self, o: Indexed | null) {
              write(this.mem, this.base, o === null ? 0 : o.index + 1);
            },
          }
        : {
            get(this: Self) {
              const v = read(this.mem, this.base);
              return v === 0 ? null : v - 1;
            },
            set(this: Self, o: number | null) {
              write(this.mem, this.base, o === null ? 0 : o + 1);
            },
          };
    case 'obj':
      // Stored as the index itself: never NULL.
      return viewed
        ? {
            get(this: Self) {
              return (this.mem.pools[pool] as unknown[])[read(this.mem, this.base)];
            },
            set(this: Self, o: Indexed) {
              write(this.mem, this.base, o.index);
            },
          }
        : {
            get(this: Self) {
              return read(this.mem, this.base);
            },
            set(this: Self, o: number) {
              write(this.mem, this.base, o);
            },
          };
    case 'opt':
      // A number that may be absent: stored + 1, 0 for none.
      return {
        get(this: Self) {
          const v = read(this.mem, this.base);
          return v === 0 ? null : v - 1;
        },
        set(this: Self, v: number | null) {
          write(this.mem, this.base, v === null ? 0 : v + 1);
        },
      };
    default:
      return {
        get(this: Self) {
          return read(this.mem, this.base);
        },
        set(this: Self, v: number) {
          write(this.mem, this.base, v);
        },
      };
  }
}

/** The view class of a struct's fields (built once per declaration). */
function viewClass(def: StructDef): ViewClass {
  let Cls = viewClasses.get(def.fields);
  if (Cls) return Cls;
  class StructView {
    constructor(
      readonly def: StructDef,
      readonly mem: Memory,
      readonly index: number,
      public base: number,
    ) {}
    at(i: number): number {
      return this.mem.s[this.base + this.def.headWords + i];
    }
    setAt(i: number, v: number): void {
      this.mem.s[this.base + this.def.headWords + i] = v;
    }
    tailAt(i: number): unknown {
      return decodeWord(this.mem, this.def.tailKind as FieldKind, this.at(i));
    }
    setTailAt(i: number, value: unknown): void {
      this.setAt(i, encodeWord(this.def.tailKind as FieldKind, value));
    }
  }
  for (const p of def.places) Object.defineProperty(StructView.prototype, p.name, accessor(def, p));
  Cls = StructView;
  viewClasses.set(def.fields, Cls);
  return Cls;
}

/** A view of the struct `def` at `base` (instance `index` of its pool). */
export function makeView<F extends Fields>(
  def: StructDef<F>,
  mem: Memory,
  index: number,
  base: number,
): View<F> {
  return new (viewClass(def))(def, mem, index, base) as View<F>;
}

/**
 * A view whose base moves: a routine's frame, placed on whichever stack frame runs (exec.ts), so
 * that one view per routine serves every call.
 */
export type MovableView<F extends Fields> = View<F> & { base: number };

export const makeMovableView = <F extends Fields>(def: StructDef<F>, mem: Memory): MovableView<F> =>
  makeView(def, mem, 0, 0) as MovableView<F>;

/** The view type of pool `N` (fields.ts Pools). */
export type PoolView<N extends string> = Resolve<N>;
