/**
 * The audio a model takes, and the default format when none is named. Sample rate and channel count are
 * facts of each model (FamilyFacts carries them); everything that brings audio to a model (the
 * corpus job, the service, the library, the page) reads them from the model through AudioFormat.
 *
 * Multi-channel audio travels planar in one Float32Array: [channels, frames], channel c's frames
 * at c · frames. Mono is [frames], the same array as before channels existed, so mono costs nothing.
 */

import { LOG_MEL_AUDIO } from "../features/constants.js";

/** How a mono model takes a file of several channels. */
export type MixToMono =
  /** Channel 0 only, as upstream's `load_audio()` (S3, SpeechTokenizer, FunCodec, RepCodec). */
  | "first"
  /** The mean of every channel, as EnCodec's `convert_audio(..., channels=1)`. */
  | "mean";

export interface AudioFormat {
  /** Samples per second per channel. */
  readonly sampleRate: number;
  /** Channels the model takes (1: mono). */
  readonly channels: number;
  /** For a mono model only: how a multi-channel file becomes one channel (default "first"). */
  readonly mixToMono?: MixToMono;
}

/**
 * 16 kHz mono, channel 0: the log-mel front end's audio (features/constants.ts), the format of the
 * speech models this toolkit began with, and what loadAudio() gives when no model's format is named
 * (its behaviour before models had formats).
 */
export const SPEECH_16K_MONO: AudioFormat = LOG_MEL_AUDIO;

/** The format alone as plain data (it crosses to worker threads): a model object is not cloneable. */
export function audioFormatOf(model: AudioFormat): AudioFormat {
  const format: { sampleRate: number; channels: number; mixToMono?: MixToMono } = { sampleRate: model.sampleRate, channels: model.channels };
  if (model.mixToMono !== undefined) format.mixToMono = model.mixToMono;
  return format;
}

/** Frames (samples per channel) of planar audio [channels, frames]. */
export function framesOf(samples: Float32Array, channels: number): number {
  return samples.length / channels;
}

/** Seconds of planar audio [channels, frames] in `format`. */
export function secondsOf(samples: Float32Array, format: AudioFormat): number {
  return framesOf(samples, format.channels) / format.sampleRate;
}

/** Channel `channel` of planar audio [channels, frames], as a view (no copy). */
export function channelOf(samples: Float32Array, channels: number, channel: number): Float32Array {
  const frames = framesOf(samples, channels);
  return samples.subarray(channel * frames, (channel + 1) * frames);
}

/** Channels of equal length as one planar array [channels, frames]; one channel is returned as is. */
export function toPlanar(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const frames = channels[0]!.length;
  const out = new Float32Array(channels.length * frames); // [channels, frames]
  channels.forEach((channel, c) => out.set(channel, c * frames));
  return out;
}
