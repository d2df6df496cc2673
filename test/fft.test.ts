import test from "node:test";
import assert from "node:assert/strict";
import { ComplexFft, RealFft, factorize } from "../src/features/fft.js";
import { InvalidInputError } from "../src/errors.js";
import { uniformSource } from "../src/models/common/seededRandom.js";

/** Deterministic PRNG so failures reproduce (the families' seeded generator). */
const rng = uniformSource;

/** O(n^2) DFT with exactly reduced angles: the reference the FFT must reproduce. */
function naiveDft(re: Float64Array, im: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n); // [n]
  const outIm = new Float64Array(n); // [n]
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const angle = (-2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      sr += re[j]! * c - im[j]! * s;
      si += re[j]! * s + im[j]! * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
  return { re: outRe, im: outIm };
}

/** max |got - want| / max |want| over complex vectors (the first `count` entries). */
function relError(gotRe: Float64Array, gotIm: Float64Array, wantRe: Float64Array, wantIm: Float64Array, count: number): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (let k = 0; k < count; k++) {
    maxDiff = Math.max(maxDiff, Math.hypot(gotRe[k]! - wantRe[k]!, gotIm[k]! - wantIm[k]!));
    maxRef = Math.max(maxRef, Math.hypot(wantRe[k]!, wantIm[k]!));
  }
  return maxDiff / maxRef;
}

test("factorize splits into radices 4, 2, 3, 5 and rejects other primes", () => {
  assert.deepEqual(factorize(400), [4, 4, 5, 5]);
  assert.deepEqual(factorize(200), [4, 2, 5, 5]);
  assert.deepEqual(factorize(1), []);
  assert.deepEqual(factorize(90), [2, 3, 3, 5]);
  assert.equal(factorize(14), null);
  assert.equal(factorize(0), null);
  assert.equal(factorize(2.5), null);
});

test("ComplexFft matches a naive DFT (random input, many lengths)", (t) => {
  const rand = rng(1);
  let worst = 0;
  for (const n of [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25, 27, 30, 40, 64, 75, 100, 120, 125, 200, 400, 480]) {
    const re = new Float64Array(n).map(() => rand() * 2 - 1); // [n]
    const im = new Float64Array(n).map(() => rand() * 2 - 1); // [n]
    const want = naiveDft(re, im);
    const outRe = new Float64Array(n); // [n]
    const outIm = new Float64Array(n); // [n]
    new ComplexFft(n).transform(re, im, outRe, outIm);
    const err = relError(outRe, outIm, want.re, want.im, n);
    worst = Math.max(worst, err);
    assert.ok(err < 1e-12, `n=${n}: relative error ${err}`);
  }
  t.diagnostic(`complex FFT max relative error vs naive DFT: ${worst.toExponential(2)}`);
});

test("ComplexFft is reusable and may run in place", () => {
  const rand = rng(2);
  const fft = new ComplexFft(200);
  for (let round = 0; round < 3; round++) {
    const re = new Float64Array(200).map(() => rand() - 0.5); // [200]
    const im = new Float64Array(200).map(() => rand() - 0.5); // [200]
    const want = naiveDft(re, im);
    fft.transform(re, im, re, im);
    assert.ok(relError(re, im, want.re, want.im, 200) < 1e-12);
  }
});

test("RealFft matches a naive DFT for even and odd lengths", (t) => {
  const rand = rng(3);
  let worst = 0;
  for (const n of [2, 3, 4, 5, 6, 10, 15, 16, 25, 30, 50, 81, 100, 150, 400, 800]) {
    const x = new Float64Array(n).map(() => rand() * 2 - 1); // [n]
    const want = naiveDft(x, new Float64Array(n));
    const plan = new RealFft(n);
    assert.equal(plan.bins, Math.floor(n / 2) + 1);
    const re = new Float64Array(plan.bins); // [bins]
    const im = new Float64Array(plan.bins); // [bins]
    plan.forward(x, re, im);
    const err = relError(re, im, want.re, want.im, plan.bins);
    worst = Math.max(worst, err);
    assert.ok(err < 1e-12, `n=${n}: relative error ${err}`);

    // The power spectrum path (used by log-mel) must agree with |forward|^2.
    const power = new Float64Array(plan.bins); // [bins]
    plan.powerSpectrum(x, power);
    for (let k = 0; k < plan.bins; k++) {
      const p = re[k]! * re[k]! + im[k]! * im[k]!;
      assert.ok(Math.abs(power[k]! - p) <= 1e-12 * Math.max(1, p), `n=${n} bin ${k}: ${power[k]} vs ${p}`);
    }
  }
  t.diagnostic(`real FFT max relative error vs naive DFT: ${worst.toExponential(2)}`);
});

test("RealFft.powerSpectrumWindowed equals powerSpectrum of the windowed slice", () => {
  const rand = rng(4);
  for (const n of [400, 75]) {
    const plan = new RealFft(n);
    const src = new Float32Array(3 * n).map(() => rand() - 0.5); // [3n]
    const window = new Float64Array(n).map((_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)); // [n]
    const offset = n + 7;
    const windowed = new Float64Array(n).map((_, i) => src[offset + i]! * window[i]!); // [n]
    const want = new Float64Array(plan.bins); // [bins]
    const got = new Float64Array(plan.bins); // [bins]
    plan.powerSpectrum(windowed, want);
    plan.powerSpectrumWindowed(src, offset, window, got);
    assert.deepEqual(Array.from(got), Array.from(want));
    assert.throws(() => plan.powerSpectrumWindowed(src, 2 * n + 1, window, got), InvalidInputError);
    assert.throws(() => plan.powerSpectrumWindowed(src, -1, window, got), InvalidInputError);
  }
});

test("RealFft of a pure cosine puts all energy in one bin", () => {
  const n = 400;
  const x = new Float64Array(n); // [400]
  for (let i = 0; i < n; i++) x[i] = Math.cos((2 * Math.PI * 25 * i) / n); // 1 kHz at 16 kHz
  const plan = new RealFft(n);
  const power = new Float64Array(plan.bins); // [201]
  plan.powerSpectrum(x, power);
  for (let k = 0; k < plan.bins; k++) {
    const want = k === 25 ? (n / 2) ** 2 : 0;
    assert.ok(Math.abs(power[k]! - want) < 1e-9, `bin ${k}: ${power[k]}`);
  }
});

test("FFT plans reject unsupported lengths and short buffers", () => {
  assert.throws(() => new ComplexFft(7), InvalidInputError);
  assert.throws(() => new ComplexFft(0), InvalidInputError);
  assert.throws(() => new RealFft(1), InvalidInputError);
  assert.throws(() => new RealFft(28), InvalidInputError); // 28 / 2 = 14 has the factor 7
  const plan = new RealFft(400);
  assert.throws(() => plan.forward(new Float64Array(399), new Float64Array(201), new Float64Array(201)), InvalidInputError);
  assert.throws(() => plan.powerSpectrum(new Float64Array(400), new Float64Array(200)), InvalidInputError);
});
