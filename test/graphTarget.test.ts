/**
 * The three graph targets: "cpu" (the attention core in onnxruntime's MultiHeadAttention, with the
 * key padding bias in an extra head column), "portable" (standard operators, for CUDA and export)
 * and "webgpu" (standard operators, attention scored a few heads at a time). All must give the
 * reference tokens on a padded batch, where the padding bias matters; here all run on the CPU
 * (test/webgpu.test.ts runs the webgpu graph on a WebGPU adapter where there is one).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { logMelSpectrogram } from "../src/features/logMel.js";
import { padding } from "../src/features/padding.js";
import { buildBatchedGraph, type GraphTarget } from "../src/models/s3/modelFile.js";
import { encodeModel } from "../src/onnx/write.js";
import { webGpuPlan } from "../src/models/s3/webgpuPlan.js";
import { runMelBatch } from "../src/models/s3/encoderRunner.js";
import { SessionStreams } from "../src/runtime/sessionStreams.js";
import { compareTokens, summarize } from "../src/s3Verify/missRate.js";
import { MODEL_NAMES, modelPath, referenceTokens, sixteenKilohertzUtterances } from "./support/conformance.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";

const fixtures = fixturesDir();
const MAX_MISS_RATE = 0.001; // as the conformance suite

/** Longest input of one pass: 30 s; longer audio goes through windows, which are not under test here. */
const WINDOW_FRAMES = 3000;

/** Tokens of every 16 kHz fixture utterance up to 30 s in one padded batch through the `target` graph. */
async function batchTokens(name: string, target: GraphTarget): Promise<{ keys: string[]; rows: Int32Array[]; operators: string[] }> {
  const { graph, info } = await buildBatchedGraph(modelPath(fixtures!, name), "exact", target);
  const operators = (graph.graph?.node ?? []).map((node) => `${node.domain ? `${node.domain}.` : ""}${node.opType}`);
  const all = await sixteenKilohertzUtterances(fixtures!);
  const mels = all.map((u) => logMelSpectrogram(u.samples, info.dims.nMels));
  const utterances = all.filter((_, i) => mels[i]!.frames <= WINDOW_FRAMES);
  const batch = padding(mels.filter((m) => m.frames <= WINDOW_FRAMES)); // [B, M, Tmax]
  assert.ok(utterances.length >= 10 && new Set(batch.lengths).size > 1, "a padded batch of the fixture set");
  const streams = await SessionStreams.open(encodeModel(graph), { intraOpThreads: 1 }, `${name} (${target})`, 1);
  try {
    const out = await runMelBatch(streams, { mels: batch.data, lengths: Int32Array.from(batch.lengths), nMels: info.dims.nMels, frames: batch.frames });
    const rows = utterances.map((_, b) => out.codes.slice(b * out.width, b * out.width + out.codeLengths[b]!));
    return { keys: utterances.map((u) => u.key), rows, operators };
  } finally {
    await streams.close();
  }
}

for (const name of MODEL_NAMES) {
  describe(`graph targets ${name}`, { skip: fixtures === null ? skipReason : false }, () => {
    test("cpu (fused attention), portable and webgpu (head groups) all give the reference tokens on a padded batch", async (t) => {
      const reference = referenceTokens(fixtures!, name);
      const cpu = await batchTokens(name, "cpu");
      const portable = await batchTokens(name, "portable");
      const webgpu = await batchTokens(name, "webgpu");
      assert.ok(cpu.operators.includes("com.microsoft.MultiHeadAttention"), "the cpu graph uses the fused attention");
      for (const other of [portable, webgpu]) {
        assert.deepEqual(other.operators.filter((op) => op.includes(".")), [], "portable and webgpu keep to standard operators");
      }
      for (const [target, result] of [["cpu", cpu], ["portable", portable], ["webgpu", webgpu]] as const) {
        const total = summarize(result.keys.map((key, b) => compareTokens(reference.single[key]!, result.rows[b]!)));
        t.diagnostic(`${name} ${target}: ${total.misses}/${total.compared} tokens differ from the reference`);
        assert.ok(total.missRate <= MAX_MISS_RATE, `${target}: miss rate ${(100 * total.missRate).toFixed(4)}% over 0.1%`);
      }
      const between = summarize(cpu.keys.map((_, b) => compareTokens(portable.rows[b]!, cpu.rows[b]!)));
      t.diagnostic(`${name}: ${between.misses}/${between.compared} tokens differ between the targets`);
      assert.ok(between.missRate <= MAX_MISS_RATE);
      // Scoring heads in groups only changes which heads a MatMul sees: the same values on a CPU.
      assert.deepEqual(webgpu.rows, portable.rows, "webgpu and portable graphs agree token for token");
    });

    test("the webgpu graph scores heads in the planned groups and binds at most 8 tensors per node", async () => {
      const { graph, info } = await buildBatchedGraph(modelPath(fixtures!, name), "exact", "webgpu");
      const nodes = graph.graph?.node ?? [];
      const { headsPerGroup } = webGpuPlan(info.dims, info.version);
      const softmaxes = nodes.filter((node) => node.opType === "Softmax").length;
      assert.equal(softmaxes, info.dims.layers * (info.dims.heads / headsPerGroup), "one softmax per head group per block");
      // The WebGPU default maxStorageBuffersPerShaderStage is 8: the grouping must not need more.
      for (const node of nodes.filter((n) => n.opType === "Concat" || n.opType === "Split")) {
        assert.ok((node.input?.length ?? 0) + (node.output?.length ?? 0) <= 8, `${node.name} binds ${node.input?.length} + ${node.output?.length} tensors`);
      }
    });
  });
}
