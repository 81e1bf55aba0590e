/**
 * Bit layouts of 64-bit table entries and 128-bit descriptors, declared once as tables of fields.
 *
 * A layout is a list of fields, each a bit range `hi:lo` (inclusive) of one 64-bit quadword. The
 * words a layout reads and writes are the simulated memory's 32-bit words, little-endian as on
 * x86: quadword q of a descriptor at word `offset` is `offset + 2q` (bits 31:0) and
 * `offset + 2q + 1` (bits 63:32). Encode, decode and the single-field accessors are all derived
 * from the table, so the bit positions are written in exactly one place.
 *
 * A field value is a JavaScript number: a non-negative integer no larger than both the field's
 * width and 2^53 - 1. Fields may cross the 32-bit boundary (ADDR 63:12 holds a 52-bit page
 * number); they are split into two parts with division, never with 32-bit shifts of the whole
 * value, so nothing is lost. A field wider than 53 bits (a wait descriptor's status address,
 * 63:2) is allowed, but a value in it above 2^53 - 1 cannot be a number: encoding one is an
 * error, and decoding one throws rather than return a rounded value.
 */

/** The memory a layout reads and writes: the simulator's 32-bit word arrays. */
export type Words = Int32Array | Uint32Array;

export interface FieldSpec<N extends string = string> {
  /** The kernel's or the VT-d specification's name for the field. */
  readonly name: N;
  /** Which 64-bit quadword of the entry holds it (0 or 1). */
  readonly qw: number;
  /** Lowest bit, within the quadword. */
  readonly lo: number;
  /** Highest bit, within the quadword, inclusive. */
  readonly hi: number;
  /** What the field means, and which kernel macro or struct member writes it. */
  readonly doc: string;
  /**
   * A field whose value is fixed by the layout (a descriptor's type in bits 3:0): encode writes
   * it unasked and refuses any other value.
   */
  readonly fixed?: number;
}

export interface LayoutSpec<N extends string> {
  /** The kernel's name for the entry or descriptor, used in errors and traces. */
  readonly name: string;
  /** Size in 64-bit quadwords: 1 for a table entry, 2 for a 128-bit descriptor. */
  readonly quadwords: 1 | 2;
  readonly doc: string;
  readonly fields: readonly FieldSpec<N>[];
}

export type Values<N extends string> = Record<N, number>;

/** One field with its bit positions resolved to words, shifts and masks once, at definition. */
export class Field {
  readonly name: string;
  readonly qw: number;
  readonly lo: number;
  readonly hi: number;
  readonly width: number;
  readonly doc: string;
  readonly fixed: number | undefined;
  /** Largest value the field holds as a number: min(2^width - 1, 2^53 - 1). */
  readonly max: number;
  /** Word (relative to the entry) holding the field, or its low part when it crosses bit 32. */
  readonly word: number;
  /** Bit position of the field (or its low part) within `word`. */
  readonly shift: number;
  /** Bits of the field held in `word`. */
  readonly lowWidth: number;
  /** Bits of the field held in `word + 1` (0 unless the field crosses bit 32). */
  readonly highWidth: number;
  /** Mask of `lowWidth` bits, as an int32 (-1 for all 32). */
  readonly lowMask: number;
  /** Mask of `highWidth` bits, as an int32. */
  readonly highMask: number;
  /** 2^lowWidth: the weight of the high part. */
  readonly lowSpan: number;

  constructor(spec: FieldSpec) {
    this.name = spec.name;
    this.qw = spec.qw;
    this.lo = spec.lo;
    this.hi = spec.hi;
    this.width = spec.hi - spec.lo + 1;
    this.doc = spec.doc;
    this.fixed = spec.fixed;
    this.max = this.width >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** this.width - 1;
    const inHighWord = spec.lo >= 32;
    this.word = 2 * spec.qw + (inHighWord ? 1 : 0);
    this.shift = spec.lo % 32;
    if (inHighWord || spec.hi < 32) {
      this.lowWidth = this.width;
      this.highWidth = 0;
    } else {
      this.lowWidth = 32 - spec.lo;
      this.highWidth = spec.hi - 31;
    }
    this.lowMask = maskOf(this.lowWidth);
    this.highMask = maskOf(this.highWidth);
    this.lowSpan = 2 ** this.lowWidth;
  }
}

const maskOf = (width: number): number => (width >= 32 ? -1 : (1 << width) - 1);

const hex = (value: number | bigint): string => `0x${value.toString(16)}`;

/** A declared layout: the table of fields and the encode/decode derived from it. */
export class Layout<N extends string> {
  readonly name: string;
  readonly doc: string;
  readonly quadwords: number;
  /** Size in 32-bit words. */
  readonly words: number;
  readonly fields: readonly Field[];
  private readonly byName: Readonly<Record<string, Field>>;

  constructor(spec: LayoutSpec<N>) {
    this.name = spec.name;
    this.doc = spec.doc;
    this.quadwords = spec.quadwords;
    this.words = 2 * spec.quadwords;
    const byName: Record<string, Field> = Object.create(null);
    const fields: Field[] = [];
    for (const fs of spec.fields) {
      checkFieldSpec(spec, fs);
      if (byName[fs.name] !== undefined) {
        throw new Error(`layout ${spec.name}: field ${fs.name} is declared twice`);
      }
      for (const other of fields) {
        if (other.qw === fs.qw && other.lo <= fs.hi && fs.lo <= other.hi) {
          throw new Error(
            `layout ${spec.name}: field ${fs.name} (QW${fs.qw} ${fs.hi}:${fs.lo}) overlaps ` +
              `field ${other.name} (QW${other.qw} ${other.hi}:${other.lo})`,
          );
        }
      }
      const field = new Field(fs);
      byName[fs.name] = field;
      fields.push(field);
    }
    this.fields = fields;
    this.byName = byName;
  }

  /** The field called `name`, for its bit positions and documentation. */
  field(name: N): Field {
    return this.fieldOf(name);
  }

  /**
   * Writes the whole entry at `out[offset ..]`: every field in `values`, every fixed field, and
   * zero in every other bit (reserved bits included), as the kernel's `desc.low = A | B | ...`
   * leaves unnamed bits zero. Throws if a value does not fit its field.
   */
  encode(values: Partial<Values<N>>, out: Words, offset: number): void {
    for (const name in values) {
      if (this.byName[name] === undefined) {
        throw new Error(`layout ${this.name} has no field ${name}`);
      }
    }
    this.checkRange(out, offset);
    out.fill(0, offset, offset + this.words);
    const given = values as Partial<Record<string, number>>;
    for (const f of this.fields) {
      const v = given[f.name];
      if (v === undefined) {
        if (f.fixed !== undefined) this.write(out, offset, f, f.fixed);
        continue;
      }
      this.check(f, v);
      this.write(out, offset, f, v);
    }
  }

  /** Reads every field of the entry at `words[offset ..]`. */
  decode(words: Words, offset: number): Values<N> {
    this.checkRange(words, offset);
    const result: Record<string, number> = {};
    for (const f of this.fields) result[f.name] = this.read(words, offset, f);
    return result as Values<N>;
  }

  /** Reads one field; allocates nothing. */
  get(words: Words, offset: number, name: N): number {
    this.checkRange(words, offset);
    return this.read(words, offset, this.fieldOf(name));
  }

  /** Writes one field, leaving every other bit as it was; allocates nothing. */
  set(words: Words, offset: number, name: N, value: number): void {
    const f = this.fieldOf(name);
    this.check(f, value);
    this.checkRange(words, offset);
    this.write(words, offset, f, value);
  }

  /** True when every fixed field (a descriptor's type) holds its value: the entry is of this kind. */
  matches(words: Words, offset: number): boolean {
    this.checkRange(words, offset);
    for (const f of this.fields) {
      if (f.fixed !== undefined && this.read(words, offset, f) !== f.fixed) return false;
    }
    return true;
  }

  /** The entry as one bigint per quadword, as the kernel's `u64 low, high` would hold it. */
  encodeBig(values: Partial<Values<N>>): bigint[] {
    const words = new Uint32Array(this.words);
    this.encode(values, words, 0);
    const out: bigint[] = [];
    for (let q = 0; q < this.quadwords; q++) {
      out.push(BigInt(words[2 * q]) | (BigInt(words[2 * q + 1]) << 32n));
    }
    return out;
  }

  /** Reads every field from quadwords given as bigints (a value computed from kernel macros). */
  decodeBig(quadwords: readonly bigint[]): Values<N> {
    if (quadwords.length !== this.quadwords) {
      throw new Error(`layout ${this.name}: expected ${this.quadwords} quadwords, got ${quadwords.length}`);
    }
    const words = new Uint32Array(this.words);
    quadwords.forEach((qw, q) => {
      if (qw < 0n || qw >= 1n << 64n) {
        throw new Error(`layout ${this.name}: quadword ${q} (${hex(qw)}) is not a 64-bit value`);
      }
      words[2 * q] = Number(qw & 0xffffffffn);
      words[2 * q + 1] = Number(qw >> 32n);
    });
    return this.decode(words, 0);
  }

  /** The quadwords in hex, high to low bit, the way the kernel prints a descriptor (`%016llx`). */
  hex(values: Partial<Values<N>>): string {
    return this.encodeBig(values)
      .map((qw) => `0x${qw.toString(16).padStart(16, '0')}`)
      .join(' ');
  }

  /** One line for traces: the layout name, each non-zero field, then the raw quadwords. */
  format(values: Partial<Values<N>>): string {
    const given = values as Partial<Record<string, number>>;
    const parts: string[] = [];
    for (const f of this.fields) {
      const v = given[f.name] ?? f.fixed ?? 0;
      if (v !== 0) parts.push(`${f.name}=${f.width === 1 ? String(v) : hex(v)}`);
    }
    return `${this.name} {${parts.join(' ')}} [${this.hex(values)}]`;
  }

  private fieldOf(name: string): Field {
    const f = this.byName[name];
    if (f === undefined) throw new Error(`layout ${this.name} has no field ${name}`);
    return f;
  }

  private check(f: Field, v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > f.max) {
      throw new Error(
        `layout ${this.name}: value ${v} does not fit field ${f.name} ` +
          `(QW${f.qw} bits ${f.hi}:${f.lo}, an integer from 0 to ${hex(f.max)})`,
      );
    }
    if (f.fixed !== undefined && v !== f.fixed) {
      throw new Error(`layout ${this.name}: field ${f.name} is fixed at ${hex(f.fixed)}, not ${hex(v)}`);
    }
  }

  private checkRange(words: Words, offset: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset + this.words > words.length) {
      throw new Error(
        `layout ${this.name}: ${this.words} words at offset ${offset} do not fit in ${words.length} words`,
      );
    }
  }

  private read(words: Words, offset: number, f: Field): number {
    const low = ((words[offset + f.word] >>> f.shift) & f.lowMask) >>> 0;
    if (f.highWidth === 0) return low;
    const value = low + ((words[offset + f.word + 1] & f.highMask) >>> 0) * f.lowSpan;
    if (value > Number.MAX_SAFE_INTEGER) {
      throw new Error(
        `layout ${this.name}: field ${f.name} (QW${f.qw} bits ${f.hi}:${f.lo}) holds a value above 2^53 - 1, ` +
          'which a number cannot hold exactly; read the quadword as a bigint instead',
      );
    }
    return value;
  }

  /** Writes a value already checked against the field. */
  private write(words: Words, offset: number, f: Field, v: number): void {
    const i = offset + f.word;
    if (f.highWidth === 0) {
      const m = f.lowMask << f.shift;
      words[i] = (words[i] & ~m) | ((v << f.shift) & m);
      return;
    }
    // The field crosses bit 32, so f.lowWidth + f.shift === 32: the low part fills the top of
    // word i. Split by division; a 32-bit shift of v would drop its bits above 31.
    const low = v % f.lowSpan;
    const high = (v - low) / f.lowSpan;
    const keep = f.shift === 0 ? 0 : (1 << f.shift) - 1;
    words[i] = (words[i] & keep) | (low << f.shift);
    words[i + 1] = (words[i + 1] & ~f.highMask) | high;
  }
}

function checkFieldSpec(spec: LayoutSpec<string>, fs: FieldSpec): void {
  const where = `layout ${spec.name}: field ${fs.name}`;
  if (!Number.isInteger(fs.qw) || fs.qw < 0 || fs.qw >= spec.quadwords) {
    throw new Error(`${where}: quadword ${fs.qw} is outside the ${spec.quadwords}-quadword layout`);
  }
  if (!Number.isInteger(fs.lo) || !Number.isInteger(fs.hi) || fs.lo < 0 || fs.hi > 63 || fs.lo > fs.hi) {
    throw new Error(`${where}: bits ${fs.hi}:${fs.lo} are not a range within 63:0`);
  }
  const width = fs.hi - fs.lo + 1;
  const max = width >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** width - 1;
  if (fs.fixed !== undefined && (!Number.isInteger(fs.fixed) || fs.fixed < 0 || fs.fixed > max)) {
    throw new Error(`${where}: fixed value ${fs.fixed} does not fit bits ${fs.hi}:${fs.lo}`);
  }
}

/**
 * Declares a layout. Throws at once if a field lies outside its quadword, is declared twice, or
 * overlaps another field of the same quadword.
 */
export function defineLayout<const N extends string>(spec: LayoutSpec<N>): Layout<N> {
  return new Layout(spec);
}

/** The quadwords at `words[offset ..]` as bigints, for tests and traces. */
export function readQuadwords(words: Words, offset: number, quadwords: number): bigint[] {
  const out: bigint[] = [];
  for (let q = 0; q < quadwords; q++) {
    const lo = words[offset + 2 * q] >>> 0;
    const hi = words[offset + 2 * q + 1] >>> 0;
    out.push(BigInt(lo) | (BigInt(hi) << 32n));
  }
  return out;
}
