/**
 * A small pickle emitter (protocol 2 opcodes, written by hand), for the checkpoint writer and for
 * crafting test pickles. `value` writes plain data -- Map as dict, array as list, string, number
 * (integers as int, others as float), boolean, null as None; everything else goes through
 * opcode methods the caller sequences itself.
 */

/** Items per SETITEMS/APPENDS, as Python's pickler batches them (readers spread a batch as arguments). */
const BATCH = 1000;

/** Builds one pickle's bytes. */
export class PickleWriter {
  private readonly chunks: Uint8Array[] = [];

  /** Raw bytes (for crafting damaged pickles). */
  raw(bytes: Uint8Array | readonly number[]): this {
    this.chunks.push(Uint8Array.from(bytes));
    return this;
  }

  private op(code: string, ...payload: Uint8Array[]): this {
    this.chunks.push(Uint8Array.of(code.charCodeAt(0)), ...payload);
    return this;
  }

  proto(version = 2): this {
    return this.raw([0x80, version]);
  }
  stop(): this {
    return this.op(".");
  }
  mark(): this {
    return this.op("(");
  }
  none(): this {
    return this.op("N");
  }
  bool(value: boolean): this {
    return this.raw([value ? 0x88 : 0x89]);
  }
  emptyDict(): this {
    return this.op("}");
  }
  emptyList(): this {
    return this.op("]");
  }
  emptyTuple(): this {
    return this.op(")");
  }
  /** TUPLE: the items since the last mark. */
  tuple(): this {
    return this.op("t");
  }
  setItems(): this {
    return this.op("u");
  }
  /** SETITEM: one key and value into the dict below them. */
  setItem(): this {
    return this.op("s");
  }
  appends(): this {
    return this.op("e");
  }
  reduce(): this {
    return this.op("R");
  }
  build(): this {
    return this.op("b");
  }
  binPersId(): this {
    return this.op("Q");
  }
  /** GLOBAL module name (protocol 0-3 form, as torch writes it). */
  global(module: string, name: string): this {
    return this.op("c", new TextEncoder().encode(`${module}\n${name}\n`));
  }

  int(value: number | bigint): this {
    const n = BigInt(value);
    if (n >= 0n && n < 256n) return this.raw([0x4b, Number(n)]); // BININT1
    if (n >= 0n && n < 65536n) return this.raw([0x4d, Number(n) & 0xff, Number(n) >> 8]); // BININT2
    if (n >= -(2n ** 31n) && n < 2n ** 31n) {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, Number(n), true);
      return this.op("J", b); // BININT
    }
    // LONG1: little-endian two's complement, as few bytes as keep the sign.
    const bytes: number[] = [];
    let rest = n;
    for (;;) {
      bytes.push(Number(rest & 0xffn));
      rest >>= 8n;
      const signBit = (bytes[bytes.length - 1]! & 0x80) !== 0;
      if ((rest === 0n && !signBit) || (rest === -1n && signBit)) break;
    }
    return this.raw([0x8a, bytes.length, ...bytes]);
  }

  float(value: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, false); // BINFLOAT is big-endian
    return this.op("G", b);
  }

  string(value: string): this {
    const utf8 = new TextEncoder().encode(value);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, utf8.length, true);
    return this.op("X", length, utf8); // BINUNICODE
  }

  /**
   * Plain data: Map -> dict, array -> list, string, integer -> int, other number -> float,
   * bigint -> int, boolean, null -> None. `other` writes anything else (e.g. a tensor).
   */
  value(value: unknown, other?: (writer: PickleWriter, value: unknown) => void): this {
    if (value === null) return this.none();
    if (typeof value === "boolean") return this.bool(value);
    if (typeof value === "bigint") return this.int(value);
    if (typeof value === "number") return Number.isInteger(value) ? this.int(value) : this.float(value);
    if (typeof value === "string") return this.string(value);
    if (value instanceof Map) {
      this.emptyDict();
      const entries = [...value];
      for (let i = 0; i < entries.length; i += BATCH) {
        this.mark();
        for (const [key, item] of entries.slice(i, i + BATCH)) this.value(key, other).value(item, other);
        this.setItems();
      }
      return this;
    }
    if (Array.isArray(value)) {
      this.emptyList();
      for (let i = 0; i < value.length; i += BATCH) {
        this.mark();
        for (const item of value.slice(i, i + BATCH)) this.value(item, other);
        this.appends();
      }
      return this;
    }
    if (other === undefined) throw new TypeError(`PickleWriter.value: cannot pickle ${Object.prototype.toString.call(value)}`);
    other(this, value);
    return this;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}
