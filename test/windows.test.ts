/** Long-audio windows and their merge, checked against Python slicing semantics by hand. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeWindowTokens, planSegments, WINDOW_FRAMES, WINDOW_HOP_FRAMES } from "../src/pipeline/windows.js";

test("audio of at most 3000 frames is one segment", () => {
  assert.deepEqual(planSegments([3000, 1]), [
    { utterance: 0, window: 0, windowCount: 1, start: 0, frames: 3000 },
    { utterance: 1, window: 0, windowCount: 1, start: 0, frames: 1 },
  ]);
});

test("windows start every 2600 frames while the start is inside the audio", () => {
  const segments = planSegments([6500]);
  assert.deepEqual(segments.map((s) => [s.start, s.frames]), [[0, 3000], [2600, 3000], [5200, 1300]]);
  assert.ok(segments.every((s) => s.windowCount === 3));
  // 3001 frames: the second window starts at 2600 (< 3001) and holds the last 401 frames.
  assert.deepEqual(planSegments([3001]).map((s) => [s.start, s.frames]), [[0, 3000], [2600, 401]]);
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
