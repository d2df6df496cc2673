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
 * The STFT, the mel product and the logs run in float64 and the result is rounded to float32
 * once, so this computes the exact recipe to float32 precision (it agrees with a float64 numpy
 * transcription to ~1e-7). Torch runs the recipe in float32: its FFT rounding is relative to each
 * frame's loudest bin, so in cells 6 to 8 decades below their frame's peak torch's value drifts
 * from the exact one by up to ~4e-5 on the reference clips, while loud cells agree to ~1e-6.
 */

import { AudioTooShortError, InvalidInputError } from "../errors.js";
import { HOP_LENGTH, N_BINS, N_FFT, SAMPLE_RATE } from "./constants.js";
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
const edgeFrame = new Float32Array(N_FFT); // [400] a frame that reaches into the padding
const power = new Float64Array(N_BINS); // [201] |X|^2 of one frame

/** Frames produced for `samples` input samples (upstream drops the STFT's last frame). */
export function frameCount(samples: number): number {
  return Math.floor(samples / HOP_LENGTH);
}

/**
 * |STFT|^2 of frame t into `power`. The frame covers samples t*160 - 200 .. t*160 + 199 of the
 * reflect-padded signal. Only the first and last couple of frames reach into the padding; they
 * are assembled in `edgeFrame`, and the padded signal is never materialised.
 */
function framePower(samples: Float32Array, t: number): void {
  const len = samples.length;
  const first = t * HOP_LENGTH - PAD;
  if (first >= 0 && first + N_FFT <= len) {
    plan.powerSpectrumWindowed(samples, first, HANN, power);
    return;
  }
  // Reflect without repeating the edge sample: x[-i] = x[i], x[len-1+i] = x[len-1-i]. One
  // reflection suffices because len > PAD.
  for (let n = 0; n < N_FFT; n++) {
    let i = first + n;
    if (i < 0) i = -i;
    else if (i >= len) i = 2 * (len - 1) - i;
    edgeFrame[n] = samples[i]!;
  }
  plan.powerSpectrumWindowed(edgeFrame, 0, HANN, power);
}

/**
 * Frames per block: the block's energies ([64, nMels] float64, 64 KB for 128 bands) stay in
 * cache while they are transposed into the output's [nMels, frames] rows.
 */
const TRANSPOSE_BLOCK = 64;

/**
 * Log-mel spectrogram of 16 kHz mono samples: data [nMels, floor(samples / 160)], float32.
 * Throws AudioTooShortError when the input is too short for reflect padding (< 201 samples).
 *
 * One pass computes the mel energies a block of frames at a time and writes their log10 straight
 * into the output (transposed block-wise), tracking the utterance's peak; a second pass over the
 * output applies the 80 dB floor below that peak and Whisper's scaling. No [frames, nMels]
 * float64 copy of the whole utterance is kept, so 2 hours of audio need only the output itself
 * (368 MB) beyond the samples. The log is rounded to float32 once before the floor, as torch
 * holds it in float32: a difference of at most an ulp of the output.
 */
/** Index of the first NaN or ±Infinity in `samples`, or -1 when all are finite. */
export function firstNonFinite(samples: Float32Array): number {
  for (let i = 0; i < samples.length; i++) if (!Number.isFinite(samples[i]!)) return i;
  return -1;
}

export function logMelSpectrogram(
  samples: Float32Array,
  nMels = 128,
  options: LogMelOptions = {},
): MelSpectrogram {
  const source = options.source ?? "samples";
  const len = samples.length;
  if (len < MIN_SAMPLES) throw new AudioTooShortError(source, len, MIN_SAMPLES, SAMPLE_RATE);
  // One NaN or infinity would poison every mel frame it touches: refuse it, naming where it is.
  const bad = firstNonFinite(samples);
  if (bad >= 0) {
    throw new InvalidInputError(`${source}: sample ${bad} is ${samples[bad]}; audio samples must be finite numbers`);
  }
  const { start, end, offset, weights } = sparseMelFilters(nMels);
  const frames = frameCount(len);
  const data = new Float32Array(nMels * frames); // [nMels, frames]
  const block = new Float64Array(TRANSPOSE_BLOCK * nMels); // [TRANSPOSE_BLOCK, nMels] energies

  let peak = 0;
  for (let t0 = 0; t0 < frames; t0 += TRANSPOSE_BLOCK) {
    const t1 = Math.min(frames, t0 + TRANSPOSE_BLOCK);
    for (let t = t0; t < t1; t++) {
      framePower(samples, t);
      const row = (t - t0) * nMels;
      for (let b = 0; b < nMels; b++) {
        // mel = filters @ power over the triangle's nonzero bins only.
        const lo = start[b]!;
        const hi = end[b]!;
        const w0 = offset[b]! - lo;
        let acc = 0;
        for (let k = lo; k < hi; k++) acc += weights[w0 + k]! * power[k]!;
        block[row + b] = acc;
        if (acc > peak) peak = acc;
      }
    }
    // Math.log times log10(e) is about twice as fast as Math.log10 and equal to it within 1e-15.
    for (let b = 0; b < nMels; b++) {
      const outRow = b * frames;
      for (let t = t0; t < t1; t++) {
        const e = block[(t - t0) * nMels + b]!;
        data[outRow + t] = Math.log(e > 1e-10 ? e : 1e-10) * Math.LOG10E;
      }
    }
  }

  // log10 is monotonic, so the utterance's peak log value is the log of its peak energy.
  const floor = Math.log(peak > 1e-10 ? peak : 1e-10) * Math.LOG10E - 8;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    data[i] = ((v > floor ? v : floor) + 4) / 4;
  }
  return { data, nMels, frames };
}
