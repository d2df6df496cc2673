/**
 * RIFF/WAVE reader. Upstream loads audio with torchaudio and keeps only the first channel (the
 * others are decoded only for a model that takes them), with integer PCM scaled to [-1, 1) (16-bit: x / 32768); this does the same for uncompressed WAV.
 *
 * Supported: PCM integer 8 (unsigned), 16, 24 and 32 bit; IEEE float 32 and 64 bit; both as plain
 * format tags and inside WAVE_FORMAT_EXTENSIBLE. Every failure is an AudioDecodeError that names
 * the file and what is wrong with it. Bytes only (wav.ts reads files).
 */

import { AudioDecodeError } from "../errors.js";
import { checkChannels, checkSampleRate } from "./limits.js";

export interface DecodedWav {
  /** The first channel only, as float32 in [-1, 1]. */
  samples: Float32Array; // [frames]
  sampleRate: number;
  /** Channel count of the file (channel 0 is decoded; the others when asked). */
  channels: number;
  /** Channels 1 .. channels − 1, decoded when called; absent for a mono file. */
  otherChannels?: () => Float32Array[]; // channels − 1 × [frames]
}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;

/**
 * Data sizes that writers streaming to a pipe (which cannot seek back to patch the header) put in
 * place of the real one: ffmpeg writes 0xFFFFFFFF, sox 0x7FFFF000. With these the data runs to the
 * end of the input; any other size larger than the input is a truncated file.
 */
const UNKNOWN_DATA_SIZES = new Set([0xffffffff, 0x7ffff000]);

/** Names for format tags people commonly meet, so the error says what the file actually is. */
const FORMAT_NAMES: Record<number, string> = {
  0x0002: "Microsoft ADPCM",
  0x0006: "A-law",
  0x0007: "mu-law",
  0x0011: "IMA ADPCM",
  0x0055: "MPEG Layer 3",
  0x0050: "MPEG",
  0x00ff: "AAC",
};

/** Tail (bytes 2..15) of the KSDATAFORMAT_SUBTYPE GUIDs; bytes 0..1 carry the plain format tag. */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function fourcc(bytes: Uint8Array, at: number): string {
  let s = "";
  for (let i = at; i < at + 4 && i < bytes.length; i++) {
    const c = bytes[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`;
  }
  return s;
}

/** A short hint when a non-WAV file is passed, since only WAV is decoded. */
function sniff(bytes: Uint8Array): string {
  const head = fourcc(bytes, 0);
  if (head === "fLaC") return " (looks like FLAC; only WAV is supported)";
  if (head.startsWith("ID3") || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) {
    return " (looks like MP3; only WAV is supported)";
  }
  if (head === "OggS") return " (looks like Ogg; only WAV is supported)";
  if (head === "RF64") return " (RF64 large-file WAV is not supported)";
  return "";
}

/** The fmt chunk, reduced to what decoding needs (the extensible sub-format resolved). */
export interface WavFormat {
  tag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bits: number;
}

function parseFmt(view: DataView, bytes: Uint8Array, at: number, size: number, source: string): WavFormat {
  if (size < 16) throw new AudioDecodeError(source, `fmt chunk is ${size} bytes, at least 16 are needed`);
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (size < 40) {
      throw new AudioDecodeError(source, `WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes, 40 are needed`);
    }
    const guid = at + 24;
    const tail = bytes.subarray(guid + 2, guid + 16);
    if (!SUBTYPE_GUID_TAIL.every((b, i) => tail[i] === b)) {
      throw new AudioDecodeError(source, "unsupported WAVE_FORMAT_EXTENSIBLE sub-format (unknown GUID)");
    }
    tag = view.getUint16(guid, true);
  }
  if (channels === 0) throw new AudioDecodeError(source, "fmt chunk says 0 channels");
  if (sampleRate === 0) throw new AudioDecodeError(source, "fmt chunk says a sample rate of 0 Hz");
  // The header is validated before anything is sized from it (the caller allocates by frames).
  checkChannels(channels, source);
  checkSampleRate(sampleRate, source);
  const pcmOk = tag === FORMAT_PCM && (bits === 8 || bits === 16 || bits === 24 || bits === 32);
  const floatOk = tag === FORMAT_FLOAT && (bits === 32 || bits === 64);
  if (!pcmOk && !floatOk) {
    const hex = `0x${tag.toString(16).padStart(4, "0")}`;
    const name =
      tag === FORMAT_PCM ? "PCM" : tag === FORMAT_FLOAT ? "IEEE float" : (FORMAT_NAMES[tag] ?? "unknown");
    throw new AudioDecodeError(
      source,
      `unsupported WAV format: format tag ${hex} (${name}), ${bits} bits per sample; ` +
        "supported are PCM 8/16/24/32-bit and IEEE float 32/64-bit",
    );
  }
  if (blockAlign !== (channels * bits) / 8) {
    throw new AudioDecodeError(
      source,
      `fmt chunk block align is ${blockAlign}, expected ${(channels * bits) / 8} for ${channels} channels of ${bits} bits`,
    );
  }
  return { tag, channels, sampleRate, blockAlign, bits };
}

/** Decode channel 0 of `frames` frames starting at byte `at`. */
export function decodeFirstChannel(view: DataView, at: number, frames: number, fmt: WavFormat): Float32Array {
  const out = new Float32Array(frames); // [frames]
  const step = fmt.blockAlign;
  if (fmt.tag === FORMAT_FLOAT) {
    if (fmt.bits === 32) for (let i = 0; i < frames; i++) out[i] = view.getFloat32(at + i * step, true);
    else for (let i = 0; i < frames; i++) out[i] = view.getFloat64(at + i * step, true);
    return out;
  }
  switch (fmt.bits) {
    case 8: // unsigned, 128 = silence
      for (let i = 0; i < frames; i++) out[i] = (view.getUint8(at + i * step) - 128) / 128;
      break;
    case 16:
      for (let i = 0; i < frames; i++) out[i] = view.getInt16(at + i * step, true) / 32768;
      break;
    case 24:
      for (let i = 0; i < frames; i++) {
        const o = at + i * step;
        const u = view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getUint8(o + 2) << 16);
        out[i] = ((u << 8) >> 8) / 8388608; // sign-extend 24 -> 32 bits
      }
      break;
    default: // 32
      for (let i = 0; i < frames; i++) out[i] = view.getInt32(at + i * step, true) / 2147483648;
      break;
  }
  return out;
}

/** Decode channel `channel` of `frames` frames whose first frame starts at byte `at`. */
export function decodeChannel(view: DataView, at: number, frames: number, fmt: WavFormat, channel: number): Float32Array {
  return decodeFirstChannel(view, at + channel * (fmt.bits / 8), frames, fmt);
}

/**
 * Channels 1 .. channels − 1 of the frames at `at`, decoded when called (the caller calls it
 * before `view`'s bytes are reused); undefined for mono.
 */
export function otherChannelsAt(view: DataView, at: number, frames: number, fmt: WavFormat): (() => Float32Array[]) | undefined {
  if (fmt.channels === 1) return undefined;
  return () => Array.from({ length: fmt.channels - 1 }, (_, c) => decodeChannel(view, at, frames, fmt, c + 1));
}

/** Where the samples are: the format, and the data chunk's byte range. */
export interface WavLayout {
  format: WavFormat;
  /** Byte offset of the first sample frame. */
  dataAt: number;
  /** Bytes of sample data (a trailing partial frame included; it is ignored). */
  dataBytes: number;
  /** Whole frames in the data chunk. */
  frames: number;
}

/**
 * Reads `length` bytes at `at` (fewer at the end of the input). Files are read with positioned
 * reads, buffers are sliced: the chunk walk never needs more than chunk headers and the fmt body.
 */
export type ReadAt = (at: number, length: number) => Uint8Array;

/**
 * Walk the RIFF chunks of an input of `length` bytes and find the fmt and data chunks, reading
 * only their headers (and the fmt body) through `readAt`. Throws AudioDecodeError naming `source`.
 */
export function locateWavData(length: number, readAt: ReadAt, source: string): WavLayout {
  if (length === 0) throw new AudioDecodeError(source, "file is empty");
  if (length < 12) {
    throw new AudioDecodeError(source, `truncated header: ${length} bytes, a RIFF/WAVE header needs 12`);
  }
  const head = readAt(0, 12);
  if (fourcc(head, 0) !== "RIFF" || fourcc(head, 8) !== "WAVE") {
    throw new AudioDecodeError(
      source,
      `not a RIFF/WAVE file: starts with "${fourcc(head, 0)}", "${fourcc(head, 8)}"${sniff(head)}`,
    );
  }

  // Walk the chunks: id (4), size (4, little-endian), payload, one pad byte after odd sizes.
  // Unknown chunks (LIST, fact, cue, ...) are skipped. The RIFF size field is not trusted (many
  // streaming writers leave it wrong); the input length bounds the walk instead.
  let fmt: WavFormat | null = null;
  let dataAt = -1;
  let dataSize = 0;
  let pos = 12;
  while (pos + 8 <= length && (fmt === null || dataAt < 0)) {
    const header = readAt(pos, 8);
    const id = fourcc(header, 0);
    const size = new DataView(header.buffer, header.byteOffset, 8).getUint32(4, true);
    const body = pos + 8;
    const present = length - body;
    if (id === "data") {
      if (UNKNOWN_DATA_SIZES.has(size) && size > present) {
        dataSize = present;
      } else if (size > present) {
        throw new AudioDecodeError(source, `data chunk claims ${size} bytes but only ${present} are present`);
      } else {
        dataSize = size;
      }
      dataAt = body;
    } else if (size > present) {
      throw new AudioDecodeError(source, `truncated: "${id}" chunk claims ${size} bytes but only ${present} are present`);
    } else if (id === "fmt ") {
      // Only the first 40 bytes (the extensible layout) are ever looked at.
      const fmtBytes = readAt(body, Math.min(size, 40));
      fmt = parseFmt(new DataView(fmtBytes.buffer, fmtBytes.byteOffset, fmtBytes.byteLength), fmtBytes, 0, size, source);
    }
    pos = body + size + (size & 1);
  }
  if ((fmt === null || dataAt < 0) && pos < length) {
    throw new AudioDecodeError(
      source,
      `truncated: chunk header at byte ${pos} needs 8 bytes, only ${length - pos} are present`,
    );
  }
  if (fmt === null) throw new AudioDecodeError(source, "no fmt chunk");
  if (dataAt < 0) throw new AudioDecodeError(source, "no data chunk");
  // A trailing partial frame (data size not a multiple of the block size) is ignored.
  return { format: fmt, dataAt, dataBytes: dataSize, frames: Math.floor(dataSize / fmt.blockAlign) };
}

/** Parse an in-memory WAV file; `source` names it in error messages. */
export function parseWav(bytes: Uint8Array, source: string): DecodedWav {
  const layout = locateWavData(bytes.length, (at, length) => bytes.subarray(at, at + length), source);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wav: DecodedWav = {
    samples: decodeFirstChannel(view, layout.dataAt, layout.frames, layout.format),
    sampleRate: layout.format.sampleRate,
    channels: layout.format.channels,
  };
  const others = otherChannelsAt(view, layout.dataAt, layout.frames, layout.format);
  if (others !== undefined) wav.otherChannels = others;
  return wav;
}

/** Words for an fs error when reading an audio file (shared by every reader). */
export function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "file not found";
  if (code === "EISDIR") return "is a directory, not a file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return `cannot read file: ${error instanceof Error ? error.message : String(error)}`;
}
