/** Length-sorted batching under a frame budget. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { planBatches } from "../src/pipeline/batchPlan.js";

test("every input lands in exactly one batch, longest first", () => {
  const frames = [100, 900, 300, 800, 50, 700];
  const batches = planBatches(frames, { maxBatchFrames: 2000, maxBatchSize: 8 });
  assert.deepEqual(batches.flat().sort(), [0, 1, 2, 3, 4, 5]);
  for (const batch of batches) {
    const longest = Math.max(...batch.map((i) => frames[i]!));
    assert.ok(batch.length * longest <= 2000 || batch.length === 1, `batch ${batch} over budget`);
    assert.deepEqual([...batch], [...batch].sort((a, b) => frames[b]! - frames[a]!));
  }
  assert.deepEqual(batches[0], [1, 3]);
});

test("an input longer than the budget still gets a batch of its own", () => {
  assert.deepEqual(planBatches([5000, 10], { maxBatchFrames: 1000, maxBatchSize: 4 }), [[0], [1]]);
});

test("an infinite budget is one batch, cut only by the batch size", () => {
  assert.deepEqual(planBatches([1, 2, 3], { maxBatchFrames: Infinity, maxBatchSize: Infinity }), [[2, 1, 0]]);
  assert.deepEqual(planBatches([1, 2, 3], { maxBatchFrames: Infinity, maxBatchSize: 2 }), [[2, 1], [0]]);
});

test("the padding limit starts a new batch when padding would pass the share of real frames", () => {
  const frames = [1000, 980, 700, 690, 300];
  const batches = planBatches(frames, { maxBatchFrames: Infinity, maxBatchSize: Infinity, maxPaddingRatio: 0.1 });
  assert.deepEqual(batches, [[0, 1], [2, 3], [4]]);
  for (const batch of batches) {
    const longest = Math.max(...batch.map((i) => frames[i]!));
    const real = batch.reduce((sum, i) => sum + frames[i]!, 0);
    assert.ok(batch.length * longest - real <= 0.1 * real);
  }
});
