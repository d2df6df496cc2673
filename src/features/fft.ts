/**
 * A small mixed-radix FFT (radices 2, 3, 4 and 5), written here on purpose: the log-mel front end
 * needs a 400-point real FFT (400 = 2^4 * 5^2), and no maintained npm FFT package handles
 * non-power-of-two lengths, while zero-padding to 512 would change the spectrum (the features
 * must match torch.stft with n_fft = 400 exactly). All arithmetic is float64.
 *
 * Algorithm: Stockham autosort, decimation in frequency. Each stage of radix p splits the current
 * sub-transforms of length n into p interleaved ones of length n / p, writing from one scratch
 * buffer into the other, so the result comes out in natural order with no bit-reversal pass.
 * Twiddle factors are computed once per plan from cos/sin of the exact angle (not by repeated
 * multiplication, which would accumulate rounding), and all scratch is allocated in the
 * constructor: the transform methods allocate nothing, so one plan can serve every frame.
 */

import { InvalidInputError } from "../errors.js";

/** Split `n` into radices 4, 2, 3, 5 (4s first: fewest passes), or null if another prime divides it. */
export function factorize(n: number): number[] | null {
  if (!Number.isInteger(n) || n < 1) return null;
  const radices: number[] = [];
  let rest = n;
  while (rest % 4 === 0) {
    radices.push(4);
    rest /= 4;
  }
  for (const p of [2, 3, 5]) {
    while (rest % p === 0) {
      radices.push(p);
      rest /= p;
    }
  }
  return rest === 1 ? radices : null;
}

/** One Stockham stage: radix p, sub-transform length n = p * m, stride s = N / n. */
interface Stage {
  p: number;
  m: number;
  s: number;
  /** Twiddles w_n^(j*k) for j < m, k = 1..p-1, at index j * (p - 1) + k - 1. */
  twRe: Float64Array; // [m, p - 1]
  twIm: Float64Array; // [m, p - 1]
}

const SIN_60 = Math.sqrt(3) / 2;
const C1 = Math.cos((2 * Math.PI) / 5);
const C2 = Math.cos((4 * Math.PI) / 5);
const S1 = Math.sin((2 * Math.PI) / 5);
const S2 = Math.sin((4 * Math.PI) / 5);

/** Forward (e^{-2πi kn/N}, unnormalised) complex FFT plan for a fixed length N. */
export class ComplexFft {
  readonly n: number;
  private readonly stages: Stage[];
  // Two ping-pong work buffers in split (re / im) form.
  private readonly aRe: Float64Array; // [n]
  private readonly aIm: Float64Array; // [n]
  private readonly bRe: Float64Array; // [n]
  private readonly bIm: Float64Array; // [n]

  constructor(n: number) {
    const radices = factorize(n);
    if (radices === null) {
      throw new InvalidInputError(`FFT length ${n} is not a positive integer whose prime factors are 2, 3 and 5`);
    }
    this.n = n;
    this.stages = [];
    let len = n;
    let s = 1;
    for (const p of radices) {
      const m = len / p;
      const twRe = new Float64Array(m * (p - 1));
      const twIm = new Float64Array(m * (p - 1));
      for (let j = 0; j < m; j++) {
        for (let k = 1; k < p; k++) {
          // Reduce j*k modulo len first so the angle is exact in [0, 2π).
          const angle = (-2 * Math.PI * ((j * k) % len)) / len;
          twRe[j * (p - 1) + k - 1] = Math.cos(angle);
          twIm[j * (p - 1) + k - 1] = Math.sin(angle);
        }
      }
      this.stages.push({ p, m, s, twRe, twIm });
      len = m;
      s *= p;
    }
    this.aRe = new Float64Array(n);
    this.aIm = new Float64Array(n);
    this.bRe = new Float64Array(n);
    this.bIm = new Float64Array(n);
  }

  /**
   * out = DFT(in). Inputs and outputs are length-n split arrays; `out` may alias `in`.
   * Allocates nothing.
   */
  transform(inRe: Float64Array, inIm: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    const n = this.n;
    if (inRe.length < n || inIm.length < n || outRe.length < n || outIm.length < n) {
      throw new InvalidInputError(`FFT of length ${n} needs arrays of at least ${n} elements`);
    }
    const aRe = this.aRe;
    const aIm = this.aIm;
    for (let i = 0; i < n; i++) {
      aRe[i] = inRe[i]!;
      aIm[i] = inIm[i]!;
    }
    const inA = this.run();
    const zRe = inA ? aRe : this.bRe;
    const zIm = inA ? aIm : this.bIm;
    for (let i = 0; i < n; i++) {
      outRe[i] = zRe[i]!;
      outIm[i] = zIm[i]!;
    }
  }

  /**
   * For RealFft, which fills the input buffers itself and reads the result where it lies, saving
   * two copies per call: the input goes in `workRe` / `workIm`; `run()` returns true when the
   * result is back in them, false when it is in `otherRe` / `otherIm`.
   */
  get workRe(): Float64Array {
    return this.aRe;
  }
  get workIm(): Float64Array {
    return this.aIm;
  }
  get otherRe(): Float64Array {
    return this.bRe;
  }
  get otherIm(): Float64Array {
    return this.bIm;
  }

  /** Run all stages on the work buffers (see workRe). */
  run(): boolean {
    let xRe = this.aRe;
    let xIm = this.aIm;
    let yRe = this.bRe;
    let yIm = this.bIm;
    const stages = this.stages;
    for (let i = 0; i < stages.length; i++) {
      const st = stages[i]!;
      switch (st.p) {
        case 2:
          radix2(st, xRe, xIm, yRe, yIm);
          break;
        case 3:
          radix3(st, xRe, xIm, yRe, yIm);
          break;
        case 4:
          radix4(st, xRe, xIm, yRe, yIm);
          break;
        default:
          radix5(st, xRe, xIm, yRe, yIm);
          break;
      }
      const tRe = xRe;
      const tIm = xIm;
      xRe = yRe;
      xIm = yIm;
      yRe = tRe;
      yIm = tIm;
    }
    return this.stages.length % 2 === 0;
  }
}

/*
 * Stage kernels. Input element r of sub-transform (j, q) is x[q + s*(j + r*m)]; output k goes to
 * y[q + s*(p*j + k)], multiplied by the twiddle w_n^(j*k). After the last stage (m = 1) the data
 * is in natural order. For j = 0 every twiddle is 1 and the multiplication is skipped; that is
 * the whole of the last stage.
 */

function radix2(st: Stage, xRe: Float64Array, xIm: Float64Array, yRe: Float64Array, yIm: Float64Array): void {
  const { m, s, twRe, twIm } = st;
  const sm = s * m;
  for (let j = 0; j < m; j++) {
    const wr = twRe[j]!;
    const wi = twIm[j]!;
    const inBase = s * j;
    const outBase = s * 2 * j;
    for (let q = 0; q < s; q++) {
      const i0 = inBase + q;
      const i1 = i0 + sm;
      const a0r = xRe[i0]!, a0i = xIm[i0]!;
      const a1r = xRe[i1]!, a1i = xIm[i1]!;
      const o = outBase + q;
      yRe[o] = a0r + a1r;
      yIm[o] = a0i + a1i;
      const dr = a0r - a1r, di = a0i - a1i;
      if (j === 0) {
        yRe[o + s] = dr;
        yIm[o + s] = di;
        continue;
      }
      yRe[o + s] = dr * wr - di * wi;
      yIm[o + s] = dr * wi + di * wr;
    }
  }
}

function radix3(st: Stage, xRe: Float64Array, xIm: Float64Array, yRe: Float64Array, yIm: Float64Array): void {
  const { m, s, twRe, twIm } = st;
  const sm = s * m;
  for (let j = 0; j < m; j++) {
    const w1r = twRe[2 * j]!, w1i = twIm[2 * j]!;
    const w2r = twRe[2 * j + 1]!, w2i = twIm[2 * j + 1]!;
    const inBase = s * j;
    const outBase = s * 3 * j;
    for (let q = 0; q < s; q++) {
      const i0 = inBase + q;
      const a0r = xRe[i0]!, a0i = xIm[i0]!;
      const a1r = xRe[i0 + sm]!, a1i = xIm[i0 + sm]!;
      const a2r = xRe[i0 + 2 * sm]!, a2i = xIm[i0 + 2 * sm]!;
      const sr = a1r + a2r, si = a1i + a2i;
      const dr = a1r - a2r, di = a1i - a2i;
      const mr = a0r - 0.5 * sr, mi = a0i - 0.5 * si;
      // b1 = m - i*(√3/2)*d, b2 = m + i*(√3/2)*d
      const b1r = mr + SIN_60 * di, b1i = mi - SIN_60 * dr;
      const b2r = mr - SIN_60 * di, b2i = mi + SIN_60 * dr;
      const o = outBase + q;
      yRe[o] = a0r + sr;
      yIm[o] = a0i + si;
      if (j === 0) {
        yRe[o + s] = b1r;
        yIm[o + s] = b1i;
        yRe[o + 2 * s] = b2r;
        yIm[o + 2 * s] = b2i;
        continue;
      }
      yRe[o + s] = b1r * w1r - b1i * w1i;
      yIm[o + s] = b1r * w1i + b1i * w1r;
      yRe[o + 2 * s] = b2r * w2r - b2i * w2i;
      yIm[o + 2 * s] = b2r * w2i + b2i * w2r;
    }
  }
}

function radix4(st: Stage, xRe: Float64Array, xIm: Float64Array, yRe: Float64Array, yIm: Float64Array): void {
  const { m, s, twRe, twIm } = st;
  const sm = s * m;
  for (let j = 0; j < m; j++) {
    const w1r = twRe[3 * j]!, w1i = twIm[3 * j]!;
    const w2r = twRe[3 * j + 1]!, w2i = twIm[3 * j + 1]!;
    const w3r = twRe[3 * j + 2]!, w3i = twIm[3 * j + 2]!;
    const inBase = s * j;
    const outBase = s * 4 * j;
    for (let q = 0; q < s; q++) {
      const i0 = inBase + q;
      const a0r = xRe[i0]!, a0i = xIm[i0]!;
      const a1r = xRe[i0 + sm]!, a1i = xIm[i0 + sm]!;
      const a2r = xRe[i0 + 2 * sm]!, a2i = xIm[i0 + 2 * sm]!;
      const a3r = xRe[i0 + 3 * sm]!, a3i = xIm[i0 + 3 * sm]!;
      const s02r = a0r + a2r, s02i = a0i + a2i;
      const d02r = a0r - a2r, d02i = a0i - a2i;
      const s13r = a1r + a3r, s13i = a1i + a3i;
      const d13r = a1r - a3r, d13i = a1i - a3i;
      // w_4 = -i: b1 = d02 - i*d13, b3 = d02 + i*d13.
      const b1r = d02r + d13i, b1i = d02i - d13r;
      const b2r = s02r - s13r, b2i = s02i - s13i;
      const b3r = d02r - d13i, b3i = d02i + d13r;
      const o = outBase + q;
      yRe[o] = s02r + s13r;
      yIm[o] = s02i + s13i;
      if (j === 0) {
        yRe[o + s] = b1r;
        yIm[o + s] = b1i;
        yRe[o + 2 * s] = b2r;
        yIm[o + 2 * s] = b2i;
        yRe[o + 3 * s] = b3r;
        yIm[o + 3 * s] = b3i;
        continue;
      }
      yRe[o + s] = b1r * w1r - b1i * w1i;
      yIm[o + s] = b1r * w1i + b1i * w1r;
      yRe[o + 2 * s] = b2r * w2r - b2i * w2i;
      yIm[o + 2 * s] = b2r * w2i + b2i * w2r;
      yRe[o + 3 * s] = b3r * w3r - b3i * w3i;
      yIm[o + 3 * s] = b3r * w3i + b3i * w3r;
    }
  }
}

function radix5(st: Stage, xRe: Float64Array, xIm: Float64Array, yRe: Float64Array, yIm: Float64Array): void {
  const { m, s, twRe, twIm } = st;
  const sm = s * m;
  for (let j = 0; j < m; j++) {
    const t = 4 * j;
    const w1r = twRe[t]!, w1i = twIm[t]!;
    const w2r = twRe[t + 1]!, w2i = twIm[t + 1]!;
    const w3r = twRe[t + 2]!, w3i = twIm[t + 2]!;
    const w4r = twRe[t + 3]!, w4i = twIm[t + 3]!;
    const inBase = s * j;
    const outBase = s * 5 * j;
    for (let q = 0; q < s; q++) {
      const i0 = inBase + q;
      const a0r = xRe[i0]!, a0i = xIm[i0]!;
      const a1r = xRe[i0 + sm]!, a1i = xIm[i0 + sm]!;
      const a2r = xRe[i0 + 2 * sm]!, a2i = xIm[i0 + 2 * sm]!;
      const a3r = xRe[i0 + 3 * sm]!, a3i = xIm[i0 + 3 * sm]!;
      const a4r = xRe[i0 + 4 * sm]!, a4i = xIm[i0 + 4 * sm]!;
      const s14r = a1r + a4r, s14i = a1i + a4i;
      const d14r = a1r - a4r, d14i = a1i - a4i;
      const s23r = a2r + a3r, s23i = a2i + a3i;
      const d23r = a2r - a3r, d23i = a2i - a3i;
      // Symmetric parts (cosines) and antisymmetric parts (sines) of the 5-point DFT.
      const p1r = a0r + C1 * s14r + C2 * s23r, p1i = a0i + C1 * s14i + C2 * s23i;
      const p2r = a0r + C2 * s14r + C1 * s23r, p2i = a0i + C2 * s14i + C1 * s23i;
      const q1r = S1 * d14r + S2 * d23r, q1i = S1 * d14i + S2 * d23i;
      const q2r = S2 * d14r - S1 * d23r, q2i = S2 * d14i - S1 * d23i;
      // b1 = p1 - i*q1, b4 = p1 + i*q1, b2 = p2 - i*q2, b3 = p2 + i*q2.
      const b1r = p1r + q1i, b1i = p1i - q1r;
      const b4r = p1r - q1i, b4i = p1i + q1r;
      const b2r = p2r + q2i, b2i = p2i - q2r;
      const b3r = p2r - q2i, b3i = p2i + q2r;
      const o = outBase + q;
      yRe[o] = a0r + s14r + s23r;
      yIm[o] = a0i + s14i + s23i;
      if (j === 0) {
        yRe[o + s] = b1r;
        yIm[o + s] = b1i;
        yRe[o + 2 * s] = b2r;
        yIm[o + 2 * s] = b2i;
        yRe[o + 3 * s] = b3r;
        yIm[o + 3 * s] = b3i;
        yRe[o + 4 * s] = b4r;
        yIm[o + 4 * s] = b4i;
        continue;
      }
      yRe[o + s] = b1r * w1r - b1i * w1i;
      yIm[o + s] = b1r * w1i + b1i * w1r;
      yRe[o + 2 * s] = b2r * w2r - b2i * w2i;
      yIm[o + 2 * s] = b2r * w2i + b2i * w2r;
      yRe[o + 3 * s] = b3r * w3r - b3i * w3i;
      yIm[o + 3 * s] = b3r * w3i + b3i * w3r;
      yRe[o + 4 * s] = b4r * w4r - b4i * w4i;
      yIm[o + 4 * s] = b4r * w4i + b4i * w4r;
    }
  }
}

/**
 * Real-input forward FFT plan: bins 0..floor(N/2) of the DFT of a real length-N signal.
 *
 * For even N the signal is packed into N/2 complex points z[n] = x[2n] + i*x[2n+1], transformed
 * with a half-length complex FFT and split back into even/odd spectra, which halves the work. Odd
 * N falls back to a full-length complex FFT with a zero imaginary part.
 */
export class RealFft {
  readonly n: number;
  /** Number of output bins: floor(N / 2) + 1. */
  readonly bins: number;
  private readonly half: boolean;
  private readonly fft: ComplexFft;
  /** e^{-2πik/N} for k = 0..N/2, used to recombine the even/odd halves. */
  private readonly wRe: Float64Array; // [N/2 + 1]
  private readonly wIm: Float64Array; // [N/2 + 1]

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 2) {
      throw new InvalidInputError(`real FFT length must be an integer >= 2, got ${n}`);
    }
    this.n = n;
    this.bins = Math.floor(n / 2) + 1;
    this.half = n % 2 === 0;
    this.fft = new ComplexFft(this.half ? n / 2 : n);
    this.wRe = new Float64Array(this.bins);
    this.wIm = new Float64Array(this.bins);
    for (let k = 0; k < this.bins; k++) {
      const angle = (-2 * Math.PI * k) / n;
      this.wRe[k] = Math.cos(angle);
      this.wIm[k] = Math.sin(angle);
    }
  }

  /**
   * outRe/outIm[k] = sum_n input[n] * e^{-2πikn/N} for k = 0..bins-1. `input` has N elements
   * ([N]); the outputs at least `bins` ([bins]). Allocates nothing.
   */
  forward(input: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    this.check(input.length, Math.min(outRe.length, outIm.length));
    this.pack(input);
    const inWork = this.fft.run();
    const zRe = inWork ? this.fft.workRe : this.fft.otherRe;
    const zIm = inWork ? this.fft.workIm : this.fft.otherIm;
    if (!this.half) {
      for (let k = 0; k < this.bins; k++) {
        outRe[k] = zRe[k]!;
        outIm[k] = zIm[k]!;
      }
      return;
    }
    const m = this.n / 2;
    const wRe = this.wRe;
    const wIm = this.wIm;
    for (let k = 0; k <= m; k++) {
      // Z[k] and Z[M-k] (indices mod M) give the spectra of the even and odd samples:
      // E = (Z[k] + conj(Z[M-k])) / 2, O = (Z[k] - conj(Z[M-k])) / 2i, X[k] = E + w^k * O.
      const ik = k === m ? 0 : k;
      const jk = k === 0 ? 0 : m - k;
      const ar = zRe[ik]!, ai = zIm[ik]!;
      const br = zRe[jk]!, bi = zIm[jk]!;
      const er = 0.5 * (ar + br), ei = 0.5 * (ai - bi);
      const or = 0.5 * (ai + bi), oi = -0.5 * (ar - br);
      const wr = wRe[k]!, wi = wIm[k]!;
      outRe[k] = er + wr * or - wi * oi;
      outIm[k] = ei + wr * oi + wi * or;
    }
  }

  /** out[k] = |X[k]|^2 for k = 0..bins-1 ([bins]), without materialising X. Allocates nothing. */
  powerSpectrum(input: Float64Array, out: Float64Array): void {
    this.check(input.length, out.length);
    this.pack(input);
    this.finishPower(out);
  }

  /**
   * One STFT frame: out = |X|^2 of window[n] * src[offset + n], n < N ([bins]). The windowing is
   * fused into the input packing, saving a pass over a frame buffer. Allocates nothing.
   */
  powerSpectrumWindowed(src: Float32Array, offset: number, window: Float64Array, out: Float64Array): void {
    const n = this.n;
    if (offset < 0 || offset + n > src.length || window.length < n) {
      throw new InvalidInputError(`STFT frame [${offset}, ${offset + n}) is outside the ${src.length} samples`);
    }
    this.check(n, out.length);
    const inRe = this.fft.workRe;
    const inIm = this.fft.workIm;
    if (this.half) {
      for (let i = 0, j = offset; i < n / 2; i++, j += 2) {
        inRe[i] = src[j]! * window[2 * i]!;
        inIm[i] = src[j + 1]! * window[2 * i + 1]!;
      }
    } else {
      for (let i = 0; i < n; i++) {
        inRe[i] = src[offset + i]! * window[i]!;
        inIm[i] = 0;
      }
    }
    this.finishPower(out);
  }

  private check(inputLength: number, outLength: number): void {
    if (inputLength < this.n || outLength < this.bins) {
      throw new InvalidInputError(`real FFT of length ${this.n} needs ${this.n} inputs and ${this.bins} output bins`);
    }
  }

  /** Load the input into the complex plan: x[2n] + i x[2n+1] for even N, x[n] + 0i for odd N. */
  private pack(input: Float64Array): void {
    const inRe = this.fft.workRe;
    const inIm = this.fft.workIm;
    if (this.half) {
      for (let i = 0; i < this.n / 2; i++) {
        inRe[i] = input[2 * i]!;
        inIm[i] = input[2 * i + 1]!;
      }
    } else {
      for (let i = 0; i < this.n; i++) {
        inRe[i] = input[i]!;
        inIm[i] = 0;
      }
    }
  }

  /** Transform the packed input and write |X[k]|^2. */
  private finishPower(out: Float64Array): void {
    const inWork = this.fft.run();
    const zRe = inWork ? this.fft.workRe : this.fft.otherRe;
    const zIm = inWork ? this.fft.workIm : this.fft.otherIm;
    if (!this.half) {
      for (let k = 0; k < this.bins; k++) out[k] = zRe[k]! * zRe[k]! + zIm[k]! * zIm[k]!;
      return;
    }
    const m = this.n / 2;
    const wRe = this.wRe;
    const wIm = this.wIm;
    // DC and Nyquist: X[0] = Re Z[0] + Im Z[0], X[M] = Re Z[0] - Im Z[0] (both real).
    const dc = zRe[0]! + zIm[0]!;
    const ny = zRe[0]! - zIm[0]!;
    out[0] = dc * dc;
    out[m] = ny * ny;
    // Bins k and M-k use the same pair Z[k], Z[M-k], so both come from one load. For M-k,
    // E and O are conj(E) and conj(O) of bin k and w^(M-k) = -conj(w^k), hence
    // X[M-k] = conj(E - w^k O).
    for (let k = 1, j = m - 1; k <= j; k++, j--) {
      const ar = zRe[k]!, ai = zIm[k]!;
      const br = zRe[j]!, bi = zIm[j]!;
      const er = 0.5 * (ar + br), ei = 0.5 * (ai - bi);
      const or = 0.5 * (ai + bi), oi = -0.5 * (ar - br);
      const wr = wRe[k]!, wi = wIm[k]!;
      const tr = wr * or - wi * oi;
      const ti = wr * oi + wi * or;
      const xr = er + tr, xi = ei + ti; // X[k] = E + w^k O
      out[k] = xr * xr + xi * xi;
      if (k < j) {
        const yr = er - tr, yi = ei - ti;
        out[j] = yr * yr + yi * yi;
      }
    }
  }
}
