/**
 * Decoding audio held in memory in this process, with no file system and no ffmpeg: the WAV
 * parser and the WebAssembly codecs (FLAC, MP3, Ogg Vorbis, Ogg Opus), the checks every reader
 * goes through, and the in-memory source. decode.ts adds files and the ffmpeg fallback in Node;
 * a page uses this directly.
 */
import { AudioDecodeError } from "../errors.js";
import type { StreamDecoder } from "./codecs/codec.js";
import { checkFlacHeader, createFlacDecoder, FLAC_DECODER_BITS, flacBitsPerSample } from "./codecs/flac.js";
import { createMp3Decoder } from "./codecs/mp3.js";
import { createOpusDecoder } from "./codecs/opus.js";
import { createVorbisDecoder } from "./codecs/vorbis.js";
import { checkDuration, checkSampleRate } from "./limits.js";
import { detectFormat, id3v2Size, SNIFF_BYTES, type FormatGuess } from "./formats.js";
import type { AudioSource, DecodedBlock } from "./source.js";
import { parseWav, type DecodedWav } from "./wavParse.js";

export interface DecodedAudio {
  /** Channel 0, float32, at the file's own rate. */
  samples: Float32Array; // [frames]
  sampleRate: number;
  /** Channels in the file (only channel 0 is returned here). */
  channels: number;
}

/** Bytes handed to a codec per call when a file is streamed. */
export const READ_BYTES = 1 << 20;

export type CodecFactory = (source: string) => Promise<StreamDecoder>;

export function codecFor(guess: FormatGuess): CodecFactory | null {
  switch (guess.format) {
    case "flac":
      return (source) => createFlacDecoder(source);
    case "ogg-flac":
      return (source) => createFlacDecoder(source, true);
    case "mp3":
      return createMp3Decoder;
    case "ogg-vorbis":
      return createVorbisDecoder;
    case "ogg-opus":
      return createOpusDecoder;
    default:
      return null;
  }
}

/** Feed `chunks` through a codec and yield its channel-0 blocks; the decoder is freed at the end. */
export async function* codecBlocks(factory: CodecFactory, chunks: AsyncIterable<Uint8Array>, source: string): AsyncGenerator<DecodedBlock> {
  const decoder = await factory(source);
  try {
    for await (const chunk of chunks) {
      const block = await decoder.decode(chunk);
      if (block !== null) yield block;
    }
    const tail = await decoder.flush();
    if (tail !== null) yield tail;
  } finally {
    decoder.free();
  }
}

export async function* bufferChunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += READ_BYTES) yield bytes.subarray(at, at + READ_BYTES);
}

/** Rejects NaN and ±Infinity with the index of the first one. */
function checkFinite(samples: Float32Array, offset: number, source: string, channel = 0): void {
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    if (!Number.isFinite(v)) {
      throw new AudioDecodeError(
        source,
        `sample ${offset + i} of channel ${channel} is ${v}: the audio holds non-finite values (a corrupt float file?)`,
      );
    }
  }
}

/** The block's other channels, checked as channel 0 is when the consumer decodes them. */
function checkedOtherChannels(decode: () => Float32Array[], offset: number, source: string): () => Float32Array[] {
  return () => {
    const channels = decode();
    channels.forEach((samples, c) => checkFinite(samples, offset, source, c + 1));
    return channels;
  };
}

/**
 * The checked blocks of a source: finite samples, one sample rate throughout. Every consumer
 * (decodeAudio*, loadAudio*) reads through this.
 */
export async function* checkedBlocks(audio: AudioSource, source: string): AsyncGenerator<DecodedBlock> {
  let rate = 0;
  let offset = 0;
  for await (const block of audio.blocks) {
    if (rate === 0) rate = block.sampleRate;
    // Checked on the first block, before the consumer sizes a resampler or an output from it.
    checkSampleRate(block.sampleRate, source);
    if (offset === 0 && audio.totalFrames !== null) checkDuration(audio.totalFrames, block.sampleRate, source);
    if (block.sampleRate !== rate) {
      throw new AudioDecodeError(source, `the sample rate changes from ${rate} Hz to ${block.sampleRate} Hz mid-stream`);
    }
    checkFinite(block.samples, offset, source);
    if (block.otherChannels !== undefined) block.otherChannels = checkedOtherChannels(block.otherChannels, offset, source);
    offset += block.samples.length;
    // Streams that do not say their length (codecs, ffmpeg) are cut off once they run too long.
    checkDuration(offset, rate, source);
    yield block;
  }
}

async function* singleBlockGen(block: DecodedBlock): AsyncGenerator<DecodedBlock> {
  yield block;
}

function singleBlock(wav: DecodedWav): AsyncGenerator<DecodedBlock> {
  // An empty WAV still yields its (empty) block: it carries the rate.
  const block: DecodedBlock = { samples: wav.samples, sampleRate: wav.sampleRate, channels: wav.channels };
  if (wav.otherChannels !== undefined) block.otherChannels = wav.otherChannels;
  return singleBlockGen(block);
}

/**
 * FLAC whose sample size the in-process decoder does not scale (12, 20 bit...): ffmpeg's job.
 * `start` is the file from its "fLaC" marker on.
 */
export function flacNeedsFfmpeg(guess: FormatGuess, start: Uint8Array, size: number, source: string): boolean {
  if (guess.format !== "flac") return false;
  checkFlacHeader(start, size, source);
  const bits = flacBitsPerSample(start);
  return bits !== null && !FLAC_DECODER_BITS.has(bits);
}

/** What the in-process readers make of bytes: a source, or the format guess ffmpeg would need. */
export type InProcessAudio = { audio: AudioSource } | { guess: FormatGuess; head: Uint8Array; tag: number };

/** The bytes as a source of channel-0 blocks when a reader here decodes them; else what was sniffed. */
export function openBytesInProcess(bytes: Uint8Array, source: string): InProcessAudio {
  if (bytes.length === 0) throw new AudioDecodeError(source, "file is empty");
  const head = bytes.subarray(0, SNIFF_BYTES);
  const tag = id3v2Size(head);
  const guess = detectFormat(head, tag > 0 ? bytes.subarray(tag, tag + 16) : undefined);
  if (guess.format === "wav") {
    const wav = parseWav(bytes, source);
    return { audio: { totalFrames: wav.samples.length, blocks: singleBlock(wav) } };
  }
  const factory = codecFor(guess);
  if (factory !== null && !flacNeedsFfmpeg(guess, bytes.subarray(tag), bytes.length - tag, source)) {
    return { audio: { totalFrames: null, blocks: codecBlocks(factory, bufferChunks(bytes), source) } };
  }
  return { guess, head, tag };
}
