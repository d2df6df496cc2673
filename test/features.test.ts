import test from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { HOP_LENGTH, N_BINS, N_FFT, SAMPLE_RATE } from "../src/features/constants.js";
import { hzToMel, melFilters, melToHz, sparseMelFilters } from "../src/features/melFilters.js";
import { frameCount, logMelSpectrogram, type MelSpectrogram } from "../src/features/logMel.js";
import { padding } from "../src/features/padding.js";
import { AudioTooShortError, InvalidInputError } from "../src/errors.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { readNpyF32 } from "./support/npy.js";
import { uniformSource } from "../src/models/common/seededRandom.js";

const FIXTURES = fixturesDir();
const REFERENCE = FIXTURES === null ? null : join(FIXTURES, "reference");
const skip = FIXTURES === null ? skipReason : false;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Deterministic PRNG so failures reproduce (the families' seeded generator). */
const rng = uniformSource;

/**
 * Straight transcription of the upstream recipe, independent of the fast path: explicit reflect
 * padding, naive DFT per frame, dense filter product, Math.log10. Slow; for short inputs only.
 */
function referenceLogMel(x: Float32Array, nMels: number): Float64Array {
  const pad = N_FFT / 2;
  const padded = new Float64Array(x.length + 2 * pad); // [samples + 400]
  for (let i = 0; i < padded.length; i++) {
    const j = i - pad;
    padded[i] = x[j < 0 ? -j : j >= x.length ? 2 * (x.length - 1) - j : j]!;
  }
  const frames = Math.floor(x.length / HOP_LENGTH);
  const filters = melFilters(nMels); // [nMels, 201]
  const out = new Float64Array(nMels * frames); // [nMels, frames]
  for (let t = 0; t < frames; t++) {
    const power = new Float64Array(N_BINS); // [201]
    for (let k = 0; k < N_BINS; k++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < N_FFT; n++) {
        const v = padded[t * HOP_LENGTH + n]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N_FFT));
        const angle = (-2 * Math.PI * ((n * k) % N_FFT)) / N_FFT;
        re += v * Math.cos(angle);
        im += v * Math.sin(angle);
      }
      power[k] = re * re + im * im;
    }
    for (let b = 0; b < nMels; b++) {
      let e = 0;
      for (let k = 0; k < N_BINS; k++) e += filters[b * N_BINS + k]! * power[k]!;
      out[b * frames + t] = Math.log10(Math.max(e, 1e-10));
    }
  }
  const floor = Math.max(...out) - 8;
  return out.map((v) => (Math.max(v, floor) + 4) / 4);
}

test("constants describe 25 ms windows every 10 ms at 16 kHz", () => {
  assert.equal(SAMPLE_RATE, 16000);
  assert.equal(N_FFT, 0.025 * SAMPLE_RATE);
  assert.equal(HOP_LENGTH, 0.01 * SAMPLE_RATE);
  assert.equal(N_BINS, 201);
});

test("Slaney mel scale: linear below 1 kHz, logarithmic above, invertible", () => {
  assert.equal(hzToMel(0), 0);
  assert.ok(Math.abs(hzToMel(200) - 3) < 1e-12);
  assert.ok(Math.abs(hzToMel(1000) - 15) < 1e-12);
  assert.ok(Math.abs(hzToMel(6400) - 42) < 1e-12); // 27 mels per factor 6.4 above 1 kHz
  for (const hz of [0, 40, 500, 999, 1000, 1001, 4000, 8000]) {
    assert.ok(Math.abs(melToHz(hzToMel(hz)) - hz) < 1e-9 * Math.max(1, hz));
  }
});

test("melFilters: shape, non-negative triangles, cached", () => {
  for (const nMels of [80, 128]) {
    const f = melFilters(nMels); // [nMels, 201]
    assert.equal(f.length, nMels * N_BINS);
    assert.ok(f.every((v) => v >= 0));
    assert.equal(melFilters(nMels), f);
    // Sparse form holds exactly the nonzero entries.
    const s = sparseMelFilters(nMels);
    assert.equal(s.weights.length, f.filter((v) => v !== 0).length);
  }
  assert.throws(() => melFilters(0), InvalidInputError);
});

for (const nMels of [128, 80]) {
  test(`melFilters(${nMels}) matches upstream's mel_filters_${nMels}.npy`, { skip }, (t) => {
    const ref = readNpyF32(join(REFERENCE!, `mel_filters_${nMels}.npy`)); // [nMels, 201]
    assert.deepEqual(ref.shape, [nMels, N_BINS]);
    const diff = maxAbsDiff(melFilters(nMels), ref.data);
    t.diagnostic(`mel_filters_${nMels}: max abs diff ${diff.toExponential(3)}`);
    assert.ok(diff <= 1e-6, `max abs diff ${diff}`);
  });
}

test("frame count is floor(samples / 160)", () => {
  assert.equal(frameCount(201), 1);
  assert.equal(frameCount(4800), 30);
  assert.equal(frameCount(480000), 3000);
  const m = logMelSpectrogram(new Float32Array(4800 + 159).fill(0.01));
  assert.equal(m.frames, 30);
  assert.equal(m.nMels, 128);
  assert.equal(m.data.length, 128 * 30);
});

test("log-mel fast path equals a naive transcription of the recipe", (t) => {
  const rand = rng(7);
  // 1234 samples: reflect padding reaches into both ends, and the tail is not a whole hop.
  const x = new Float32Array(1234).map((_, i) => 0.3 * Math.sin(i * 0.07) + 0.05 * (rand() - 0.5)); // [1234]
  for (const nMels of [128, 80]) {
    const fast = logMelSpectrogram(x, nMels); // data [nMels, 7]
    const slow = referenceLogMel(x, nMels); // [nMels, 7]
    assert.equal(fast.frames, 7);
    const diff = maxAbsDiff(fast.data, slow);
    t.diagnostic(`nMels ${nMels}: max abs diff vs naive ${diff.toExponential(3)}`);
    assert.ok(diff < 1e-6, `max abs diff ${diff}`);
  }
});

test("log-mel: shortest accepted input and the 80 dB floor", () => {
  const m = logMelSpectrogram(new Float32Array(201).map((_, i) => Math.sin(i))); // [128, 1]
  assert.equal(m.frames, 1);
  // Everything is clamped to at most 8 decades (2 after the /4 scaling) below the peak.
  const max = Math.max(...m.data);
  const min = Math.min(...m.data);
  assert.ok(max - min <= 2 + 1e-6);
  // Digital silence: every energy clamps to 1e-10, so every value is (-10 + 4) / 4.
  const silent = logMelSpectrogram(new Float32Array(1600)); // [128, 10]
  assert.ok(silent.data.every((v) => v === -1.5));
});

test("log-mel of too-short input throws AudioTooShortError naming the source", () => {
  assert.throws(
    () => logMelSpectrogram(new Float32Array(200)),
    (e: unknown) => e instanceof AudioTooShortError && e.source === "samples" && /200 samples/.test(e.message),
  );
  assert.throws(
    () => logMelSpectrogram(new Float32Array(10), 128, { source: "clip.wav" }),
    (e: unknown) => e instanceof AudioTooShortError && e.source === "clip.wav" && e.message.includes("clip.wav"),
  );
});

// One conformance test per reference utterance: KEY.wave.npy -> log-mel vs KEY.mel.npy.
const melKeys =
  REFERENCE === null
    ? []
    : readdirSync(REFERENCE)
        .filter((f) => f.endsWith(".mel.npy"))
        .map((f) => f.slice(0, -".mel.npy".length))
        .sort();
if (REFERENCE === null) {
  test("log-mel matches upstream reference spectrograms", { skip }, () => {});
} else {
  test("reference spectrograms are present", () => assert.ok(melKeys.length > 0));
}
for (const key of melKeys) {
  test(`log-mel matches upstream for ${key}`, (t) => {
    const wave = readNpyF32(join(REFERENCE!, `${key}.wave.npy`)); // [samples]
    const ref = readNpyF32(join(REFERENCE!, `${key}.mel.npy`)); // [128, frames]
    const mel = logMelSpectrogram(wave.data, 128, { source: key }); // data [128, frames]
    assert.deepEqual([mel.nMels, mel.frames], ref.shape);
    const diff = maxAbsDiff(mel.data, ref.data);
    t.diagnostic(`${key}: [${ref.shape.join(", ")}] max abs diff ${diff.toExponential(3)}`);
    assert.ok(diff <= 1e-4, `max abs diff ${diff}`);
  });
}

function fakeMel(nMels: number, frames: number, base: number): MelSpectrogram {
  const data = new Float32Array(nMels * frames).map((_, i) => base + i + 1); // [nMels, frames], nonzero
  return { data, nMels, frames };
}

test("padding builds a zero-padded [batch, nMels, maxFrames] batch with lengths", () => {
  const a = fakeMel(3, 4, 0);
  const b = fakeMel(3, 2, 100);
  const c = fakeMel(3, 5, 200);
  const batch = padding([a, b, c]); // data [3, 3, 5]
  assert.equal(batch.batch, 3);
  assert.equal(batch.nMels, 3);
  assert.equal(batch.frames, 5);
  assert.deepEqual(Array.from(batch.lengths), [4, 2, 5]);
  assert.equal(batch.data.length, 3 * 3 * 5);
  const items = [a, b, c];
  for (let i = 0; i < 3; i++) {
    const m = items[i]!;
    for (let band = 0; band < 3; band++) {
      for (let t = 0; t < 5; t++) {
        const got = batch.data[(i * 3 + band) * 5 + t];
        const want = t < m.frames ? m.data[band * m.frames + t] : 0;
        assert.equal(got, want, `item ${i} band ${band} frame ${t}`);
      }
    }
  }
});

test("padding of a single item is that item", () => {
  const a = fakeMel(4, 3, 0);
  const batch = padding([a]);
  assert.deepEqual(Array.from(batch.data), Array.from(a.data));
  assert.deepEqual(Array.from(batch.lengths), [3]);
});

test("padding rejects an empty list and mixed nMels", () => {
  assert.throws(() => padding([]), InvalidInputError);
  assert.throws(() => padding([fakeMel(128, 3, 0), fakeMel(80, 3, 0)]), InvalidInputError);
});
