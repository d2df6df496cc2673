/**
 * Format dispatch: magic bytes decide the reader (formats.ts), never the file name.
 *
 *   WAV                      in-process (wav.ts; files stream through wavFile.ts)
 *   FLAC, Ogg FLAC           @wasm-audio-decoders/flac   (codecs/flac.ts)
 *   MP3 (MPEG layer I-III)   mpg123-decoder              (codecs/mp3.ts)
 *   Ogg Vorbis               @wasm-audio-decoders/ogg-vorbis
 *   Ogg Opus                 ogg-opus-decoder
 *   anything else            the ffmpeg program, when installed (ffmpeg.ts)
 *
 * Every reader yields channel 0 only: upstream's `load_audio()` keeps the first channel, it does
 * not downmix. Samples that are NaN or infinite (possible only in float WAV or through ffmpeg) are
 * refused here, before they can poison the log-mel of the whole utterance.
 */
import type { Stats } from "node:fs";
import { mkdtemp, open, rm, stat, writeFile, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AudioDecodeError } from "../errors.js";
import { flacBitsPerSample } from "./codecs/flac.js";
import { checkedBlocks, codecBlocks, codecFor, flacNeedsFfmpeg, openBytesInProcess, READ_BYTES, type DecodedAudio } from "./decodeBytes.js";
import { ffmpegSource, type FfmpegInput } from "./ffmpeg.js";
import { describeMagic, detectFormat, id3v2Size, SNIFF_BYTES, textPreview, type FormatGuess } from "./formats.js";
import type { AudioSource, DecodedBlock } from "./source.js";
import { describeReadError } from "./wav.js";

export { checkedBlocks, type DecodedAudio };
import { wavFileSource } from "./wavFile.js";

/** The file read sequentially in fresh READ_BYTES pieces (codec parsers may keep references). */
async function* fileChunks(handle: FileHandle, source: string): AsyncGenerator<Uint8Array> {
  for (let position = 0; ; ) {
    let bytesRead: number;
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    try {
      ({ bytesRead } = await handle.read(buffer, 0, READ_BYTES, position));
    } catch (error) {
      throw new AudioDecodeError(source, describeReadError(error), { cause: error });
    }
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/**
 * What to tell ffmpeg's messages about data only ffmpeg may read. `start`: from the format's magic
 * on. Text is refused here, not handed on: no audio format is text (a notes file named .wav is a
 * mistake to name as such), and what ffmpeg reads as text (playlists, concat lists) names other
 * files or URLs to open.
 */
function ffmpegInput(guess: FormatGuess, head: Uint8Array, start: Uint8Array, source: string): FfmpegInput {
  if (!guess.recognised && textPreview(head) !== null) {
    throw new AudioDecodeError(source, `not audio: the file holds ${describeMagic(head)}, and every audio format starts with a binary header`);
  }
  if (!guess.recognised) return { name: `the data (${describeMagic(head)})`, recognised: false };
  if (guess.format === "flac") return { name: `FLAC with ${flacBitsPerSample(start)}-bit samples`, recognised: true };
  return { name: guess.name, recognised: true };
}

/** Stream an in-memory file: the same readers as for files, given the whole bytes. */
async function openBytes(bytes: Uint8Array, source: string, cleanup: Array<() => Promise<void>>): Promise<AudioSource> {
  const opened = openBytesInProcess(bytes, source);
  if ("audio" in opened) return opened.audio;
  const { guess, head, tag } = opened;
  // ffmpeg reads files: spill the bytes to a private temporary one, removed when decoding ends.
  const dir = await mkdtemp(join(tmpdir(), "s3tokenizer-audio-"));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "input");
  await writeFile(path, bytes);
  return ffmpegSource(path, source, ffmpegInput(guess, head, bytes.subarray(tag), source));
}

/** Only regular files are read; streams (FIFOs, devices, sockets) come in through pipe entries. */
function refuseIrregular(info: Stats, path: string): void {
  if (info.isDirectory()) throw new AudioDecodeError(path, "is a directory, not a file");
  if (!info.isFile()) {
    throw new AudioDecodeError(
      path,
      "not a regular file (a device, FIFO or socket); only regular files are read, a stream can be given as a pipe entry (\"key cat PATH |\") with --allow_pipes",
    );
  }
}

/**
 * Open `path` as a stream of channel-0 blocks. `cleanup` collects what the caller must release
 * when done (the file handle).
 */
async function openFile(path: string, cleanup: Array<() => Promise<void>>): Promise<AudioSource> {
  let handle: FileHandle;
  try {
    // Checked before opening: opening a FIFO blocks until a writer appears, and a device such as
    // /dev/zero reads without end.
    refuseIrregular(await stat(path), path);
    handle = await open(path, "r");
  } catch (error) {
    if (error instanceof AudioDecodeError) throw error; // already says what is wrong with the path
    throw new AudioDecodeError(path, describeReadError(error), { cause: error });
  }
  cleanup.push(() => handle.close());
  let size: number;
  let head: Buffer;
  let afterTag: Buffer | undefined;
  let tag = 0;
  try {
    const stat = await handle.stat();
    // Again on the open file: the path may have been swapped between the two looks.
    refuseIrregular(stat, path);
    size = stat.size;
    if (size === 0) throw new AudioDecodeError(path, "file is empty");
    head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    tag = id3v2Size(head);
    if (tag > 0 && tag < size) {
      afterTag = Buffer.alloc(Math.min(SNIFF_BYTES, size - tag));
      await handle.read(afterTag, 0, afterTag.length, tag);
    }
  } catch (error) {
    if (error instanceof AudioDecodeError) throw error;
    throw new AudioDecodeError(path, describeReadError(error), { cause: error });
  }
  const guess = detectFormat(head, afterTag);
  if (guess.format === "wav") return wavFileSource(handle, size, path);
  const factory = codecFor(guess);
  if (factory !== null && !flacNeedsFfmpeg(guess, afterTag ?? head, size - tag, path)) return { totalFrames: null, blocks: codecBlocks(factory, fileChunks(handle, path), path) };
  return ffmpegSource(path, path, ffmpegInput(guess, head, afterTag ?? head, path));
}

/**
 * Open a file or in-memory bytes as checked channel-0 blocks, run `consume` over them, and release
 * the file handle or temporary file whatever happens.
 */
export async function withAudioBlocks<T>(
  input: { path: string } | { bytes: Uint8Array; source: string },
  consume: (audio: AudioSource, blocks: AsyncGenerator<DecodedBlock>, source: string) => Promise<T>,
): Promise<T> {
  const cleanup: Array<() => Promise<void>> = [];
  const source = "path" in input ? input.path : input.source;
  try {
    const audio = "path" in input ? await openFile(input.path, cleanup) : await openBytes(input.bytes, source, cleanup);
    return await consume(audio, checkedBlocks(audio, source), source);
  } finally {
    for (const release of cleanup.reverse()) await release().catch(() => undefined);
  }
}

/** Concatenate channel-0 blocks at the original rate. */
async function collect(audio: AudioSource, blocks: AsyncGenerator<DecodedBlock>, source: string): Promise<DecodedAudio> {
  const parts: Float32Array[] = [];
  let sampleRate = 0;
  let channels = 0;
  let total = 0;
  for await (const block of blocks) {
    sampleRate = block.sampleRate;
    channels = block.channels;
    parts.push(block.samples);
    total += block.samples.length;
  }
  if (sampleRate === 0) throw new AudioDecodeError(source, "no audio stream found");
  if (parts.length === 1) return { samples: parts[0]!, sampleRate, channels };
  const samples = new Float32Array(audio.totalFrames ?? total); // [frames]
  let at = 0;
  for (const part of parts) {
    samples.set(part, at);
    at += part.length;
  }
  return { samples, sampleRate, channels };
}

/** Decode a whole audio file (any supported format) to channel 0 at its own sample rate. */
export function decodeAudioFile(path: string): Promise<DecodedAudio> {
  return withAudioBlocks({ path }, collect);
}

/**
 * Decode an audio file held in memory (a pipe's output, an upload) to channel 0 at its own rate.
 * `source` names it in error messages.
 */
export function decodeAudioBytes(bytes: Uint8Array, source: string): Promise<DecodedAudio> {
  return withAudioBlocks({ bytes, source }, collect);
}
