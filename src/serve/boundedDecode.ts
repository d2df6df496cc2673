/**
 * Request bodies to the model's audio (its rate and channels), with the guards a network service needs and a batch job does
 * not:
 *   - the format is sniffed first, and bytes no in-process decoder reads are refused (415) unless
 *     ffmpeg is explicitly allowed: ffmpeg's probing of arbitrary uploads is a large attack surface
 *     (playlist and concat demuxers can even open files and URLs named inside the data), and
 *     unrecognised bytes never go to it at all;
 *   - decoding stops as soon as the audio passes the length limit, so a small compressed body
 *     cannot expand into gigabytes of samples (a decompression bomb).
 * The samples are otherwise exactly loadAudioBytes()'s: the model's channels, torchaudio-equal resampling.
 */
import { withAudioBlocks } from "../audio/decode.js";
import { FLAC_DECODER_BITS, flacBitsPerSample } from "../audio/codecs/flac.js";
import { describeMagic, detectFormat, id3v2Size, SNIFF_BYTES } from "../audio/formats.js";
import { toPlanar, type AudioFormat } from "../audio/format.js";
import type { DecodedBlock } from "../audio/source.js";
import { checkLongEnough, FormatConverter } from "../audio/toModelFormat.js";
import { AudioDecodeError } from "../errors.js";
import { AudioTooLongError, UnsupportedAudioFormatError } from "./errors.js";
import { decodeRawPcm, type RawPcmSpec } from "./rawPcm.js";

const IN_PROCESS = "WAV, FLAC, MP3, Ogg Vorbis and Ogg Opus";

/** Refuses bodies that only ffmpeg could read, unless it is allowed (and then only known containers). */
function checkFormat(bytes: Uint8Array, source: string, allowFfmpeg: boolean): void {
  if (bytes.length === 0) throw new AudioDecodeError(source, "the body is empty");
  const head = bytes.subarray(0, SNIFF_BYTES);
  const tag = id3v2Size(head);
  const afterTag = tag > 0 ? bytes.subarray(tag, tag + SNIFF_BYTES) : undefined;
  const guess = detectFormat(head, afterTag);
  if (!guess.recognised) {
    throw new UnsupportedAudioFormatError(source, `${describeMagic(head)} is not a known audio format (this service reads ${IN_PROCESS}; raw samples need ?sample_rate=R&format=pcm16|f32)`);
  }
  const start = afterTag ?? head;
  const bits = guess.format === "flac" ? flacBitsPerSample(start) : null;
  const needsFfmpeg = guess.format === "ffmpeg" || (bits !== null && !FLAC_DECODER_BITS.has(bits));
  if (needsFfmpeg && !allowFfmpeg) {
    const name = bits !== null ? `FLAC with ${bits}-bit samples` : guess.name;
    throw new UnsupportedAudioFormatError(source, `${name} is not decoded by this service (it reads ${IN_PROCESS} in-process; the server's --allow_ffmpeg would pass it to ffmpeg)`);
  }
}

/** Concatenates pieces of one channel: [frames]. */
function joined(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0)); // [frames]
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Brings blocks to `format` (planar [channels, frames]), stopping with AudioTooLongError past `maxSeconds`. */
async function boundedToFormat(totalFrames: number | null, blocks: AsyncIterable<DecodedBlock>, source: string, format: AudioFormat, maxSeconds: number): Promise<Float32Array> {
  const converter = new FormatConverter(format, source);
  const parts: Float32Array[][] = Array.from({ length: format.channels }, () => []);
  let limit = -1;
  let seen = 0;
  for await (const block of blocks) {
    if (limit < 0) {
      limit = Math.floor(maxSeconds * block.sampleRate);
      // A header that states the length (WAV) is refused before any sample is converted.
      if (totalFrames !== null && totalFrames > limit) throw new AudioTooLongError(source, totalFrames / block.sampleRate, maxSeconds);
    }
    seen += block.samples.length;
    if (seen > limit) throw new AudioTooLongError(source, null, maxSeconds);
    converter.push(block).forEach((piece, c) => parts[c]!.push(piece));
  }
  converter.finish().forEach((piece, c) => parts[c]!.push(piece));
  const channels = parts.map(joined);
  checkLongEnough(channels[0]!.length, format, source);
  return toPlanar(channels);
}

async function* oneBlock(samples: Float32Array, sampleRate: number): AsyncGenerator<DecodedBlock> {
  yield { samples, sampleRate, channels: 1 };
}

export interface BoundedDecodeOptions {
  /** The model's rate and channels. */
  format: AudioFormat;
  maxSeconds: number;
  allowFfmpeg: boolean;
  /** Set for headerless samples; otherwise the body is an audio file. */
  pcm?: RawPcmSpec;
}

/** A request body → the model's audio, planar [channels, frames]. Typed errors for every refusal. */
export function decodeBody(bytes: Uint8Array, source: string, options: BoundedDecodeOptions): Promise<Float32Array> {
  const { pcm, maxSeconds, format } = options;
  if (pcm !== undefined) {
    const samples = decodeRawPcm(bytes, pcm, source);
    return boundedToFormat(samples.length, oneBlock(samples, pcm.sampleRate), source, format, maxSeconds);
  }
  checkFormat(bytes, source, options.allowFfmpeg);
  return withAudioBlocks({ bytes, source }, (audio, blocks) => boundedToFormat(audio.totalFrames, blocks, source, format, maxSeconds)).catch(
    (error: unknown) => {
      throw asUnsupported(error, source);
    },
  );
}

/**
 * The decoders report a known container holding a codec or sample layout they do not read
 * (WAV A-law, an unknown WAVE_FORMAT_EXTENSIBLE GUID) as "unsupported ..."; that is the client's
 * format choice (415), not damaged data (400). The wording is the audio module's, so a test pins it.
 */
function asUnsupported(error: unknown, source: string): unknown {
  if (!(error instanceof AudioDecodeError) || error instanceof UnsupportedAudioFormatError) return error;
  const prefix = `${error.source}: cannot decode audio: `;
  if (!error.message.startsWith(prefix)) return error;
  const problem = error.message.slice(prefix.length);
  return problem.startsWith("unsupported ") ? new UnsupportedAudioFormatError(source, problem) : error;
}
