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
  /** Extra words after the named fields (arrays such as a task's fd table). */
  readonly tailWords: number;
  readonly words: number;
}

export function defineStruct<F extends string>(
  name: string,
  fields: readonly F[],
  tailWords = 0,
): StructDef<F> {
  return { name, fields, tailWords, words: fields.length + tailWords };
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

const viewClasses = new WeakMap<
  StructDef<string>,
  new (
    mem: Memory,
    index: number,
    base: number,
  ) => unknown
>();

/** Builds (once per struct) a class with one accessor per field, then an instance at `base`. */
export function makeView<F extends string>(
  def: StructDef<F>,
  mem: Memory,
  index: number,
  base: number,
): View<F> {
  let Cls = viewClasses.get(def);
  if (!Cls) {
    class StructView {
      constructor(
        readonly mem: Memory,
        readonly index: number,
        readonly base: number,
      ) {}
      get def() {
        return def;
      }
      at(i: number): number {
        return this.mem.s[this.base + def.fields.length + i];
      }
      setAt(i: number, v: number): void {
        this.mem.s[this.base + def.fields.length + i] = v;
      }
    }
    def.fields.forEach((field, off) => {
      Object.defineProperty(StructView.prototype, field, {
        get(this: StructView) {
          return this.mem.s[this.base + off];
        },
        set(this: StructView, v: number) {
          this.mem.s[this.base + off] = v;
        },
      });
    });
    Cls = StructView;
    viewClasses.set(def, Cls);
  }
  return new Cls(mem, index, base) as View<F>;
}
