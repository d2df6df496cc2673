/**
 * `decode --rescale`: each waveform scaled to a 0.99 peak before it is written, as upstream
 * FunCodec's save_audio(rescale=True) does; never scaled up.
 */

/** The peak decoded audio is rescaled to before writing 16-bit WAV. */
export const RESCALE_PEAK = 0.99;

/** audio · min(peak / max|audio|, 1), in place. */
export function rescaleToPeak(audio: Float32Array, peak = RESCALE_PEAK): Float32Array {
  let max = 0;
  for (const v of audio) max = Math.max(max, Math.abs(v));
  const factor = max > 0 ? Math.min(Math.fround(peak / max), 1) : 1; // float32, as the tensor upstream divides
  if (factor !== 1) for (let i = 0; i < audio.length; i++) audio[i] = audio[i]! * factor;
  return audio;
}
