/**
 * Writers for small audio files the tests generate: WAV (any PCM/float layout), FLAC with verbatim
 * subframes (any bit depth, any channels), and Ogg Opus made of empty (silent) packets. Written
 * from the format specifications so the decoders are checked against bytes nobody else produced.
 */

// ---------------------------------------------------------------------------------------------
// WAV

export interface WavSpec {
  rate: number;
  /** 1 = PCM, 3 = IEEE float. */
  tag?: number;
  bits?: number;
  /** Interleaved per frame: channels[c][i]. */
  channels: ArrayLike<number>[];
}

/** A RIFF/WAVE file; integer samples are given as integers, float samples as floats. */
export function wavBytes(spec: WavSpec): Buffer {
  const tag = spec.tag ?? 1;
  const bits = spec.bits ?? 16;
  const channels = spec.channels.length;
  const frames = spec.channels[0]!.length;
  const bytesPer = bits / 8;
  const data = Buffer.alloc(frames * channels * bytesPer);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const at = (i * channels + c) * bytesPer;
      const v = spec.channels[c]![i]!;
      if (tag === 3) {
        if (bits === 32) data.writeFloatLE(v, at);
        else data.writeDoubleLE(v, at);
      } else if (bits === 8) data.writeUInt8(v, at);
      else data.writeIntLE(v, at, bytesPer);
    }
  }
  const fmt = Buffer.alloc(24);
  fmt.write("fmt ", 0, "latin1");
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(tag, 8);
  fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(spec.rate, 12);
  fmt.writeUInt32LE(spec.rate * channels * bytesPer, 16);
  fmt.writeUInt16LE(channels * bytesPer, 20);
  fmt.writeUInt16LE(bits, 22);
  const dataHead = Buffer.alloc(8);
  dataHead.write("data", 0, "latin1");
  dataHead.writeUInt32LE(data.length, 4);
  const head = Buffer.alloc(12);
  head.write("RIFF", 0, "latin1");
  head.writeUInt32LE(4 + fmt.length + dataHead.length + data.length, 4);
  head.write("WAVE", 8, "latin1");
  return Buffer.concat([head, fmt, dataHead, data]);
}

/** Integer PCM16 samples of a sine: round(amplitude * 32767 * sin(2π f i / rate)). */
export function sine16(length: number, rate: number, freq: number, amplitude = 0.5): Int16Array {
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

// ---------------------------------------------------------------------------------------------
// FLAC (verbatim subframes)

class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, bits: number): void {
    for (let b = bits - 1; b >= 0; b--) {
      this.acc = (this.acc << 1) | (Math.floor(value / 2 ** b) & 1);
      if (++this.n === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
  }
  align(): void {
    while (this.n !== 0) this.write(0, 1);
  }
  toBytes(): number[] {
    return this.bytes.slice();
  }
}

function crc8(bytes: number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16(bytes: number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

const FLAC_SIZE_CODES: Record<number, number> = { 8: 1, 12: 2, 16: 4, 20: 5, 24: 6, 32: 7 };
const FLAC_RATE_CODES: Record<number, number> = {
  88200: 1, 176400: 2, 192000: 3, 8000: 4, 16000: 5, 22050: 6, 24000: 7, 32000: 8, 44100: 9, 48000: 10, 96000: 11,
};

/**
 * A native FLAC file: STREAMINFO, then frames of `blockSize` (the last may be shorter) with one
 * VERBATIM subframe per channel (independent channels). Samples are signed integers of `bits` bits.
 */
export function flacBytes(rate: number, bits: number, channels: ArrayLike<number>[], blockSize = 1152): Buffer {
  const count = channels.length;
  const total = channels[0]!.length;
  const info = new BitWriter();
  info.write(blockSize, 16);
  info.write(blockSize, 16);
  info.write(0, 24);
  info.write(0, 24);
  info.write(rate, 20);
  info.write(count - 1, 3);
  info.write(bits - 1, 5);
  info.write(total, 36);
  for (let i = 0; i < 16; i++) info.write(0, 8); // MD5 unset
  const out: number[] = [0x66, 0x4c, 0x61, 0x43, 0x80, 0, 0, 34, ...info.toBytes()];
  for (let start = 0, frame = 0; start < total; start += blockSize, frame++) {
    const size = Math.min(blockSize, total - start);
    const w = new BitWriter();
    w.write(0xfff8, 16); // sync, fixed block size
    w.write(7, 4); // block size: 16-bit (size - 1) after the header
    // The rate in the frame header (decoders fed frames alone have no STREAMINFO to look it up in):
    // a table code, or code 13 with the rate in Hz after the block size.
    const rateCode = FLAC_RATE_CODES[rate] ?? 13;
    w.write(rateCode, 4);
    w.write(count - 1, 4); // independent channels
    w.write(FLAC_SIZE_CODES[bits]!, 3);
    w.write(0, 1);
    if (frame >= 128) throw new Error("flacBytes: keep test files under 128 frames");
    w.write(frame, 8); // UTF-8 coded frame number (< 128: one byte)
    w.write(size - 1, 16);
    if (rateCode === 13) w.write(rate, 16);
    const header = w.toBytes();
    const body = new BitWriter();
    for (const byte of header) body.write(byte, 8);
    body.write(crc8(header), 8);
    for (let c = 0; c < count; c++) {
      body.write(0b00000010, 8); // VERBATIM, no wasted bits
      for (let i = 0; i < size; i++) {
        const v = channels[c]![start + i]!;
        body.write(v < 0 ? v + 2 ** bits : v, bits);
      }
    }
    body.align();
    const bytes = body.toBytes();
    const crc = crc16(bytes);
    out.push(...bytes, crc >> 8, crc & 0xff);
  }
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------------------------
// Ogg Opus (silent)

const OGG_CRC = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let b = 0; b < 8; b++) r = r & 0x80000000 ? ((r << 1) ^ 0x04c11db7) >>> 0 : (r << 1) >>> 0;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggPage(packets: Buffer[], granule: number, sequence: number, flags: number): Buffer {
  const lacing: number[] = [];
  for (const p of packets) {
    let n = p.length;
    while (n >= 255) {
      lacing.push(255);
      n -= 255;
    }
    lacing.push(n);
  }
  const head = Buffer.alloc(27 + lacing.length);
  head.write("OggS", 0, "latin1");
  head[5] = flags;
  head.writeBigInt64LE(BigInt(granule), 6);
  head.writeUInt32LE(0x53335455, 14); // serial
  head.writeUInt32LE(sequence, 18);
  head[26] = lacing.length;
  lacing.forEach((l, i) => (head[27 + i] = l));
  const page = Buffer.concat([head, ...packets]);
  let crc = 0;
  for (const byte of page) crc = ((crc << 8) ^ OGG_CRC[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  page.writeUInt32LE(crc, 22);
  return page;
}

/**
 * An Ogg Opus file of `packets` 20 ms packets whose frames are empty (decoded as silence), with
 * the given pre-skip and a final granule position that trims `trim` samples off the end.
 * Decoded length at 48 kHz: packets * 960 - preSkip - trim.
 */
export function silentOpusBytes(packets: number, channels: number, preSkip: number, trim: number): Buffer {
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "latin1");
  head[8] = 1;
  head[9] = channels;
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(16000, 12);
  const tags = Buffer.alloc(16);
  tags.write("OpusTags", 0, "latin1");
  // TOC: CELT-only fullband 20 ms, stereo flag per channels, one frame; no frame bytes follow.
  const toc = Buffer.from([0xf8 | (channels === 2 ? 0x04 : 0)]);
  const audio = Array.from({ length: packets }, () => toc);
  const half = Math.floor(packets / 2);
  return Buffer.concat([
    oggPage([head], 0, 0, 0x02),
    oggPage([tags], 0, 1, 0),
    oggPage(audio.slice(0, half), half * 960, 2, 0),
    oggPage(audio.slice(half), packets * 960 - trim, 3, 0x04),
  ]);
}
