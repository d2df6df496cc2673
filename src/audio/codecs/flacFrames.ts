/**
 * Splits a native FLAC stream into frames for libFLAC (fed through the package's public
 * `decodeFrames`). The package's own splitter (codec-parser) glues the final frame onto the one
 * before it when the final frame is shorter than 14 bytes — a constant subframe, i.e. trailing
 * digital silence, which speech files often end with — and libFLAC then decodes only the first
 * of the two, so the file's tail went missing. This splitter gets the last frame right.
 *
 * A frame runs from a frame header to the next frame header. A header candidate is the 14-bit sync
 * code 0xFFF8/0xFFF9 with a valid layout and CRC-8; a boundary is accepted at the first candidate
 * where the bytes since the frame start have a zero CRC-16 residue (the footer makes a whole frame's
 * CRC-16 zero). At the end of the stream the remainder is the last frame if its CRC-16 is zero.
 */

/** Frames bigger than this without a boundary mean corrupt data: resynchronise. */
const MAX_FRAME_BYTES = 1 << 24;
/** Longest possible frame header: 4 fixed + 7 UTF-8 + 2 block size + 2 rate + 1 CRC-8. */
const MAX_HEADER_BYTES = 16;

const CRC8_TABLE = (() => {
  const table = new Uint8Array(256); // [256] polynomial x^8 + x^2 + x + 1
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let b = 0; b < 8; b++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    table[i] = c;
  }
  return table;
})();

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256); // [256] polynomial x^16 + x^15 + x^2 + 1
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
    table[i] = c;
  }
  return table;
})();

export type HeaderCheck = { length: number } | "invalid" | "incomplete";

/** Validate a frame header at `at`; its length in bytes, "invalid", or "incomplete" (need more bytes). */
export function checkFrameHeader(buf: Uint8Array, at: number, end: number): HeaderCheck {
  if (end - at < 2) return "incomplete";
  if (buf[at] !== 0xff || (buf[at + 1]! & 0xfe) !== 0xf8) return "invalid";
  if (end - at < 5) return "incomplete";
  const blockCode = buf[at + 2]! >> 4;
  const rateCode = buf[at + 2]! & 0x0f;
  const channelCode = buf[at + 3]! >> 4;
  const sizeCode = (buf[at + 3]! >> 1) & 7;
  if (blockCode === 0 || rateCode === 15 || channelCode > 10 || sizeCode === 3 || (buf[at + 3]! & 1) !== 0) {
    return "invalid";
  }
  // UTF-8-style coded frame or sample number: the leading 1 bits of the first byte give the length.
  const lead = buf[at + 4]!;
  let extra: number;
  if (lead < 0x80) extra = 0;
  else if (lead >= 0xc0 && lead < 0xe0) extra = 1;
  else if (lead >= 0xe0 && lead < 0xf0) extra = 2;
  else if (lead >= 0xf0 && lead < 0xf8) extra = 3;
  else if (lead >= 0xf8 && lead < 0xfc) extra = 4;
  else if (lead >= 0xfc && lead < 0xfe) extra = 5;
  else if (lead === 0xfe) extra = 6;
  else return "invalid";
  let length = 5 + extra;
  if (blockCode === 6) length += 1;
  else if (blockCode === 7) length += 2;
  if (rateCode === 12) length += 1;
  else if (rateCode === 13 || rateCode === 14) length += 2;
  if (end - at < length + 1) return "incomplete";
  for (let i = 0; i < extra; i++) if ((buf[at + 5 + i]! & 0xc0) !== 0x80) return "invalid";
  let crc = 0;
  for (let i = 0; i < length; i++) crc = CRC8_TABLE[crc ^ buf[at + i]!]!;
  return crc === buf[at + length] ? { length: length + 1 } : "invalid";
}

export class FlacFrameSplitter {
  private buf = new Uint8Array(0);
  /** Valid bytes in `buf`. */
  private len = 0;
  /** "marker": before "fLaC"; "metadata": in the metadata blocks; "frames": in the audio. */
  private phase: "marker" | "metadata" | "frames" = "marker";
  /** Start of the current frame in `buf` (or of the next metadata block), -1 when not synced. */
  private frameAt = 0;
  /** Next byte to fold into the CRC-16, and the CRC-16 of frameAt .. scanAt - 1. */
  private scanAt = 0;
  private crc = 0;

  /** Add bytes; returns the frames they completed. */
  push(bytes: Uint8Array): Uint8Array[] {
    this.append(bytes);
    return this.split(false);
  }

  /** End of input: the frames still held, the last one included when it is whole. */
  end(): Uint8Array[] {
    return this.split(true);
  }

  private append(bytes: Uint8Array): void {
    // Drop what has been consumed, then grow if needed.
    if (this.frameAt > 0) {
      this.buf.copyWithin(0, this.frameAt, this.len);
      this.len -= this.frameAt;
      this.scanAt -= this.frameAt;
      this.frameAt = 0;
    }
    if (this.len + bytes.length > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.len + bytes.length, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  private split(atEnd: boolean): Uint8Array[] {
    const frames: Uint8Array[] = [];
    const buf = this.buf;
    for (;;) {
      if (this.phase === "marker") {
        if (this.len - this.frameAt < 4) break;
        // The caller checked "fLaC" (possibly after an ID3v2 tag): find it and step over it.
        const at = this.indexOfMarker();
        if (at < 0) {
          if (atEnd) break;
          this.frameAt = Math.max(this.frameAt, this.len - 3);
          break;
        }
        this.frameAt = at + 4;
        this.phase = "metadata";
        continue;
      }
      if (this.phase === "metadata") {
        if (this.len - this.frameAt < 4) break;
        const last = (buf[this.frameAt]! & 0x80) !== 0;
        const size = (buf[this.frameAt + 1]! << 16) | (buf[this.frameAt + 2]! << 8) | buf[this.frameAt + 3]!;
        if (this.len - this.frameAt < 4 + size) break;
        this.frameAt += 4 + size;
        if (last) {
          this.phase = "frames";
          this.startFrame();
        }
        continue;
      }
      // Frames: make sure frameAt is at a valid header, resynchronising over garbage.
      const header = checkFrameHeader(buf, this.frameAt, this.len);
      if (header === "incomplete") break;
      if (header === "invalid") {
        this.frameAt = this.nextSync(this.frameAt + 1);
        this.startFrame();
        if (this.frameAt >= this.len - 1) break;
        continue;
      }
      if (this.scanAt < this.frameAt + header.length) this.foldTo(this.frameAt + header.length);
      const boundary = this.findBoundary(atEnd);
      if (boundary === "wait") break;
      if (boundary === "none") {
        // Corrupt frame (no boundary within reach, or a bad last frame): skip to the next sync.
        if (atEnd && this.scanAt >= this.len) {
          if (this.crc === 0 && this.len > this.frameAt) frames.push(buf.slice(this.frameAt, this.len));
          this.frameAt = this.len;
          this.startFrame();
          break;
        }
        this.frameAt = this.nextSync(this.frameAt + 1);
        this.startFrame();
        continue;
      }
      frames.push(buf.slice(this.frameAt, boundary));
      this.frameAt = boundary;
      this.startFrame();
    }
    return frames;
  }

  private indexOfMarker(): number {
    const buf = this.buf;
    for (let i = this.frameAt; i + 4 <= this.len; i++) {
      if (buf[i] === 0x66 && buf[i + 1] === 0x4c && buf[i + 2] === 0x61 && buf[i + 3] === 0x43) return i;
    }
    return -1;
  }

  private startFrame(): void {
    this.scanAt = this.frameAt;
    this.crc = 0;
  }

  private foldTo(until: number): void {
    const buf = this.buf;
    let crc = this.crc;
    for (let i = this.scanAt; i < until; i++) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[(crc >> 8) ^ buf[i]!]!;
    this.crc = crc;
    this.scanAt = until;
  }

  /**
   * Scan from scanAt for the end of the current frame: the first sync position with a zero CRC-16
   * so far and a valid header there. "wait" when more input is needed to decide.
   */
  private findBoundary(atEnd: boolean): number | "wait" | "none" {
    const buf = this.buf;
    while (this.scanAt < this.len) {
      const q = this.scanAt;
      if (q - this.frameAt > MAX_FRAME_BYTES) return "none";
      if (this.crc === 0 && buf[q] === 0xff) {
        const next = checkFrameHeader(buf, q, this.len);
        if (next === "incomplete" && !atEnd && this.len - q < MAX_HEADER_BYTES) return "wait";
        if (typeof next === "object") return q;
      }
      this.foldTo(q + 1);
    }
    return atEnd ? "none" : "wait";
  }

  private nextSync(from: number): number {
    const buf = this.buf;
    for (let i = from; i + 1 < this.len; i++) if (buf[i] === 0xff && (buf[i + 1]! & 0xfe) === 0xf8) return i;
    return Math.max(from, this.len - 1);
  }
}
