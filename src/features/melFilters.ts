/**
 * Mel filter bank of the S3Tokenizer / Whisper front end: librosa.filters.mel(sr=16000, n_fft=400,
 * n_mels, fmin=0, fmax=8000) with librosa's defaults (Slaney mel scale, htk=False, Slaney area
 * normalisation). Upstream ships these as precomputed float32 arrays; computing them here from the
 * definition (float64, with librosa's float32 rounding steps) avoids shipping data files and
 * reproduces those arrays bit for bit.
 */

import { InvalidInputError } from "../errors.js";
import { N_BINS, SAMPLE_RATE } from "./constants.js";

// Slaney mel scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above (27 mels per factor 6.4).
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP; // 15
const LOGSTEP = Math.log(6.4) / 27;

export function hzToMel(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOGSTEP : hz / F_SP;
}

export function melToHz(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** numpy.linspace(start, stop, num) with endpoint: start + i * step, last element exactly `stop`. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num); // [num]
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

function computeMelFilters(nMels: number): Float32Array {
  const fmax = SAMPLE_RATE / 2;
  const fftFreqs = linspace(0, fmax, N_BINS); // [201], 40 Hz apart
  const mels = linspace(hzToMel(0), hzToMel(fmax), nMels + 2); // [nMels + 2]
  const hz = new Float64Array(nMels + 2); // [nMels + 2] band edges / centres in Hz
  for (let i = 0; i < nMels + 2; i++) hz[i] = melToHz(mels[i]!);

  const weights = new Float32Array(nMels * N_BINS); // [nMels, 201]
  for (let i = 0; i < nMels; i++) {
    const fdiffLo = hz[i + 1]! - hz[i]!;
    const fdiffHi = hz[i + 2]! - hz[i + 1]!;
    // Slaney normalisation: every triangle has unit area in Hz, so wide bands are not louder.
    const enorm = 2 / (hz[i + 2]! - hz[i]!);
    for (let k = 0; k < N_BINS; k++) {
      // ramps[j][k] = hz[j] - fftFreqs[k]
      const lower = -(hz[i]! - fftFreqs[k]!) / fdiffLo;
      const upper = (hz[i + 2]! - fftFreqs[k]!) / fdiffHi;
      // librosa stores the triangle into its float32 weight array first and then scales that
      // array by the float64 enorm, so the value is rounded to float32 twice. Doing the same makes
      // the bank bit-identical to upstream's shipped arrays (one rounding is off by 1 ulp at times).
      weights[i * N_BINS + k] = Math.fround(Math.max(0, Math.min(lower, upper))) * enorm;
    }
  }
  return weights;
}

function checkNMels(nMels: number): void {
  if (!Number.isInteger(nMels) || nMels < 1) {
    throw new InvalidInputError(`nMels must be a positive integer, got ${nMels}`);
  }
}

const denseCache = new Map<number, Float32Array>();

/**
 * The mel filter bank, float32 row-major [nMels, 201]. Cached per nMels: the returned array is
 * shared, so callers must not modify it.
 */
export function melFilters(nMels: number): Float32Array {
  checkNMels(nMels);
  let filters = denseCache.get(nMels);
  if (filters === undefined) {
    filters = computeMelFilters(nMels);
    denseCache.set(nMels, filters);
  }
  return filters;
}

/**
 * The same filter bank in sparse form for the log-mel hot loop. Each row is one triangle, nonzero
 * over a few consecutive bins (1 to 9 of 201 for 128 bands), so the mel product visits only those:
 * row b covers bins start[b] .. end[b]-1 with weights weights[offset[b] .. offset[b] + end[b] -
 * start[b]). (A bin-major form, two multiply-adds per bin into adjacent bands, measured slower:
 * its read-modify-write chains through memory cost more than these short register loops.)
 */
export interface SparseMelFilters {
  nMels: number;
  start: Int32Array; // [nMels]
  end: Int32Array; // [nMels]
  offset: Int32Array; // [nMels]
  /** The float32 filter values widened to float64 so the product runs in float64. */
  weights: Float64Array; // [total nonzeros]
}

const sparseCache = new Map<number, SparseMelFilters>();

export function sparseMelFilters(nMels: number): SparseMelFilters {
  checkNMels(nMels);
  const cached = sparseCache.get(nMels);
  if (cached !== undefined) return cached;
  const dense = melFilters(nMels); // [nMels, 201]
  const start = new Int32Array(nMels); // [nMels]
  const end = new Int32Array(nMels); // [nMels]
  const offset = new Int32Array(nMels); // [nMels]
  let total = 0;
  for (let b = 0; b < nMels; b++) {
    let lo = 0;
    while (lo < N_BINS && dense[b * N_BINS + lo] === 0) lo++;
    let hi = N_BINS;
    while (hi > lo && dense[b * N_BINS + hi - 1] === 0) hi--;
    start[b] = lo;
    end[b] = hi;
    offset[b] = total;
    total += hi - lo;
  }
  const weights = new Float64Array(total); // [total nonzeros]
  for (let b = 0; b < nMels; b++) {
    for (let k = start[b]!; k < end[b]!; k++) weights[offset[b]! + k - start[b]!] = dense[b * N_BINS + k]!;
  }
  const sparse: SparseMelFilters = { nMels, start, end, offset, weights };
  sparseCache.set(nMels, sparse);
  return sparse;
}
