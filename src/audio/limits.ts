/**
 * Bounds on what one audio input may claim, checked from headers before anything is allocated.
 * A header is attacker-controlled: a 32 KB WAV saying 4,294,967,295 Hz would make the resampler
 * build billions of taps, one saying 1 Hz would turn 32 KB into hours of 16 kHz audio. Every
 * reader (WAV, FLAC, MP3, Ogg, raw PCM bodies, ffmpeg output) goes through these checks.
 */
import { AudioDecodeError } from "../errors.js";

/** Rates outside this range are certainly a mistake (and would make resampling kernels huge). */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 384_000;
/** More channels than any real recording format carries (only channel 0 is used anyway). */
export const MAX_CHANNELS = 256;
/**
 * The longest audio one input may hold (4 hours): caps the decoding, resampling and feature work
 * that one input can cause, whatever its bytes say.
 */
export const MAX_AUDIO_SECONDS = 4 * 3600;
/** The most bytes read from anything streamed (a pipe command's output, a device): 2 GiB. */
export const MAX_STREAM_BYTES = 2 * 1024 ** 3;

/** Throws AudioDecodeError naming `source` unless `rate` is an integer in the supported range. */
export function checkSampleRate(rate: number, source: string): void {
  if (!Number.isSafeInteger(rate) || rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
    throw new AudioDecodeError(
      source,
      `sample rate ${rate} Hz is outside the supported ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE} Hz (a damaged or hostile header?)`,
    );
  }
}

/** Throws AudioDecodeError naming `source` when `channels` is 0 or implausibly many. */
export function checkChannels(channels: number, source: string): void {
  if (!Number.isSafeInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new AudioDecodeError(source, `${channels} channels: expected 1 to ${MAX_CHANNELS}`);
  }
}

/** Throws AudioDecodeError naming `source` when `frames` at `rate` Hz last longer than `maxSeconds`. */
export function checkDuration(frames: number, rate: number, source: string, maxSeconds = MAX_AUDIO_SECONDS): void {
  if (frames > maxSeconds * rate) {
    throw new AudioDecodeError(
      source,
      `more than ${maxSeconds} s of audio (${frames} frames at ${rate} Hz); split it into shorter files`,
    );
  }
}
