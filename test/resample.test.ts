import test from "node:test";
import assert from "node:assert/strict";
import { resample, resampledLength, resampleKernel, StreamingResampler } from "../src/audio/resample.js";

/** Deterministic pseudo-random signal in [-0.5, 0.5) ([length]). */
function noise(length: number, seed = 1): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

function streamed(input: Float32Array, origRate: number, newRate: number, pieceSizes: (i: number) => number): Float32Array {
  const resampler = new StreamingResampler(origRate, newRate);
  const parts: Float32Array[] = [];
  for (let at = 0, i = 0; at < input.length; i++) {
    const n = Math.min(input.length - at, pieceSizes(i));
    parts.push(resampler.push(input.subarray(at, at + n)));
    at += n;
  }
  parts.push(resampler.finish());
  const out = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const RATES: Array<[number, number]> = [
  [48000, 16000],
  [44100, 16000],
  [22050, 16000],
  [8000, 16000],
  [11025, 16000],
  [32000, 16000],
  [16000, 44100],
  [24001, 16000], // gcd 1: a 24001-tap-wide phase table
];

test("streaming output equals one-shot output bit for bit, for any chunking", () => {
  for (const [orig, nw] of RATES) {
    const input = noise(orig === 24001 ? 30000 : 20011, orig);
    const oneShot = resample(input, orig, nw);
    const chunkings: Array<(i: number) => number> = [
      () => 1,
      () => 7,
      (i) => ((i * 7919) % 4000) + 1,
      () => input.length,
    ];
    for (const sizes of chunkings) {
      const pieces = streamed(input, orig, nw, sizes);
      assert.equal(pieces.length, oneShot.length, `${orig}->${nw}`);
      for (let i = 0; i < oneShot.length; i++) {
        if (pieces[i] !== oneShot[i]) assert.fail(`${orig}->${nw}: sample ${i} differs: ${pieces[i]} vs ${oneShot[i]}`);
      }
    }
  }
});

test("output length is ceil(new * length / orig) after reducing by the gcd", () => {
  for (const [orig, nw] of RATES) {
    for (const length of [0, 1, 2, 3, 159, 160, 441, 1000, 44099, 44100, 44101]) {
      const expected = length === 0 ? 0 : Math.ceil((nw * length) / orig);
      assert.equal(resampledLength(length, orig, nw), expected, `${orig}->${nw} len ${length}`);
      assert.equal(resample(noise(length), orig, nw).length, expected, `${orig}->${nw} len ${length}`);
    }
  }
  // 2 h at 48 kHz: exact integer arithmetic, no float drift.
  assert.equal(resampledLength(2 * 3600 * 48000, 48000, 16000), 2 * 3600 * 16000);
  assert.equal(resampledLength(2 * 3600 * 44100 + 1, 44100, 16000), 2 * 3600 * 16000 + 1);
});

test("a 16 kHz input is returned unchanged", () => {
  const input = noise(1234);
  assert.equal(resample(input, 16000, 16000), input);
  const pieces = streamed(input, 16000, 16000, () => 100);
  assert.deepEqual(Array.from(pieces), Array.from(input));
});

test("the kernel has torchaudio's width and size", () => {
  // 44100 -> 16000 reduces to 441 -> 160; base = 160 * 0.99; width = ceil(6 * 441 / 158.4) = 17.
  const k = resampleKernel(44100, 16000);
  assert.equal(k.orig, 441);
  assert.equal(k.new, 160);
  assert.equal(k.width, 17);
  assert.equal(k.taps, 2 * 17 + 441);
  // 8000 -> 16000: 1 -> 2, base 0.99, width ceil(6 / 0.99) = 7.
  const up = resampleKernel(8000, 16000);
  assert.deepEqual([up.orig, up.new, up.width, up.taps], [1, 2, 7, 15]);
  // Phase 0 at offset 0 is the sinc's peak: scale = base / orig.
  assert.equal(up.weights[up.offset[0]! + up.width - up.first[0]!], Math.fround(0.99));
});

/** torchaudio's dense kernel [new, taps], written out directly from its definition. */
function denseKernel(origRate: number, newRate: number): { taps: number; weights: Float32Array } {
  let a = origRate;
  let b = newRate;
  while (b !== 0) [a, b] = [b, a % b];
  const orig = origRate / a;
  const nw = newRate / a;
  const base = Math.min(orig, nw) * 0.99;
  const width = Math.ceil((6 * orig) / base);
  const taps = 2 * width + orig;
  const weights = new Float32Array(nw * taps);
  for (let j = 0; j < nw; j++) {
    for (let k = -width; k < width + orig; k++) {
      const t = Math.max(-6, Math.min(6, (Math.fround(-j / nw) + k / orig) * base));
      const window = Math.cos((t * Math.PI) / 6 / 2) ** 2;
      const sinc = t === 0 ? 1 : Math.sin(t * Math.PI) / (t * Math.PI);
      weights[j * taps + k + width] = Math.fround(sinc * window * (base / orig));
    }
  }
  return { taps, weights };
}

test("the packed kernel holds exactly the nonzero taps of torchaudio's dense kernel", () => {
  for (const [orig, nw] of [[44100, 16000], [22050, 16000], [8000, 16000], [48000, 16000], [16000, 44100], [12345, 16000]] as const) {
    const packed = resampleKernel(orig, nw);
    const dense = denseKernel(orig, nw);
    assert.equal(packed.taps, dense.taps);
    for (let j = 0; j < packed.new; j++) {
      for (let i = 0; i < dense.taps; i++) {
        const inSpan = i >= packed.first[j]! && i < packed.first[j]! + packed.count[j]!;
        const value = inSpan ? packed.weights[packed.offset[j]! + i - packed.first[j]!]! : 0;
        if (value !== dense.weights[j * dense.taps + i]) {
          assert.fail(`${orig}->${nw} phase ${j} tap ${i}: ${value} vs ${dense.weights[j * dense.taps + i]}`);
        }
      }
    }
  }
});

test("a DC signal stays DC away from the edges", () => {
  for (const [orig, nw] of RATES) {
    const input = new Float32Array(orig === 24001 ? 30000 : 8000).fill(0.5);
    const out = resample(input, orig, nw);
    const margin = Math.ceil(out.length * 0.1);
    let worst = 0;
    for (let i = margin; i < out.length - margin; i++) worst = Math.max(worst, Math.abs(out[i]! - 0.5));
    // The windowed sinc's DC gain is 1 within its ripple (about 1e-3 for a 6-zero-crossing Hann window).
    assert.ok(worst < 5e-3, `${orig}->${nw}: DC deviates by ${worst}`);
  }
});

test("a tone below the cutoff keeps its amplitude and frequency", () => {
  const orig = 44100;
  const freq = 1000;
  const input = new Float32Array(orig); // 1 s
  for (let i = 0; i < input.length; i++) input[i] = 0.8 * Math.sin((2 * Math.PI * freq * i) / orig);
  const out = resample(input, orig, 16000);
  let peak = 0;
  let maxError = 0;
  for (let i = 1000; i < out.length - 1000; i++) {
    peak = Math.max(peak, Math.abs(out[i]!));
    // The output sample i is at time i / 16000: compare with the ideal tone there.
    maxError = Math.max(maxError, Math.abs(out[i]! - 0.8 * Math.sin((2 * Math.PI * freq * i) / 16000)));
  }
  assert.ok(Math.abs(peak - 0.8) < 0.01, `peak ${peak}`);
  assert.ok(maxError < 0.01, `max error ${maxError}`);
});

test("a tone above the new Nyquist frequency is removed", () => {
  const orig = 48000;
  const input = new Float32Array(orig);
  for (let i = 0; i < input.length; i++) input[i] = 0.8 * Math.sin((2 * Math.PI * 12000 * i) / orig);
  const out = resample(input, orig, 16000);
  let peak = 0;
  for (let i = 1000; i < out.length - 1000; i++) peak = Math.max(peak, Math.abs(out[i]!));
  assert.ok(peak < 0.01, `12 kHz leaks through at ${peak}`);
});

test("rates must be positive integers", () => {
  assert.throws(() => resample(new Float32Array(10), 0, 16000), /positive integer/);
  assert.throws(() => new StreamingResampler(44100.5, 16000), /positive integer/);
});
