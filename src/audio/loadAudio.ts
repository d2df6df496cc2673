/**
 * The single entry point for turning an audio file into what a model takes: its channels at its
 * sample rate (format.ts). For a mono speech model, as upstream's `load_audio()`:
 * torchaudio.load -> Resample(orig, rate) when the rate differs -> first channel. Here the
 * channels are chosen first (the resampler works per channel, so the order does not change the
 * result) and resampled block by block as they are decoded, so a long file is held in memory only
 * as its result, never at its original rate.
 */

import { withAudioBlocks } from "./decode.js";
import { SPEECH_16K_MONO, type AudioFormat } from "./format.js";
import { toModelFormat } from "./toModelFormat.js";

/**
 * Decode `path` (WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus in-process; other formats through ffmpeg)
 * to `format` (a model's `sampleRate` and `channels`; a loaded model is one; default 16 kHz of
 * the first channel): float32 nominally in [-1, 1], planar [channels, frames] ([frames] for mono).
 * Throws AudioDecodeError for unreadable input, AudioTooShortError for < MIN_SAMPLES frames.
 */
export function loadAudio(path: string, format: AudioFormat = SPEECH_16K_MONO): Promise<Float32Array> {
  return withAudioBlocks({ path }, toModelFormat(format));
}

/** loadAudio for an audio file held in memory (e.g. a pipe's output); `source` names it in errors. */
export function loadAudioBytes(bytes: Uint8Array, source: string, format: AudioFormat = SPEECH_16K_MONO): Promise<Float32Array> {
  return withAudioBlocks({ bytes, source }, toModelFormat(format));
}
