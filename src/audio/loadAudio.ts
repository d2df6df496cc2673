/**
 * The single entry point for turning an audio file into the 16 kHz mono float32 samples the
 * feature front end expects (upstream's `load_audio()`). Today it reads WAV at 16 kHz only; when
 * resampling and more containers are added they go here, so callers never change.
 */

import { AudioDecodeError } from "../errors.js";
import { SAMPLE_RATE } from "../features/constants.js";
import { readWav } from "./wav.js";

/** Decode `path` to 16 kHz samples of its first channel ([samples], float32 in [-1, 1]). */
export async function loadAudio(path: string): Promise<Float32Array> {
  const { samples, sampleRate } = await readWav(path);
  if (sampleRate !== SAMPLE_RATE) {
    throw new AudioDecodeError(
      path,
      `sample rate is ${sampleRate} Hz; resampling to ${SAMPLE_RATE} Hz is not supported yet`,
    );
  }
  return samples;
}
