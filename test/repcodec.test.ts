/**
 * RepCodec from features: configuration from the checkpoint's shapes (and a YAML checked against
 * them), tokens against upstream's references at any batch size, the feature decoder against an
 * independent torch computation (skipped without torch).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readCheckpoint, writeTorchCheckpoint } from "../src/checkpoint/index.js";
import { InvalidInputError, isTokenizerError } from "../src/errors.js";
import { float32Tensor, type TensorData } from "../src/onnx/tensor.js";
import { loadRepCodec, readRepCodecCheckpoint } from "../src/models/repcodec/load.js";
import type { RepCodecModel } from "../src/models/repcodec/model.js";
import { readNpy } from "./support/npy.js";
import { dumpedFeatures, referenceTokenList, repcodecFixturesDir, repcodecSkipReason } from "./support/repcodecFixtures.js";

const fixtures = repcodecFixturesDir();
const PYTHON = "/usr/bin/python3";
const hasTorch = spawnSync(PYTHON, ["-c", "import torch"]).status === 0;

/** The fixture sets: the feature-dump one and the Whisper-features one, each with its checkpoint. */
const SETS = [
  { name: "features", dir: "", pkl: "repcodec_tiny_dim64.pkl" },
  { name: "whisper features", dir: "whisper", pkl: "repcodec_whisper_tiny.pkl" },
] as const;

/** Reference file stems in tsv order: each line's relpath without folder and extension. */
function utteranceNames(setDir: string): string[] {
  const lines = readFileSync(join(setDir, "dev.tsv"), "utf8").trim().split("\n").slice(1);
  return lines.map((line) => basename(line.split("\t")[0]!).replace(/\.[^.]+$/, ""));
}

describe("RepCodec configuration", { skip: fixtures === null ? repcodecSkipReason : false }, () => {
  const pkl = (): string => join(fixtures!, "repcodec_tiny_dim64.pkl");

  test("the checkpoint's shapes give the configuration upstream was built with", async () => {
    const manifest = JSON.parse(readFileSync(join(fixtures!, "manifest.json"), "utf8")) as { model_params: Record<string, unknown> };
    const { config } = await readRepCodecCheckpoint(pkl());
    assert.deepEqual({ ...config }, manifest.model_params);
  });

  test("a YAML, flat or under model_params:, is accepted when it agrees", async () => {
    for (const yaml of ["train_config.yaml", "repcodec_dim64.yaml"]) {
      const { config } = await readRepCodecCheckpoint(pkl(), join(fixtures!, yaml));
      assert.equal(config.code_dim, 16, yaml);
    }
  });

  test("a YAML that disagrees with the weights is a typed error naming the file, key and values", async () => {
    const dir = mkdtempSync(join(tmpdir(), "repcodec-yaml-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, readFileSync(join(fixtures!, "train_config.yaml"), "utf8").replace("code_dim: 16", "code_dim: 1024"));
    await assert.rejects(readRepCodecCheckpoint(pkl(), bad), (error: unknown) => {
      assert.ok(error instanceof InvalidInputError);
      assert.match(error.message, /bad\.yaml/);
      assert.match(error.message, /code_dim is 1024 but the weights say 16/);
      return true;
    });
    const unknown = join(dir, "unknown.yaml");
    writeFileSync(unknown, "model_params:\n  code_dims: 16\n");
    await assert.rejects(readRepCodecCheckpoint(pkl(), unknown), /unknown RepCodec parameter "code_dims"/);
  });

  test("a checkpoint with a misshapen or missing tensor is a typed error naming it, before any graph", async () => {
    const dict = (await readCheckpoint(pkl())).stateDict(["model", "repcodec"]);
    const dir = mkdtempSync(join(tmpdir(), "repcodec-bad-"));
    const write = (name: string, state: Map<string, TensorData>): string => {
      const path = join(dir, name);
      writeTorchCheckpoint(path, new Map([["model", new Map([["repcodec", state]])]]));
      return path;
    };
    const missing = new Map(dict);
    missing.delete("encoder.conv_blocks.1.res_units.0.conv2.weight");
    await assert.rejects(loadRepCodec(write("missing.pkl", missing)), (error: unknown) => {
      assert.ok(isTokenizerError(error));
      assert.match(error.message, /missing\.pkl: tensor encoder\.conv_blocks\.1\.res_units\.0\.conv2\.weight: missing \(expected shape \[32, 32, 1\]\)/);
      return true;
    });
    const misshapen = new Map(dict);
    misshapen.set("decoder.conv_blocks.0.conv.conv.bias", float32Tensor([31], new Float32Array(31)));
    await assert.rejects(loadRepCodec(write("misshapen.pkl", misshapen)), /misshapen\.pkl: tensor decoder\.conv_blocks\.0\.conv\.conv\.bias: shape \[31\], expected \[32\]/);
  });

  test("dilations the shapes cannot say come from the YAML, with the weights' unit count", async () => {
    const dir = mkdtempSync(join(tmpdir(), "repcodec-yaml-"));
    const dilated = join(dir, "dilated.yaml");
    writeFileSync(dilated, "enc_block_dilations: [1, 3]\n");
    assert.deepEqual((await readRepCodecCheckpoint(pkl(), dilated)).config.enc_block_dilations, [1, 3]);
    writeFileSync(dilated, "enc_block_dilations: [1, 3, 9]\n");
    await assert.rejects(readRepCodecCheckpoint(pkl(), dilated), /2 residual units per block/);
  });
});

for (const set of SETS) {
  describe(`RepCodec tokens of the ${set.name} fixture`, { skip: fixtures === null ? repcodecSkipReason : false }, () => {
    let model: RepCodecModel;
    let setDir: string;
    before(async () => {
      setDir = join(fixtures!, set.dir);
      model = await loadRepCodec(join(setDir, set.pkl), { intraOpThreads: 1 });
    });
    after(() => model.dispose());

    test("one at a time and in one padded batch, every token equals upstream's", async () => {
      const features = dumpedFeatures(join(setDir, "features"));
      const names = utteranceNames(setDir);
      const expected = names.map((name) => referenceTokenList(join(setDir, "ref", `${name}.tokens.npy`)));
      const alone = [];
      for (const f of features) alone.push(...(await model.tokenize([f])));
      assert.deepEqual(alone.map((t) => Array.from(t)), expected);
      const batched = await model.tokenize(features);
      assert.deepEqual(batched.map((t) => Array.from(t)), expected);
    });

    test("features of the wrong width are a typed error", async () => {
      await assert.rejects(model.tokenize([new Float32Array(model.featureWidth + 1)]), (error: unknown) => {
        assert.ok(isTokenizerError(error));
        assert.match(error.message, /features\[0\]: 65 values are not T ≥ 1 frames of width 64/);
        return true;
      });
    });
  });
}

describe("RepCodec feature decoder", { skip: fixtures === null ? repcodecSkipReason : false }, () => {
  let model: RepCodecModel;
  before(async () => {
    model = await loadRepCodec(join(fixtures!, "repcodec_tiny_dim64.pkl"), { intraOpThreads: 1 });
  });
  after(() => model.dispose());

  test("decoded features have the tokens' frames and do not depend on the batch", async () => {
    const tokens = ["utt_a", "utt_b", "utt_c", "utt_d"].map((n) => Int32Array.from(referenceTokenList(join(fixtures!, "ref", `${n}.tokens.npy`))));
    const batched = await model.decodeFeatures(tokens);
    for (let i = 0; i < tokens.length; i++) {
      assert.equal(batched[i]!.length, tokens[i]!.length * model.config.output_channels);
      const [alone] = await model.decodeFeatures([tokens[i]!]);
      assert.ok(maxAbsDiff(alone!, batched[i]!) <= 1e-5, `utterance ${i}`);
    }
  });

  test("a token outside the codebook is a typed error", async () => {
    await assert.rejects(model.decodeFeatures([Int32Array.of(3, 64)]), /tokens\[0\]\[1\] = 64 is outside the codebook \[0, 64\)/);
  });

  test("decoded features equal torch's convolutions over the checkpoint", { skip: hasTorch ? false : "torch not importable by /usr/bin/python3" }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "repcodec-decode-"));
    const names = ["utt_a", "utt_d"];
    const script = TORCH_DECODER.replace("PKL", JSON.stringify(join(fixtures!, "repcodec_tiny_dim64.pkl")));
    for (const name of names) {
      const result = spawnSync(PYTHON, ["-c", script, join(fixtures!, "ref", `${name}.tokens.npy`), join(dir, `${name}.npy`)], { encoding: "utf8" });
      assert.equal(result.status, 0, result.stderr);
    }
    const tokens = names.map((n) => Int32Array.from(referenceTokenList(join(fixtures!, "ref", `${n}.tokens.npy`))));
    const ours = await model.decodeFeatures(tokens);
    names.forEach((name, i) => {
      const reference = readNpy(join(dir, `${name}.npy`));
      assert.deepEqual(reference.shape, [tokens[i]!.length, model.config.output_channels]);
      assert.ok(maxAbsDiff(ours[i]!, reference.data as Float32Array) <= 1e-4, name);
    });
  });
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/**
 * RepCodec's decoder written directly with torch.nn.functional from the architecture's facts
 * (codebook lookup through the transposed buffer, conv1, blocks of conv + two ELU residual units,
 * conv2; "same" zero padding): an independent computation of what decodeFeatures must return.
 */
const TORCH_DECODER = `
import sys, numpy as np, torch, torch.nn.functional as F
sd = torch.load(PKL, map_location="cpu")["model"]["repcodec"]
def conv(x, name, bias=False):
    w = sd[name + ".weight"]
    return F.conv1d(x, w, sd[name + ".bias"] if bias else None, padding=(w.shape[2] - 1) // 2)
def unit(x, name):
    y = conv(F.elu(x), name + ".conv1.conv")
    return x + conv(F.elu(y), name + ".conv2")
tokens = torch.from_numpy(np.load(sys.argv[1]))
x = sd["quantizer.codebook.layers.0.embed"].t()[tokens].t()[None]
with torch.no_grad():
    x = conv(x, "decoder.conv1.conv")
    for b in range(2):
        x = conv(x, "decoder.conv_blocks.%d.conv.conv" % b, bias=True)
        for u in range(2):
            x = unit(x, "decoder.conv_blocks.%d.res_units.%d" % (b, u))
    x = conv(x, "decoder.conv2.conv")
np.save(sys.argv[2], x[0].t().contiguous().numpy().astype(np.float32))
`;
