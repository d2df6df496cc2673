/**
 * The two graph targets: "cpu" (the attention core in onnxruntime's MultiHeadAttention, with the
 * key padding bias in an extra head column) and "portable" (standard operators, for the GPU
 * providers and export). Both must give the reference tokens on a padded batch, where the
 * padding bias matters.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { logMelSpectrogram } from "../src/features/logMel.js";
import { padding } from "../src/features/padding.js";
import { buildBatchedGraph, type GraphTarget } from "../src/modelFile.js";
import { encodeModel } from "../src/onnx/write.js";
import { SessionStreams } from "../src/runtime/sessionStreams.js";
import { compareTokens, summarize } from "../src/verify/missRate.js";
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
    const out = await streams.run({ mels: batch.data, lengths: Int32Array.from(batch.lengths), nMels: info.dims.nMels, frames: batch.frames });
    const rows = utterances.map((_, b) => out.codes.slice(b * out.width, b * out.width + out.codeLengths[b]!));
    return { keys: utterances.map((u) => u.key), rows, operators };
  } finally {
    await streams.close();
  }
}

for (const name of MODEL_NAMES) {
  describe(`graph targets ${name}`, { skip: fixtures === null ? skipReason : false }, () => {
    test("cpu (fused attention) and portable both give the reference tokens on a padded batch", async (t) => {
      const reference = referenceTokens(fixtures!, name);
      const cpu = await batchTokens(name, "cpu");
      const portable = await batchTokens(name, "portable");
      assert.ok(cpu.operators.includes("com.microsoft.MultiHeadAttention"), "the cpu graph uses the fused attention");
      assert.deepEqual(portable.operators.filter((op) => op.includes(".")), [], "the portable graph keeps to standard operators");
      for (const [target, result] of [["cpu", cpu], ["portable", portable]] as const) {
        const total = summarize(result.keys.map((key, b) => compareTokens(reference.single[key]!, result.rows[b]!)));
        t.diagnostic(`${name} ${target}: ${total.misses}/${total.compared} tokens differ from the reference`);
        assert.ok(total.missRate <= MAX_MISS_RATE, `${target}: miss rate ${(100 * total.missRate).toFixed(4)}% over 0.1%`);
      }
      const between = summarize(cpu.keys.map((_, b) => compareTokens(portable.rows[b]!, cpu.rows[b]!)));
      t.diagnostic(`${name}: ${between.misses}/${between.compared} tokens differ between the targets`);
      assert.ok(between.missRate <= MAX_MISS_RATE);
    });
  });
}
