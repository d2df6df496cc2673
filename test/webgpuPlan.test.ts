/**
 * The WebGPU batch plan: under its limits no tensor of the graph may outgrow one storage buffer
 * binding. Checked here against tensor sizes worked out from the layer shapes (conv output
 * lengths, MLP and codebook widths, attention scores), for every release's dimensions and the
 * fixtures', on batches the batch planner really makes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { WEBGPU_BINDING_BYTES, webGpuBatchLimits, webGpuPlan } from "../src/models/s3/webgpuPlan.js";
import type { ModelDims, ModelVersion } from "../src/models/s3/weights.js";
import { planBatches } from "../src/pipeline/batchPlan.js";
import { fixturesDir } from "./support/fixtures.js";

/** Released dimensions (DESIGN.md): width 1280, 20 heads, MLP 5120, 128 mels. */
function released(version: ModelVersion, conv1Stride: number, codebookSize: number, layers: number): Model {
  const dims = { nMels: 128, width: 1280, heads: 20, headDim: 64, layers, mlpWidth: 5120, conv1Stride, codebookSize, tokenRate: 100 / (2 * conv1Stride) };
  return { version, dims };
}

interface Model {
  version: ModelVersion;
  dims: ModelDims;
}

const MODELS: Record<string, Model> = {
  v1: released("v1", 1, 4096, 6),
  v1_25hz: released("v1", 2, 4096, 6),
  v2: released("v2", 2, 6561, 6),
  v3: released("v3", 2, 6561, 12),
};

/** The fixture models' dimensions, from models.json, when the fixtures are present. */
function fixtureModels(): Record<string, Model> {
  const dir = fixturesDir();
  if (dir === null) return {};
  const json = JSON.parse(readFileSync(join(dir, "models.json"), "utf8")) as {
    models: Record<string, { n_state: number; n_head: number; n_layer: number; codebook: number; n_mels: number; conv1_stride: number; token_rate: number }>;
  };
  return Object.fromEntries(Object.entries(json.models).map(([name, m]) => [name, {
    version: `v${/_v(\d)/.exec(name)![1]}` as ModelVersion,
    dims: {
      nMels: m.n_mels, width: m.n_state, heads: m.n_head, headDim: m.n_state / m.n_head, layers: m.n_layer,
      mlpWidth: 4 * m.n_state, conv1Stride: m.conv1_stride, codebookSize: m.codebook, tokenRate: m.token_rate,
    },
  }]));
}

/** Output length of a kernel-3, padding-1 convolution with `stride`. */
function convLength(frames: number, stride: number): number {
  return Math.floor((frames + 2 - 3) / stride) + 1;
}

/** Bytes of the largest float tensor of a batch of `rows` inputs padded to `melFrames`, heads scored `groupHeads` at a time. */
function largestTensorBytes({ version, dims }: Model, rows: number, melFrames: number, groupHeads: number): number {
  const conv1Frames = convLength(melFrames, dims.conv1Stride);
  const tokens = convLength(conv1Frames, 2);
  return 4 * Math.max(
    rows * dims.nMels * melFrames, // mels
    rows * dims.width * conv1Frames, // conv1 output
    rows * tokens * dims.mlpWidth, // MLP hidden layer
    version === "v1" ? rows * tokens * dims.codebookSize : 0, // VQ distances (v2/v3: FSQ, 8 per token)
    rows * groupHeads * tokens * tokens, // attention scores of one head group
  );
}

/** Deterministic frame counts from 1 frame to one 30 s window, short ones most common. */
function frameCounts(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const u = state / 2 ** 31;
    return 1 + Math.floor(2999 * u * u);
  });
}

for (const [name, model] of Object.entries({ ...MODELS, ...fixtureModels() })) {
  const { version, dims } = model;
  test(`webgpu plan ${name}: every batch it allows fits in one binding`, () => {
    const { headsPerGroup } = webGpuPlan(dims, version);
    assert.equal(dims.heads % headsPerGroup, 0, "equal head groups");
    for (const maxBatchSize of [1, 16, 128, Infinity]) {
      const limits = webGpuBatchLimits(dims, version, maxBatchSize);
      assert.ok(limits.maxBatchFrames >= 3000, "one 30 s window fits");
      const frames = [3000, 3000, ...frameCounts(400, 7)];
      for (const batch of planBatches(frames, { ...limits, maxPaddingRatio: Infinity })) {
        const longest = Math.max(...batch.map((i) => frames[i]!));
        const bytes = largestTensorBytes(model, batch.length, longest, headsPerGroup);
        assert.ok(bytes <= WEBGPU_BINDING_BYTES, `${batch.length} rows of ${longest} frames need ${bytes} bytes`);
      }
    }
  });

  test(`webgpu plan ${name}: heads are grouped as widely as the batch allows`, () => {
    const { headsPerGroup, batchTokens } = webGpuPlan(dims, version);
    const wider = Array.from({ length: dims.heads }, (_, i) => i + 1).find((d) => d > headsPerGroup && dims.heads % d === 0);
    const windowTokens = convLength(convLength(3000, dims.conv1Stride), 2);
    if (wider !== undefined) {
      assert.ok(4 * wider * windowTokens * batchTokens > WEBGPU_BINDING_BYTES, `${wider} heads at once would also fit`);
    }
  });
}

test("webgpu plan: a smaller binding holds fewer tokens in the same head groups; one too small for a window is refused", () => {
  const { dims } = MODELS.v1!;
  const wide = webGpuPlan(dims, "v1", WEBGPU_BINDING_BYTES);
  const narrow = webGpuPlan(dims, "v1", WEBGPU_BINDING_BYTES / 4);
  // Both bounds (rows and scores) scale with the binding, so their ratio, the grouping, does not.
  assert.equal(narrow.headsPerGroup, wide.headsPerGroup);
  assert.ok(Math.abs(narrow.batchTokens - wide.batchTokens / 4) <= 1, `${narrow.batchTokens} vs ${wide.batchTokens} / 4`);
  assert.throws(() => webGpuBatchLimits(dims, "v1", 1, 8 * 1024 * 1024), RangeError);
});
