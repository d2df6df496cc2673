/**
 * The single entry point for turning audio into the 16 kHz samples the feature front end expects,
 * as upstream's `load_audio()`: torchaudio.load -> Resample(orig, 16000) when the rate differs ->
 * first channel. Here channel 0 is taken first (the resampler works per channel, so the order does
 * not change the result) and resampled block by block as it is decoded, so a long file is held in
 * memory only as its 16 kHz result, never at its original rate.
 */

import { withAudioBlocks } from "./decode.js";
import { to16k } from "./to16k.js";

/**
 * Decode `path` (WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus in-process; other formats through ffmpeg)
 * to 16 kHz samples of its first channel ([samples], float32, nominally in [-1, 1]).
 * Throws AudioDecodeError for unreadable input, AudioTooShortError for < MIN_SAMPLES samples.
 */
export function loadAudio(path: string): Promise<Float32Array> {
  return withAudioBlocks({ path }, to16k);
}

/** loadAudio for an audio file held in memory (e.g. a pipe's output); `source` names it in errors. */
export function loadAudioBytes(bytes: Uint8Array, source: string): Promise<Float32Array> {
  return withAudioBlocks({ bytes, source }, to16k);
}
