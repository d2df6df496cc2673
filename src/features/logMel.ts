/**
 * Whisper-style log-mel spectrogram, as upstream S3Tokenizer's `log_mel_spectrogram()`:
 *
 *   stft   = torch.stft(audio, 400, 160, window=hann_window(400), center=True, pad_mode="reflect")
 *   power  = |stft[..., :-1]|^2                       (the last frame is dropped)
 *   mel    = filters @ power
 *   log    = log10(max(mel, 1e-10))
 *   log    = max(log, log.max() - 8)                  (an 80 dB floor below the utterance peak)
 *   out    = (log + 4) / 4
 *
 * The STFT and the mel product run in float64 and the result is rounded to float32 once, so it
 * lands within float32 rounding of torch's float32 computation rather than adding a second set of
 * float32 rounding errors of its own.
 */

import { AudioTooShortError } from "../errors.js";
import { HOP_LENGTH, N_BINS, N_FFT } from "./constants.js";
import { RealFft } from "./fft.js";
import { sparseMelFilters } from "./melFilters.js";

export interface MelSpectrogram {
  /** Row-major [nMels, frames]: the mel band is the slow axis, as upstream's tensors. */
  data: Float32Array; // [nMels, frames]
  nMels: number;
  frames: number;
}

export interface LogMelOptions {
  /** Name of the input used in error messages (a file path); defaults to "samples". */
  source?: string;
}

const PAD = N_FFT / 2;
/** torch's 'reflect' padding of PAD samples needs more than PAD samples of input. */
export const MIN_SAMPLES = PAD + 1;

/** torch.hann_window(400) (periodic): w[n] = 0.5 - 0.5 cos(2πn / 400). */
const HANN: Float64Array = (() => {
  const w = new Float64Array(N_FFT); // [400]
  for (let n = 0; n < N_FFT; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N_FFT);
  return w;
})();

/**
 * Per-frame scratch, allocated once per process: the STFT loop reuses it for every frame. Feature
 * extraction is synchronous, so one shared set is safe.
 */
const plan = new RealFft(N_FFT);
const frameBuf = new Float64Array(N_FFT); // [400] windowed frame
const specRe = new Float64Array(N_BINS); // [201]
const specIm = new Float64Array(N_BINS); // [201]
const power = new Float64Array(N_BINS); // [201]

/** Frames produced for `samples` input samples (upstream drops the STFT's last frame). */
export function frameCount(samples: number): number {
  return Math.floor(samples / HOP_LENGTH);
}

/**
 * Log-mel spectrogram of 16 kHz mono samples: data [nMels, floor(samples / 160)], float32.
 * Throws AudioTooShortError when the input is too short for reflect padding (< 201 samples).
 */
export function logMelSpectrogram(
  samples: Float32Array,
  nMels = 128,
  options: LogMelOptions = {},
): MelSpectrogram {
  const source = options.source ?? "samples";
  const len = samples.length;
  if (len < MIN_SAMPLES) throw new AudioTooShortError(source, len, MIN_SAMPLES);
  const filters = sparseMelFilters(nMels);
  const frames = frameCount(len);

  // Centre the frames: reflect-pad 200 samples each side (x[-1] = x[1], no edge repeat).
  const padded = new Float32Array(len + 2 * PAD); // [samples + 400]
  padded.set(samples, PAD);
  for (let i = 1; i <= PAD; i++) {
    padded[PAD - i] = samples[i]!;
    padded[PAD + len - 1 + i] = samples[len - 1 - i]!;
  }

  // log10 of each mel energy, float64 until the final rounding.
  const logMel = new Float64Array(nMels * frames); // [nMels, frames]
  const { start, end, offset, weights } = filters;
  let peak = -Infinity;
  for (let t = 0; t < frames; t++) {
    const base = t * HOP_LENGTH;
    for (let n = 0; n < N_FFT; n++) frameBuf[n] = padded[base + n]! * HANN[n]!;
    plan.forward(frameBuf, specRe, specIm);
    for (let k = 0; k < N_BINS; k++) {
      const re = specRe[k]!;
      const im = specIm[k]!;
      power[k] = re * re + im * im;
    }
    for (let b = 0; b < nMels; b++) {
      const lo = start[b]!;
      const hi = end[b]!;
      const w0 = offset[b]! - lo;
      let acc = 0;
      for (let k = lo; k < hi; k++) acc += weights[w0 + k]! * power[k]!;
      const v = Math.log10(acc > 1e-10 ? acc : 1e-10);
      logMel[b * frames + t] = v;
      if (v > peak) peak = v;
    }
  }

  // Dynamic range floor relative to the whole utterance, then Whisper's scaling to about [-1, 1].
  const floor = peak - 8;
  const data = new Float32Array(nMels * frames); // [nMels, frames]
  for (let i = 0; i < data.length; i++) {
    const v = logMel[i]!;
    data[i] = ((v > floor ? v : floor) + 4) / 4;
  }
  return { data, nMels, frames };
}
