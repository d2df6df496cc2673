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

/** log10 of the 1e-10 energy clamp, computed the way the main loop computes logs. */
const LOG_MIN = Math.log(1e-10) * Math.LOG10E;

/**
 * Frames per block of the final transpose: reading one band across a block touches 64 cache lines
 * of `mel`, which stay cached while the next seven bands read the rest of those lines.
 */
const TRANSPOSE_BLOCK = 64;

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
  const { start, end, offset, weights } = sparseMelFilters(nMels);
  const frames = frameCount(len);

  // Mel energies, frame-major so each frame writes one contiguous row.
  const mel = new Float64Array(frames * nMels); // [frames, nMels]
  let peak = 0;
  for (let t = 0; t < frames; t++) {
    framePower(samples, t);
    const row = t * nMels;
    for (let b = 0; b < nMels; b++) {
      // mel = filters @ power over the triangle's nonzero bins only.
      const lo = start[b]!;
      const hi = end[b]!;
      const w0 = offset[b]! - lo;
      let acc = 0;
      for (let k = lo; k < hi; k++) acc += weights[w0 + k]! * power[k]!;
      mel[row + b] = acc;
      if (acc > peak) peak = acc;
    }
  }

  // log10 is monotonic, so the utterance's peak log value is the log of its peak energy. The
  // 80 dB floor is relative to that peak; then Whisper's scaling to roughly [-1, 1]. An energy at
  // or below 1e-8 * peak gives max(log10(max(e, 1e-10)), floor) = max(floor, log10(1e-10)) with
  // no log to take (continuity makes the boundary harmless). Math.log times log10(e) is about
  // twice as fast as Math.log10 and equal to it within 1e-15.
  const peakClamped = peak > 1e-10 ? peak : 1e-10;
  const floor = Math.log(peakClamped) * Math.LOG10E - 8;
  const floorEnergy = peakClamped * 1e-8;
  const floorOut = ((floor > LOG_MIN ? floor : LOG_MIN) + 4) / 4;
  const data = new Float32Array(nMels * frames); // [nMels, frames]
  // Transpose [frames, nMels] -> [nMels, frames] in blocks of frames for cache locality.
  for (let t0 = 0; t0 < frames; t0 += TRANSPOSE_BLOCK) {
    const t1 = Math.min(frames, t0 + TRANSPOSE_BLOCK);
    for (let b = 0; b < nMels; b++) {
      const outRow = b * frames;
      for (let t = t0; t < t1; t++) {
        const e = mel[t * nMels + b]!;
        if (e <= floorEnergy) {
          data[outRow + t] = floorOut;
          continue;
        }
        const v = Math.log(e > 1e-10 ? e : 1e-10) * Math.LOG10E;
        data[outRow + t] = ((v > floor ? v : floor) + 4) / 4;
      }
    }
  }
  return { data, nMels, frames };
}
