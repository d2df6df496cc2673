/**
 * FunCodec's per-utterance normalisation (Encodec._encode_frame with audio_normalize): the
 * encoder sees x / scale with scale = 1e-8 + sqrt(mean(x²)) over the whole utterance, and the
 * decoder's output is multiplied back by it only when the scale is used. Silence gives
 * scale = 1e-8 and x / scale = 0. Values are float32, as upstream's tensors.
 */

/** 1e-8 + RMS of the samples, rounded to float32 (the sum is taken in float64, which only makes it closer). */
export function rmsScale(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  const mean = Math.fround(samples.length > 0 ? sum / samples.length : 0);
  return Math.fround(Math.fround(1e-8) + Math.fround(Math.sqrt(mean)));
}

/** x / scale, each quotient rounded to float32 as torch's division. */
export function normalise(samples: Float32Array, scale: number): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / scale;
  return out;
}

/** audio · scale in place (upstream's `out * scale`). */
export function applyScale(audio: Float32Array, scale: number): Float32Array {
  for (let i = 0; i < audio.length; i++) audio[i] = audio[i]! * scale;
  return audio;
}
