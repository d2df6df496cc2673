/**
 * The bit packing of `.ecdc` code streams without the language model (upstream binary.py's
 * BitPacker / BitUnpacker): values of `bits` bits each, least significant bit first, joined into
 * a little-endian bit stream and written a byte at a time as bytes fill; a flush writes the last
 * partial byte (zeros above), so the next stream starts on a byte boundary.
 */

export class BitPacker {
  private readonly bytes: number[] = [];
  private value = 0;
  private filled = 0;

  constructor(private readonly bits: number) {}

  push(value: number): void {
    // At most 7 pending bits plus a value of ≤ 24 bits: within a double's exact integers.
    this.value += value * 2 ** this.filled;
    this.filled += this.bits;
    while (this.filled >= 8) {
      this.bytes.push(this.value % 256);
      this.value = Math.floor(this.value / 256);
      this.filled -= 8;
    }
  }

  /** Writes the partial byte, if any; the stream restarts on a byte boundary. */
  flush(): void {
    if (this.filled > 0) this.bytes.push(this.value);
    this.value = 0;
    this.filled = 0;
  }

  /** The bytes written so far. */
  take(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Reads `count` values of `bits` bits from `bytes` at `offset`; null when the bytes end first. */
export function unpackBits(bytes: Uint8Array, offset: number, bits: number, count: number): { values: Int32Array; end: number } | null {
  const values = new Int32Array(count);
  let position = offset;
  let value = 0;
  let filled = 0;
  for (let i = 0; i < count; i++) {
    while (filled < bits) {
      if (position >= bytes.length) return null;
      value += bytes[position++]! * 2 ** filled;
      filled += 8;
    }
    const low = value % 2 ** bits;
    values[i] = low;
    value = (value - low) / 2 ** bits;
    filled -= bits;
  }
  return { values, end: position };
}
