/**
 * Long-audio windows and their merge, checked against Python slicing semantics by hand; the
 * plan at and around every 26 s stride, by the clock each window's tokens keep.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeWindowTokens, planSegments, WINDOW_FRAMES, WINDOW_HOP_FRAMES, type Segment } from "../src/models/s3/windows.js";

test("audio of at most 3000 frames is one segment", () => {
  assert.deepEqual(planSegments([3000, 1], 25), [
    { utterance: 0, window: 0, windowCount: 1, start: 0, frames: 3000 },
    { utterance: 1, window: 0, windowCount: 1, start: 0, frames: 1 },
  ]);
});

test("windows start every 2600 frames until one holds the end", () => {
  const segments = planSegments([6500], 25);
  assert.deepEqual(segments.map((s) => [s.start, s.frames]), [[0, 3000], [2600, 3000], [5200, 1300]]);
  assert.ok(segments.every((s) => s.windowCount === 3));
  // 3001 frames: the second window starts at 2600 (< 3001) and holds the last 401 frames.
  assert.deepEqual(planSegments([3001], 50).map((s) => [s.start, s.frames]), [[0, 3000], [2600, 401]]);
  assert.equal(WINDOW_FRAMES - WINDOW_HOP_FRAMES, 400);
});

test("merge drops 2 s at inner edges, like tokens[l:-r] in Python", () => {
  const rate = 2; // 4 tokens dropped per inner edge at 2 tokens/s
  const first = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const middle = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const last = [21, 22, 23, 24, 25, 26];
  assert.deepEqual(Array.from(mergeWindowTokens([first, middle, last], rate)), [1, 2, 3, 4, 5, 6, 15, 16, 25, 26]);
});

test("a window shorter than what is dropped contributes nothing", () => {
  const rate = 2;
  // last window of 3 tokens: tokens[4:] is empty; middle window of 5: tokens[4:-4] is empty.
  assert.deepEqual(Array.from(mergeWindowTokens([[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11], [12, 13, 14]], rate)), [1, 2]);
});

const COMPAT = "s3tokenizer-0.3.0";
/** Every S3 token rate: v1 (conv strides 1, 2) and the 25 Hz versions (2, 2). */
const RATES = [
  { rate: 50, strides: [1, 2] },
  { rate: 25, strides: [2, 2] },
] as const;

/** Tokens the encoder makes of `frames` mel frames: upstream's conv length rule, (L + 2·1 − 2 − 1) // s + 1 per conv. */
function tokensOf(frames: number, strides: readonly number[]): number {
  return strides.reduce((length, stride) => Math.floor((length - 1) / stride) + 1, frames);
}

/**
 * The merge of a plan where each window's tokens are their own positions on the utterance's
 * token clock (a window starting at frame s holds tokens from s · rate / 100 on): a merge that
 * covers the utterance gives 0, 1, 2, ... with nothing missing or repeated.
 */
function mergedClock(segments: readonly Segment[], rate: number, strides: readonly number[]): Int32Array {
  return mergeWindowTokens(
    segments.map((s) => Array.from({ length: tokensOf(s.frames, strides) }, (_, i) => (s.start * rate) / 100 + i)),
    rate,
  );
}

/** 0.3.0's plan as its loop reads: a window at every multiple of 2600 frames below the end. */
function upstreamStarts(frames: number): number[] {
  if (frames <= WINDOW_FRAMES) return [0];
  return Array.from({ length: Math.ceil(frames / WINDOW_HOP_FRAMES) }, (_, k) => k * WINDOW_HOP_FRAMES);
}

const FRAME = 1;
/** 30, 52, 78, 104 s (and 56 s: a 30 s window ending exactly at the end), each ± one mel frame. */
const BOUNDARIES = [3000, 5200, 7800, 10400, 5600].flatMap((b) => [b - FRAME, b, b + FRAME]);
/** Every frame count from just under 30 s to past 108 s. */
const SWEEP = Array.from({ length: 11000 - 2900 }, (_, i) => 2900 + i);

test("at and around every stride the windows cover the audio once, each but the last yielding a 30 s window's tokens", () => {
  for (const { rate, strides } of RATES) {
    const fullWindow = tokensOf(WINDOW_FRAMES, strides);
    for (const frames of [...BOUNDARIES, ...SWEEP]) {
      const segments = planSegments([frames], rate);
      const at = `${frames} frames at ${rate} Hz`;
      assert.equal(segments[0]!.start, 0, at);
      segments.forEach((s, i) => {
        assert.equal(s.windowCount, segments.length, at);
        assert.equal(s.frames, Math.min(WINDOW_FRAMES, frames - s.start), at);
        if (i > 0) assert.equal(s.start, segments[i - 1]!.start + WINDOW_HOP_FRAMES, at);
        if (i < segments.length - 1) assert.equal(tokensOf(s.frames, strides), fullWindow, `${at}: window ${i} is not the last`);
      });
      const last = segments.at(-1)!;
      assert.equal(last.start + last.frames, frames, `${at}: the last window ends at the end`);
      // Past 30 s the last window yields at least the 4 s overlap's tokens, so none go missing.
      if (segments.length > 1) assert.ok(tokensOf(last.frames, strides) >= 4 * rate, `${at}: last window of ${last.frames} frames`);
    }
  }
});

test("at and around every stride the merged tokens are the whole token clock", () => {
  for (const { rate, strides } of RATES) {
    for (const frames of [...BOUNDARIES, ...SWEEP]) {
      const merged = mergedClock(planSegments([frames], rate), rate, strides);
      const whole = tokensOf(frames, strides);
      assert.equal(merged.length, whole, `${frames} frames at ${rate} Hz: ${merged.length} tokens, one pass would make ${whole}`);
      assert.ok(merged.every((t, i) => t === i), `${frames} frames at ${rate} Hz: a token out of its place on the clock`);
      // A whole number of token frames: D seconds give round(D × rate) tokens.
      if ((frames * rate) % 100 === 0) assert.equal(merged.length, Math.round((frames / 100) * rate));
    }
  }
});

test("52.4 s and 78.4 s get the tokens of their whole length, which 0.3.0's windows did not", () => {
  // Upstream issue #53 and this project's measurements: 52.4 s → 2620 (v1) / 1310 (25 Hz)
  // expected, 0.3.0 gave 2520 / 1260; 78.4 s → 3920 / 1960 expected, 0.3.0 gave 3820 / 1910.
  const cases = [
    { frames: 5240, full: [2620, 1310], upstream: [2520, 1260] },
    { frames: 7840, full: [3920, 1960], upstream: [3820, 1910] },
  ];
  for (const { frames, full, upstream } of cases) {
    RATES.forEach(({ rate, strides }, r) => {
      assert.equal(mergedClock(planSegments([frames], rate), rate, strides).length, full[r], `${frames} frames at ${rate} Hz`);
      assert.equal(mergedClock(planSegments([frames], rate, COMPAT), rate, strides).length, upstream[r], `${frames} frames at ${rate} Hz, 0.3.0`);
    });
  }
});

test("compat plans 0.3.0's windows exactly; the plans differ only where 0.3.0 lost tokens", () => {
  for (const { rate, strides } of RATES) {
    const halfOverlap = 2 * rate;
    for (const frames of [...BOUNDARIES, ...SWEEP]) {
      const at = `${frames} frames at ${rate} Hz`;
      const compat = planSegments([frames], rate, COMPAT);
      assert.deepEqual(compat.map((s) => s.start), upstreamStarts(frames), at);
      compat.forEach((s) => assert.equal(s.frames, Math.min(WINDOW_FRAMES, frames - s.start), at));
      const fixed = planSegments([frames], rate);
      const old = mergedClock(compat, rate, strides);
      const now = mergedClock(fixed, rate, strides);
      if (old.length === tokensOf(frames, strides)) {
        assert.deepEqual(fixed, compat, `${at}: 0.3.0 lost nothing, so nothing changes`);
        continue;
      }
      // 0.3.0's last window came after one that already held the end: the fixed plan stops there.
      assert.deepEqual(fixed.map((s) => [s.start, s.frames]), compat.slice(0, -1).map((s) => [s.start, s.frames]), at);
      assert.ok(old.length < now.length, at);
      // A last window of at most 2 s worth of tokens gave 0.3.0 nothing: its tokens are then a prefix of today's.
      if (tokensOf(compat.at(-1)!.frames, strides) <= halfOverlap) {
        assert.deepEqual(Array.from(now.subarray(0, old.length)), Array.from(old), at);
      }
    }
  }
});
