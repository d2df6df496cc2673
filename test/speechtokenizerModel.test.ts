/**
 * SpeechTokenizer beyond the fixtures' direct references: encodes from a later quantizer layer
 * (upstream's encode(x, n_q, st), residual from the latent) against a plain TypeScript RVQ over the
 * fixture's encoder output; long audio in chunks equal to one unchunked run; typed errors for bad
 * configs, checkpoints and inputs; the random model's format and its round trip through the files.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CheckpointTensorError, InvalidInputError, ModelConfigError } from "../src/errors.js";
import { parseConfig } from "../src/models/speechtokenizer/config.js";
import { readConfig } from "../src/models/speechtokenizer/readConfig.js";
import { speechTokenizerFamily } from "../src/models/speechtokenizer/family.js";
import { SpeechTokenizerOnnxModel } from "../src/models/speechtokenizer/model.js";
import { randomModelConfig, randomStateDict } from "../src/models/speechtokenizer/randomModel.js";
import { importWeights } from "../src/models/speechtokenizer/weights.js";
import { readCheckpoint } from "../src/checkpoint/index.js";
import { asFloat32, float32Tensor } from "../src/onnx/tensor.js";
import { readNpyF32 } from "./support/npy.js";
import { CLIPS, clipSamples, skipReason, speechTokenizerFixtures, variantWeights } from "./support/speechTokenizerFixtures.js";
import { detectLocal, loadLocalFiles } from "../src/family/loadLocal.js";

const fixtures = speechTokenizerFixtures();
const VARIANT = "hubert_avg_tiny";

/** Upstream's RVQ encode in plain arithmetic: latent [D, T] and the codebooks used ([K, D] each) → codes [layers · T]. */
function referenceRvq(latent: Float32Array, dim: number, frames: number, codebooks: Float32Array[], size: number): Int32Array {
  const residual = new Float64Array(dim * frames);
  for (let d = 0; d < dim; d++) for (let t = 0; t < frames; t++) residual[t * dim + d] = latent[d * frames + t]!;
  const codes = new Int32Array(codebooks.length * frames);
  codebooks.forEach((embed, layer) => {
    for (let t = 0; t < frames; t++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let k = 0; k < size; k++) {
        let distance = 0;
        for (let d = 0; d < dim; d++) distance += (residual[t * dim + d]! - embed[k * dim + d]!) ** 2;
        if (distance < bestDistance) [best, bestDistance] = [k, distance];
      }
      codes[layer * frames + t] = best;
      for (let d = 0; d < dim; d++) residual[t * dim + d]! -= embed[best * dim + d]!;
    }
  });
  return codes;
}

describe("SpeechTokenizer model", { skip: fixtures === null ? skipReason : false }, () => {
  test("encode from layer 1 (upstream encode(x, 4, 1)) quantizes the latent itself from layer 1 on", async () => {
    const weights = await variantWeights(fixtures!, VARIANT);
    const model = new SpeechTokenizerOnnxModel(weights, VARIANT);
    try {
      const inputs = CLIPS.map((clip) => clipSamples(fixtures!, clip));
      const codes = await model.encode(inputs, { firstCodebook: 1, codebooks: 3 });
      const { dimension, codebookSize } = weights.config;
      for (const [i, clip] of CLIPS.entries()) {
        const latent = readNpyF32(join(fixtures!, VARIANT, "ref", `${clip}.encoder_out.npy`)); // [1, D, T]
        const frames = latent.shape[2]!;
        const expected = referenceRvq(latent.data, dimension, frames, weights.codebooks.slice(1, 4).map(asFloat32), codebookSize);
        assert.equal(codes[i]!.firstCodebook, 1);
        assert.equal(codes[i]!.codebooks, 3);
        assert.deepEqual(codes[i]!.data, expected, `${clip}: codes of layers 1..3`);
      }
    } finally {
      await model.dispose();
    }
  });

  test("long audio: convolutions in chunks give the codes and waveform of one unchunked run", async () => {
    const weights = await variantWeights(fixtures!, VARIANT);
    // Every clip back to back: 838 frames, run in chunks of 40 frames (instead of 1500) against one pass.
    const parts = CLIPS.map((clip) => clipSamples(fixtures!, clip));
    const long = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((offset, p) => (long.set(p, offset), offset + p.length), 0);
    const whole = new SpeechTokenizerOnnxModel(weights, VARIANT, {}, Infinity);
    const chunked = new SpeechTokenizerOnnxModel(weights, VARIANT, {}, 40);
    try {
      const [expected] = await whole.encode([long]);
      const [actual] = await chunked.encode([long]);
      assert.equal(actual!.frames, Math.ceil(long.length / 320));
      assert.deepEqual(actual!.data, expected!.data);
      // The decoder's convolutions after its LSTM, in chunks of 40 frames, against one pass.
      const [wholeAudio] = await whole.decode([expected!]);
      const [chunkedAudio] = await chunked.decode([expected!]);
      assert.equal(chunkedAudio!.length, 320 * expected!.frames);
      const diff = chunkedAudio!.reduce((max, v, i) => Math.max(max, Math.abs(v - wholeAudio![i]!)), 0);
      assert.ok(diff <= 1e-5, `decoded in chunks: max abs diff ${diff}`);
    } finally {
      await Promise.all([whole.dispose(), chunked.dispose()]);
    }
  });

  test("the random tiny model holds exactly the released format's tensors (the fixture manifest's names and shapes)", () => {
    const manifest = JSON.parse(readFileSync(join(fixtures!, "manifest.json"), "utf8")) as { variants: Record<string, { state_dict: Record<string, [number[], string]> }> };
    const expected = Object.entries(manifest.variants[VARIANT]!.state_dict).map(([name, [shape]]) => `${name} [${shape.join(", ")}]`).sort();
    const written = [...randomStateDict(randomModelConfig("tiny"), 1)].map(([name, t]) => `${name} [${t.dims.join(", ")}]`).sort();
    assert.deepEqual(written, expected);
  });

  test("a checkpoint with a missing or misshapen tensor is refused before any graph is built", async () => {
    const config = await readConfig(join(fixtures!, VARIANT, "config.json"));
    const path = join(fixtures!, VARIANT, "SpeechTokenizer.pt");
    const dict = (await readCheckpoint(path)).stateDict();
    const name = "decoder.model.3.convtr.convtr.weight_v";
    const misshapen = new Map(dict);
    misshapen.set(name, float32Tensor([64, 128, 16], new Float32Array(64 * 128 * 16)));
    assert.throws(() => importWeights(misshapen, config, path), (error: unknown) =>
      error instanceof CheckpointTensorError && error.message.includes(name) && error.message.includes("[64, 128, 16]") && error.message.includes("[128, 64, 16]") && error.message.includes(path));
    const missing = new Map(dict);
    missing.delete("quantizer.vq.layers.7._codebook.embed");
    assert.throws(() => importWeights(missing, config, path), CheckpointTensorError);
  });

  test("bad configs and bad inputs are typed errors", async () => {
    const raw = { n_filters: 8, strides: [8, 5, 4, 2], dimension: 64, semantic_dimension: 48, bidirectional: true, dilation_base: 2, residual_kernel_size: 3, n_residual_layers: 1, lstm_layers: 2, activation: "ELU", codebook_size: 64, n_q: 8 };
    assert.equal(parseConfig(raw, "c.json").nQ, 8);
    assert.throws(() => parseConfig({ ...raw, activation: "ReLU" }, "c.json"), (e: unknown) => e instanceof ModelConfigError && e.message.includes("activation"));
    assert.throws(() => parseConfig({ ...raw, n_q: 0 }, "c.json"), (e: unknown) => e instanceof ModelConfigError && e.message.includes("n_q"));
    assert.throws(() => parseConfig([], "c.json"), ModelConfigError);
    const model = new SpeechTokenizerOnnxModel(await variantWeights(fixtures!, VARIANT), VARIANT);
    try {
      await assert.rejects(model.encode([new Float32Array(0)]), InvalidInputError);
      await assert.rejects(model.encode([new Float32Array(320)], { firstCodebook: 8 }), InvalidInputError);
      await assert.rejects(model.encode([new Float32Array(320)], { firstCodebook: 2, codebooks: 7 }), InvalidInputError);
      await assert.rejects(model.decode([{ data: Int32Array.of(64), codebooks: 1, frames: 1 }]), InvalidInputError);
      await assert.rejects(model.decode([{ data: Int32Array.of(0, 0), codebooks: 2, frames: 1, firstCodebook: 7 }]), InvalidInputError);
    } finally {
      await model.dispose();
    }
  });
});

test("writeRandomModel writes a torch checkpoint + config.json that detect finds and load reads back", async () => {
  const dir = await mkdtemp(join(tmpdir(), "speechtokenizer-"));
  try {
    const files = await speechTokenizerFamily.writeRandomModel(dir, { seed: 3, size: "tiny" });
    assert.deepEqual(await detectLocal(speechTokenizerFamily, dir), files);
    const written = randomStateDict(randomModelConfig("tiny"), 3);
    const read = (await readCheckpoint(files["SpeechTokenizer.pt"]!)).stateDict();
    assert.deepEqual([...read.keys()].sort(), [...written.keys()].sort());
    for (const [name, tensor] of written) assert.deepEqual(asFloat32(read.get(name)!), asFloat32(tensor), name);
    const model = await loadLocalFiles(speechTokenizerFamily, files, "random tiny");
    try {
      const audio = Float32Array.from({ length: 16000 }, (_, i) => Math.sin(i / 7) * 0.3);
      const [codes] = await model.encode([audio]);
      assert.equal(codes!.frames, 50);
      assert.equal(codes!.codebooks, 8);
      const [decoded] = await model.decode!([codes!]);
      assert.equal(decoded!.length, 16000);
    } finally {
      await model.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
