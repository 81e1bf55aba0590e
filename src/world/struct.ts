/**
 * Struct-like views over the flat state vector.
 *
 * The whole modelled system lives in one Int32Array (see layout.ts). Code reads and writes it
 * through views whose properties carry the kernel's field names (`mm.mm_users`, `file.f_count`),
 * so that the model reads like the C while the state stays one copyable, hashable value.
 *
 * A view holds the world (whose `s` is the current state vector) and a base offset: rebinding the
 * world to another vector re-targets every view at once, so stepping allocates nothing.
 */

export interface Memory {
  /** The state vector the views currently read and write. */
  s: Int32Array;
}

export interface StructDef<F extends string> {
  readonly name: string;
  readonly fields: readonly F[];
  /**
   * Bit widths when the fields are packed into one word (field 0 in the low bits): for a struct
   * with many instances and small fields, where words saved in every state pay for the shifts.
   */
  readonly bits?: readonly number[];
  /** Words of the named fields: one each, or one in all when packed. */
  readonly headWords: number;
  /** Extra words after the named fields (arrays such as a task's fd table). */
  readonly tailWords: number;
  readonly words: number;
}

export function defineStruct<F extends string>(
  name: string,
  fields: readonly F[],
  tailWords = 0,
): StructDef<F> {
  return { name, fields, headWords: fields.length, tailWords, words: fields.length + tailWords };
}

/** A struct whose fields share one word, field i taking bits[i] bits (a write that does not fit throws). */
export function definePackedStruct<F extends string>(
  name: string,
  fields: readonly F[],
  bits: readonly number[],
): StructDef<F> {
  if (bits.length !== fields.length || bits.reduce((a, b) => a + b, 0) > 31)
    throw new Error(`${name}: packed fields need one width each, 31 bits in all`);
  return { name, fields, bits, headWords: 1, tailWords: 0, words: 1 };
}

/** Where field `i` of `def` sits: word offset, shift and mask (a mask of -1 for a whole word). */
function fieldPlace(def: StructDef<string>, i: number): { off: number; shift: number; mask: number } {
  if (!def.bits) return { off: i, shift: 0, mask: -1 };
  let shift = 0;
  for (let j = 0; j < i; j++) shift += def.bits[j];
  return { off: 0, shift, mask: (1 << def.bits[i]) - 1 };
}

/** Field `i` of the struct `def` at `base` of `s`: for code that compares states field by field. */
export function fieldValue(def: StructDef<string>, s: Int32Array, base: number, i: number): number {
  const { off, shift, mask } = fieldPlace(def, i);
  return mask === -1 ? s[base + off] : (s[base + off] >>> shift) & mask;
}

/** A view: the named fields as numbers, plus where it lives. */
export type View<F extends string> = { [K in F]: number } & {
  readonly def: StructDef<F>;
  /** Index of this instance in its pool (mm#0, mm#1, ...). */
  readonly index: number;
  /** Offset of the first word in the state vector. */
  readonly base: number;
  /** The tail words (an array field), read and written by index. */
  at(i: number): number;
  setAt(i: number, v: number): void;
};

/**
 * View classes by field list: pools that differ only in their tail (a kernel actor's stack words,
 * say) share one class, so that the code reading their fields sees one shape.
 */
const viewClasses = new WeakMap<
  readonly string[],
  new (
    def: StructDef<string>,
    mem: Memory,
    index: number,
    base: number,
  ) => unknown
>();

/** Builds (once per field list) a class with one accessor per field, then an instance at `base`. */
export function makeView<F extends string>(
  def: StructDef<F>,
  mem: Memory,
  index: number,
  base: number,
): View<F> {
  let Cls = viewClasses.get(def.fields);
  if (!Cls) {
    const named = def.headWords;
    class StructView {
      constructor(
        readonly def: StructDef<string>,
        readonly mem: Memory,
        readonly index: number,
        readonly base: number,
      ) {}
      at(i: number): number {
        return this.mem.s[this.base + named + i];
      }
      setAt(i: number, v: number): void {
        this.mem.s[this.base + named + i] = v;
      }
    }
    def.fields.forEach((field, i) => {
      const { off, shift, mask } = fieldPlace(def, i);
      Object.defineProperty(
        StructView.prototype,
        field,
        mask === -1
          ? {
              get(this: StructView) {
                return this.mem.s[this.base + off];
              },
              set(this: StructView, v: number) {
                this.mem.s[this.base + off] = v;
              },
            }
          : {
              get(this: StructView) {
                return (this.mem.s[this.base] >>> shift) & mask;
              },
              set(this: StructView, v: number) {
                if (v < 0 || v > mask)
                  throw new Error(
                    `${def.name}.${field} = ${v}: wider than its ${mask.toString(2).length} bits`,
                  );
                const s = this.mem.s;
                s[this.base] = (s[this.base] & ~(mask << shift)) | (v << shift);
              },
            },
      );
    });
    Cls = StructView;
    viewClasses.set(def.fields, Cls);
  }
  return new Cls(def, mem, index, base) as View<F>;
}
