/**
 * RIFF/WAVE bytes from float samples (mono, or planar [channels, frames] written interleaved): 16-bit PCM (what most tools read) or 32-bit IEEE
 * float (no quantisation, for comparing decoded audio). Written by hand: a WAV header is a few
 * fixed bytes, less than an encoder package's import costs.
 *
 * PCM is the canonical 44-byte header (16-byte fmt chunk). IEEE float is not PCM, so the WAVE
 * spec has its fmt chunk carry the cbSize field (18 bytes, cbSize 0) and a `fact` chunk with the
 * sample count; sox and other strict readers warn without them.
 */

import { InvalidInputError } from "../errors.js";

/** "s16": 16-bit PCM, samples scaled by 32767, rounded and clipped to [-32768, 32767]. "f32": 32-bit float as is. */
export type WavSampleFormat = "s16" | "f32";

const PCM = 1;
const IEEE_FLOAT = 3;
const PCM_FMT_BYTES = 16;
/** WAVEFORMATEX: the 16 PCM bytes plus cbSize (2 bytes, 0: no extra format bytes). */
const FLOAT_FMT_BYTES = 18;
const FACT_BYTES = 4;

/** The 16-bit value a sample is written as (before clipping): x · 32767, rounded. */
function s16Value(sample: number): number {
  return Math.round(sample * 32767);
}

/** Samples that the 16-bit format cannot hold and clips (|x · 32767| rounds past the 16-bit range). */
export function countS16Clipped(samples: Float32Array): number {
  let clipped = 0;
  for (let i = 0; i < samples.length; i++) {
    const value = s16Value(samples[i]!);
    if (value > 32767 || value < -32768) clipped++;
  }
  return clipped;
}

/**
 * WAV bytes of `samples` at `sampleRate`: mono [frames], or planar [channels, frames] for
 * `channels` > 1 (a model's decoded audio), written interleaved as WAV holds frames.
 */
export function encodeWav(samples: Float32Array, sampleRate: number, format: WavSampleFormat = "s16", channels = 1): Uint8Array {
  if (!Number.isInteger(channels) || channels < 1 || samples.length % channels !== 0) {
    throw new InvalidInputError(`encodeWav: ${samples.length} samples are not ${channels} channels of equal length`);
  }
  const float = format === "f32";
  const bytesPerSample = float ? 4 : 2;
  const frames = samples.length / channels;
  const fmtBytes = float ? FLOAT_FMT_BYTES : PCM_FMT_BYTES;
  const dataBytes = samples.length * bytesPerSample;
  // RIFF header (12), fmt chunk (8 + fmt), fact chunk for float (8 + 4), data chunk header (8).
  const headerBytes = 12 + 8 + fmtBytes + (float ? 8 + FACT_BYTES : 0) + 8;
  const bytes = new Uint8Array(headerBytes + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => [...text].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, headerBytes - 8 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, fmtBytes, true);
  view.setUint16(20, float ? IEEE_FLOAT : PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample * channels, true); // byte rate
  view.setUint16(32, bytesPerSample * channels, true); // block align
  view.setUint16(34, bytesPerSample * 8, true); // bits per sample
  let at = 36;
  if (float) {
    view.setUint16(at, 0, true); // cbSize: no extra format bytes
    at += 2;
    ascii(at, "fact");
    view.setUint32(at + 4, FACT_BYTES, true);
    view.setUint32(at + 8, frames, true); // sample frames
    at += 8 + FACT_BYTES;
  }
  ascii(at, "data");
  view.setUint32(at + 4, dataBytes, true);
  at += 8;
  // Planar index c · frames + i goes to interleaved position i · channels + c.
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < frames; i++) {
      const value = samples[c * frames + i]!;
      const to = i * channels + c;
      if (float) view.setFloat32(at + 4 * to, value, true);
      else view.setInt16(at + 2 * to, Math.max(-32768, Math.min(32767, s16Value(value))), true);
    }
  }
  return bytes;
}
