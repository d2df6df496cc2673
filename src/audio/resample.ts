/**
 * Sample-rate conversion exactly as torchaudio's default `transforms.Resample(orig, new)` /
 * `functional.resample` (method "sinc_interp_hann", lowpass_filter_width 6, rolloff 0.99), which
 * is what upstream's `load_audio()` applies to every file that is not 16 kHz.
 *
 * The algorithm (torchaudio's, restated):
 *   - reduce the rates by their gcd: orig, new (e.g. 44.1 kHz -> 16 kHz becomes 441 -> 160);
 *   - output j of every block of `new` outputs sees the input through its own filter (phase j),
 *     and the next block uses the same `new` filters on the input shifted by `orig` samples, so
 *     the whole resampler is a conv1d with `new` output channels and stride `orig`;
 *   - filter taps sit at input offsets k = -width .. width + orig - 1 around the block start,
 *     width = ceil(lowpass_filter_width * orig / base_freq), base_freq = min(orig, new) * rolloff;
 *   - tap k of phase j is a Hann-windowed sinc at t = (k / orig - j / new) * base_freq, clamped to
 *     ±lowpass_filter_width: sinc(πt) * cos²(πt / (2 * lowpass_filter_width)) * base_freq / orig;
 *   - the input is zero-padded by `width` on the left and `width + orig` on the right, and the
 *     output is cut to ceil(new * length / orig) samples.
 *
 * torchaudio builds the kernel in float64 (its `-j / new` term in float32, promoted) and rounds it
 * to float32; the conv runs in float32. Here the kernel is built the same way and rounded to float32
 * the same way; the dot products accumulate in float64 and round once, so outputs agree with torch
 * to float32 rounding (~1e-7), far inside the 1e-4 that token parity needs.
 *
 * Taps whose float32 value is exactly 0 (the clamped tails, where the window is ~1e-33) are
 * neither stored nor multiplied: they add nothing, and for rates that stay large after the gcd
 * (44.1 kHz: 475 taps per phase, ~35 nonzero) they are most of the kernel.
 */

import { InvalidInputError } from "../errors.js";

/** Zero crossings of the sinc on each side (torchaudio's `lowpass_filter_width`). */
const LOWPASS_FILTER_WIDTH = 6;
/** Cutoff as a fraction of the lower Nyquist frequency (torchaudio's `rolloff`). */
const ROLLOFF = 0.99;

export interface ResampleKernel {
  /** Input rate divided by gcd(input rate, output rate). */
  orig: number;
  /** Output rate divided by the same gcd. */
  new: number;
  /** Left zero padding, and the tap offset of tap 0 relative to a block's first input sample. */
  width: number;
  /** Taps per phase in torchaudio's kernel: 2 * width + orig (most of them exactly zero). */
  taps: number;
  /**
   * The nonzero span of every phase, packed: phase j's taps first[j] .. first[j] + count[j] - 1
   * are weights[offset[j] ...]. Storing torchaudio's dense [new, taps] kernel instead would take
   * 16 k x 24021 floats (1.5 GB) for a 24001 Hz input, whose rates share no factor.
   */
  weights: Float32Array; // [sum of count]
  offset: Int32Array; // [new]
  first: Int32Array; // [new]
  count: Int32Array; // [new]
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function checkRate(rate: number, what: string): void {
  if (!Number.isSafeInteger(rate) || rate <= 0) {
    throw new InvalidInputError(`${what} must be a positive integer number of Hz, got ${rate}`);
  }
}

/** Kernels by "orig:new" (files mostly share a few rates); bounded so odd rates cannot pile up. */
const kernelCache = new Map<string, ResampleKernel>();
const KERNEL_CACHE_SIZE = 16;

/** Tap i of phase j in float32, computed as torchaudio computes it (float64, rounded once). */
function tap(i: number, phase: number, width: number, orig: number, baseFreq: number, scale: number): number {
  let t = (phase + (i - width) / orig) * baseFreq;
  t = Math.min(LOWPASS_FILTER_WIDTH, Math.max(-LOWPASS_FILTER_WIDTH, t));
  const c = Math.cos((t * Math.PI) / LOWPASS_FILTER_WIDTH / 2);
  const window = c * c;
  const x = t * Math.PI;
  const sinc = x === 0 ? 1 : Math.sin(x) / x;
  return Math.fround(sinc * (window * scale));
}

/** The torchaudio kernel for `origRate` -> `newRate`, as its nonzero spans. */
export function resampleKernel(origRate: number, newRate: number): ResampleKernel {
  checkRate(origRate, "input sample rate");
  checkRate(newRate, "output sample rate");
  const key = `${origRate}:${newRate}`;
  const cached = kernelCache.get(key);
  if (cached) return cached;

  const g = gcd(origRate, newRate);
  const orig = origRate / g;
  const nw = newRate / g;
  const baseFreq = Math.min(orig, nw) * ROLLOFF;
  const width = Math.ceil((LOWPASS_FILTER_WIDTH * orig) / baseFreq);
  const taps = 2 * width + orig;
  const scale = baseFreq / orig;
  // Where |t| reaches the clamp the window is cos²(π/2) ≈ 4e-33 and the tap rounds to 0 in float32:
  // only taps with |k / orig - j / new| < lowpass_filter_width / base_freq can be nonzero. Evaluate
  // that range plus a margin of 2 taps, then trim the exact zeros.
  const reach = (LOWPASS_FILTER_WIDTH / baseFreq) * orig;
  const offset = new Int32Array(nw); // [new]
  const first = new Int32Array(nw); // [new]
  const count = new Int32Array(nw); // [new]
  const spans: Float32Array[] = [];
  let total = 0;
  for (let j = 0; j < nw; j++) {
    // torch evaluates arange(0, -new, -1) / new in float32 before adding the float64 offsets.
    const phase = Math.fround(-j / nw);
    const centre = (j / nw) * orig + width; // tap index where t = 0
    const lo = Math.max(0, Math.floor(centre - reach) - 2);
    const hi = Math.min(taps, Math.ceil(centre + reach) + 3);
    const values = new Float32Array(Math.max(0, hi - lo)); // [span]
    let a = values.length;
    let b = 0;
    for (let i = lo; i < hi; i++) {
      const w = tap(i, phase, width, orig, baseFreq, scale);
      values[i - lo] = w;
      if (w !== 0) {
        a = Math.min(a, i - lo);
        b = i - lo + 1;
      }
    }
    const span = a < b ? values.subarray(a, b) : new Float32Array(0);
    first[j] = a < b ? lo + a : 0;
    count[j] = span.length;
    offset[j] = total;
    total += span.length;
    spans.push(span);
  }
  const weights = new Float32Array(total); // [sum of count]
  spans.forEach((span, j) => weights.set(span, offset[j]!));
  const kernel: ResampleKernel = { orig, new: nw, width, taps, weights, offset, first, count };
  if (kernelCache.size >= KERNEL_CACHE_SIZE) kernelCache.delete(kernelCache.keys().next().value!);
  kernelCache.set(key, kernel);
  return kernel;
}

/** Output length for `length` input samples: ceil(new * length / orig), as torchaudio cuts it. */
export function resampledLength(length: number, origRate: number, newRate: number): number {
  if (length === 0 || origRate === newRate) return length;
  const g = gcd(origRate, newRate);
  const orig = origRate / g;
  const nw = newRate / g;
  // Integer ceil division; exact while new * length < 2^53 (hours of audio at any rate).
  return Math.floor((nw * length + orig - 1) / orig);
}

/**
 * Outputs `from` .. `to` - 1 of the resampled signal. `x` holds input samples from absolute index
 * `xStart`; the signal is zero outside 0 .. `signalEnd` - 1 (the padding), and every other index a
 * tap can reach must be inside `x`. Written to `out` starting at `out[outAt]`.
 */
function convolve(
  kernel: ResampleKernel,
  x: Float32Array,
  xStart: number,
  signalEnd: number,
  from: number,
  to: number,
  out: Float32Array,
  outAt: number,
): void {
  const { orig, new: nw, width, weights, offset, first, count } = kernel;
  for (let o = from; o < to; o++) {
    const block = Math.floor(o / nw);
    const j = o - block * nw;
    // Absolute input index under the phase's first nonzero tap.
    const start = block * orig - width + first[j]!;
    let lo = 0;
    let hi = count[j]!;
    // Taps over the zero padding contribute nothing.
    if (start + lo < 0) lo = -start;
    if (start + hi > signalEnd) hi = signalEnd - start;
    let acc = 0;
    const w0 = offset[j]!;
    const x0 = start - xStart;
    for (let i = lo; i < hi; i++) acc += weights[w0 + i]! * x[x0 + i]!;
    out[outAt + o - from] = acc;
  }
}

/** Resample a whole signal at once: [samples] at `origRate` -> [ceil(new·len/orig)] at `newRate`. */
export function resample(samples: Float32Array, origRate: number, newRate: number): Float32Array {
  checkRate(origRate, "input sample rate");
  checkRate(newRate, "output sample rate");
  if (origRate === newRate) return samples;
  const kernel = resampleKernel(origRate, newRate);
  const length = resampledLength(samples.length, origRate, newRate);
  const out = new Float32Array(length); // [length]
  convolve(kernel, samples, 0, samples.length, 0, length, out, 0);
  return out;
}

/**
 * The same resampling fed in pieces: push input chunks as they are decoded, take the outputs that
 * are final, and `finish()` for the tail. The concatenated outputs equal `resample()` of the whole
 * input bit for bit; only the kernel's reach of input (about 2·width + orig samples) is kept
 * between chunks, so a long file never needs its original-rate samples in memory.
 */
export class StreamingResampler {
  readonly origRate: number;
  readonly newRate: number;
  private readonly kernel: ResampleKernel | null;
  /** Input samples kept, from absolute index `bufferStart`; `bufferLength` of them are valid. */
  private buffer = new Float32Array(0); // [capacity]
  private bufferStart = 0;
  private bufferLength = 0;
  /** Input samples pushed so far. */
  private received = 0;
  /** Outputs produced so far. */
  private produced = 0;
  private finished = false;
  /** Largest tap offset any phase reads: an output needs input up to base + maxEnd - 1. */
  private readonly maxEnd: number;
  /** Smallest tap offset any phase reads: input before base + minFirst is never read again. */
  private readonly minFirst: number;

  constructor(origRate: number, newRate: number) {
    checkRate(origRate, "input sample rate");
    checkRate(newRate, "output sample rate");
    this.origRate = origRate;
    this.newRate = newRate;
    this.kernel = origRate === newRate ? null : resampleKernel(origRate, newRate);
    let maxEnd = 0;
    let minFirst = Number.MAX_SAFE_INTEGER;
    for (let j = 0; this.kernel && j < this.kernel.new; j++) {
      maxEnd = Math.max(maxEnd, this.kernel.first[j]! + this.kernel.count[j]!);
      minFirst = Math.min(minFirst, this.kernel.first[j]!);
    }
    this.maxEnd = maxEnd;
    this.minFirst = this.kernel ? minFirst : 0;
  }

  /** Add input; returns the outputs that no later input can change (possibly none). */
  push(chunk: Float32Array): Float32Array {
    if (this.finished) throw new InvalidInputError("StreamingResampler.push() after finish()");
    this.received += chunk.length;
    if (!this.kernel) return chunk.slice();
    this.append(chunk);
    // Output o is final once every tap it reads lies below `received`.
    const { orig, new: nw, width } = this.kernel;
    let ready = this.produced;
    // Outputs of one block share `base`; count whole blocks whose last read input has arrived.
    const blocksReady = Math.floor((this.received - this.maxEnd + width) / orig) + 1;
    if (blocksReady > 0) ready = Math.max(ready, blocksReady * nw);
    // Never past the shortest possible final length (the cut at ceil(new·len/orig)).
    ready = Math.min(ready, resampledLength(this.received, this.origRate, this.newRate));
    return this.emit(ready, Number.MAX_SAFE_INTEGER);
  }

  /** No more input: returns the remaining outputs, up to ceil(new·len/orig) in all. */
  finish(): Float32Array {
    if (this.finished) throw new InvalidInputError("StreamingResampler.finish() called twice");
    this.finished = true;
    if (!this.kernel) return new Float32Array(0);
    const total = resampledLength(this.received, this.origRate, this.newRate);
    const out = this.emit(total, this.received);
    this.buffer = new Float32Array(0);
    this.bufferLength = 0;
    return out;
  }

  /** Compute outputs produced .. upTo - 1, with the signal known to end at `signalEnd`. */
  private emit(upTo: number, signalEnd: number): Float32Array {
    const kernel = this.kernel!;
    const count = Math.max(0, upTo - this.produced);
    const out = new Float32Array(count); // [count]
    if (count > 0) {
      const end = Math.min(signalEnd, this.received);
      convolve(kernel, this.buffer, this.bufferStart, end, this.produced, upTo, out, 0);
      this.produced = upTo;
    }
    // Drop input that no future output reads.
    const nextBase = Math.floor(this.produced / kernel.new) * kernel.orig - kernel.width;
    const keepFrom = Math.max(this.bufferStart, nextBase + this.minFirst);
    this.discardBefore(keepFrom);
    return out;
  }

  private append(chunk: Float32Array): void {
    const needed = this.bufferLength + chunk.length;
    if (needed > this.buffer.length) {
      const grown = new Float32Array(Math.max(needed, this.buffer.length * 2, 4096)); // [capacity]
      grown.set(this.buffer.subarray(0, this.bufferLength));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.bufferLength);
    this.bufferLength = needed;
  }

  private discardBefore(absolute: number): void {
    const drop = Math.min(this.bufferLength, absolute - this.bufferStart);
    if (drop <= 0) return;
    this.buffer.copyWithin(0, drop, this.bufferLength);
    this.bufferLength -= drop;
    this.bufferStart += drop;
  }
}
