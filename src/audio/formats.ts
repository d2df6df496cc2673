/**
 * Audio container detection by magic bytes (never by file name: wav.scp lists and pipes carry
 * whatever extension, or none). Decides which decoder gets the bytes: the in-process WAV reader,
 * one of the WebAssembly codecs, or ffmpeg for everything else.
 */

export type AudioFormat =
  | "wav" // RIFF/WAVE (also RIFX and RF64, so the WAV reader can say what is wrong with them)
  | "flac" // native FLAC stream
  | "mp3" // MPEG-1/2/2.5 audio layer I, II or III (with or without an ID3v2 tag)
  | "ogg-vorbis"
  | "ogg-opus"
  | "ogg-flac" // FLAC in Ogg: the FLAC decoder reads it too
  | "ffmpeg"; // recognised, or not recognised at all: only ffmpeg may read it

export interface FormatGuess {
  format: AudioFormat;
  /** Human name for messages ("MP4/M4A (AAC, ALAC)", "unrecognised data"). */
  name: string;
  /** True when the magic bytes matched a known container. */
  recognised: boolean;
}

/** Bytes of the file start that detection looks at (an ID3v2 tag is skipped with a second read). */
export const SNIFF_BYTES = 4096;

function ascii(bytes: Uint8Array, at: number, length: number): string {
  let s = "";
  for (let i = at; i < at + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Size of an ID3v2 tag starting at byte 0 (header + body + footer), or 0 when there is none. */
export function id3v2Size(head: Uint8Array): number {
  if (head.length < 10 || ascii(head, 0, 3) !== "ID3") return 0;
  // Tag size: four 7-bit "syncsafe" bytes; a footer (flag bit 4) adds 10 more bytes.
  const body = ((head[6]! & 0x7f) << 21) | ((head[7]! & 0x7f) << 14) | ((head[8]! & 0x7f) << 7) | (head[9]! & 0x7f);
  const footer = (head[5]! & 0x10) !== 0 ? 10 : 0;
  return 10 + body + footer;
}

/** An MPEG audio frame header at `at`: 11 sync bits, a valid version, and layer I, II or III. */
function isMpegAudioFrame(bytes: Uint8Array, at: number): boolean {
  if (at + 4 > bytes.length) return false;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return false;
  const version = (b1 >> 3) & 3; // 1 is reserved
  const layer = (b1 >> 1) & 3; // 0 is reserved (and what ADTS AAC puts there)
  const bitrate = b2 >> 4; // 15 is invalid
  const rate = (b2 >> 2) & 3; // 3 is reserved
  return version !== 1 && layer !== 0 && bitrate !== 15 && rate !== 3;
}

/** The codec of an Ogg stream, from the first packet of its first page. */
function oggCodec(bytes: Uint8Array): FormatGuess {
  // Page header: "OggS", version, flags, granule (8), serial (4), sequence (4), CRC (4),
  // segment count, then the segment table; the first packet follows.
  const segments = bytes[26];
  const packet = segments === undefined ? -1 : 27 + segments;
  if (packet >= 0 && packet + 8 <= bytes.length) {
    if (bytes[packet] === 0x01 && ascii(bytes, packet + 1, 6) === "vorbis") {
      return { format: "ogg-vorbis", name: "Ogg Vorbis", recognised: true };
    }
    if (ascii(bytes, packet, 8) === "OpusHead") return { format: "ogg-opus", name: "Ogg Opus", recognised: true };
    if (bytes[packet] === 0x7f && ascii(bytes, packet + 1, 4) === "FLAC") {
      return { format: "ogg-flac", name: "Ogg FLAC", recognised: true };
    }
    if (ascii(bytes, packet, 8) === "Speex   ") return { format: "ffmpeg", name: "Ogg Speex", recognised: true };
  }
  return { format: "ffmpeg", name: "Ogg (unknown codec)", recognised: true };
}

/**
 * Identify the container from the first bytes of a file (SNIFF_BYTES of them are plenty, except
 * after an ID3v2 tag: pass the bytes after the tag as `afterId3`).
 */
export function detectFormat(head: Uint8Array, afterId3?: Uint8Array): FormatGuess {
  const magic = ascii(head, 0, 4);
  // Every RIFF-like start goes to the WAV reader, including the ones it refuses (RIFF AVI, big-endian
  // RIFX, RF64): its errors say precisely what the file is and what is wrong with it.
  if (magic === "RIFF" || magic === "RIFX" || magic === "RF64") return { format: "wav", name: "WAV", recognised: true };
  if (magic === "fLaC") return { format: "flac", name: "FLAC", recognised: true };
  if (magic === "OggS") return oggCodec(head);
  if (ascii(head, 0, 3) === "ID3") {
    // A tag can precede MP3 (usual) or FLAC (some taggers): decide by what follows it.
    const next = afterId3 ?? new Uint8Array(0);
    if (ascii(next, 0, 4) === "fLaC") return { format: "flac", name: "FLAC (after an ID3 tag)", recognised: true };
    return { format: "mp3", name: "MP3", recognised: true };
  }
  if (isMpegAudioFrame(head, 0)) return { format: "mp3", name: "MP3", recognised: true };
  if (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xf6) === 0xf0) {
    return { format: "ffmpeg", name: "ADTS AAC", recognised: true };
  }
  if (ascii(head, 4, 4) === "ftyp") return { format: "ffmpeg", name: "MP4/M4A", recognised: true };
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
    return { format: "ffmpeg", name: "Matroska/WebM", recognised: true };
  }
  if (magic === "FORM" && (ascii(head, 8, 4) === "AIFF" || ascii(head, 8, 4) === "AIFC")) {
    return { format: "ffmpeg", name: "AIFF", recognised: true };
  }
  if (ascii(head, 0, 5) === "#!AMR") return { format: "ffmpeg", name: "AMR", recognised: true };
  if (magic === "caff") return { format: "ffmpeg", name: "Core Audio (CAF)", recognised: true };
  if (magic === "wvpk") return { format: "ffmpeg", name: "WavPack", recognised: true };
  if (magic === "MAC ") return { format: "ffmpeg", name: "Monkey's Audio", recognised: true };
  if (magic === ".snd") return { format: "ffmpeg", name: "Sun/NeXT AU", recognised: true };
  if (head[0] === 0x30 && head[1] === 0x26 && head[2] === 0xb2 && head[3] === 0x75) {
    return { format: "ffmpeg", name: "ASF/WMA", recognised: true };
  }
  if (head[0] === 0x0b && head[1] === 0x77) return { format: "ffmpeg", name: "AC-3", recognised: true };
  return { format: "ffmpeg", name: "unrecognised data", recognised: false };
}

/** Characters of a text start shown in messages. */
const PREVIEW_CHARS = 40;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The start of `head` when the bytes read as text (UTF-8 with no control characters but blanks),
 * else null. No audio format starts with text; `head` may end inside a character.
 */
export function textPreview(head: Uint8Array): string | null {
  if (head.length === 0) return null;
  // A sniffed head may cut a multi-byte character (at most 3 of its bytes) at its end.
  for (let cut = 0; cut <= Math.min(3, head.length - 1); cut++) {
    let text: string;
    try {
      text = UTF8.decode(head.subarray(0, head.length - cut));
    } catch {
      continue;
    }
    if (/[\x00-\x08\x0e-\x1f\x7f]/.test(text)) return null;
    return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}...` : text;
  }
  return null;
}

/** The first bytes, for messages about data nobody recognises: the start of the text, or hex. */
export function describeMagic(head: Uint8Array): string {
  const text = textPreview(head);
  if (text !== null) return `text ${JSON.stringify(text)}`;
  const shown = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return head.length === 0 ? "no bytes" : `bytes ${shown}`;
}
