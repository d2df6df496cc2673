/**
 * Importing released-layout files: every dimension inferred from the graph, and typed errors
 * for files that are truncated, not ONNX, or ONNX but not a tokenizer.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ModelFormatError, ModelStructureError } from "../src/errors.js";
import { buildBatchedModel } from "../src/models/s3/modelFile.js";
import { DataType, GraphBuilder } from "../src/onnx/builder.js";
import { importWeights } from "../src/models/s3/importWeights.js";
import { decodeModel, readModelFile } from "../src/onnx/read.js";
import { asFloat32 } from "../src/onnx/tensor.js";
import { encodeModel } from "../src/onnx/write.js";
import { inverseFrequencies } from "../src/models/common/rotary.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { MODEL_NAMES, modelPath } from "./support/conformance.js";

const fixtures = fixturesDir();
const scratch = mkdtempSync(join(tmpdir(), "s3tok-import-"));

interface FixtureModelFacts {
  n_state: number;
  n_head: number;
  n_layer: number;
  codebook: number;
  n_mels: number;
  conv1_stride: number;
  token_rate: number;
}

describe("import of released-layout files", { skip: fixtures === null ? skipReason : false }, () => {
  const facts = () =>
    (JSON.parse(readFileSync(join(fixtures!, "models.json"), "utf8")) as { models: Record<string, FixtureModelFacts> }).models;

  for (const name of MODEL_NAMES) {
    test(`${name}: every dimension is inferred from the graph`, async () => {
      const path = modelPath(fixtures!, name);
      const { model } = await readModelFile(path);
      const { dims, version } = importWeights(model, path);
      const expected = facts()[name]!;
      assert.equal(dims.width, expected.n_state);
      assert.equal(dims.heads, expected.n_head);
      assert.equal(dims.layers, expected.n_layer);
      assert.equal(dims.codebookSize, expected.codebook);
      assert.equal(dims.nMels, expected.n_mels);
      assert.equal(dims.conv1Stride, expected.conv1_stride);
      assert.equal(dims.tokenRate, expected.token_rate);
      assert.equal(version, name.includes("v1") ? "v1" : name.includes("v2") ? "v2" : "v3");
    });
  }

  test("the rotary frequencies reproduce the position table stored in the v2 file", async () => {
    const path = modelPath(fixtures!, "speech_tokenizer_v2_25hz");
    const { model } = await readModelFile(path);
    const table = model.graph!.node
      .map((n) => n.attribute?.find((a) => a.name === "value")?.t)
      .find((t) => t?.dims?.length === 3 && Number(t.dims[2]) === 2);
    assert.ok(table?.rawData, "the v2 fixture stores its rotary table [positions, 64, 2]");
    const values = asFloat32({ dataType: 1, dims: [], bytes: table.rawData }); // [P, 64, 2] (cos, sin)
    const frequencies = inverseFrequencies(64);
    let worst = 0;
    for (let p = 0; p < 2048; p++) {
      for (let i = 0; i < 64; i++) {
        const angle = Math.fround(p * frequencies[i]!);
        worst = Math.max(worst, Math.abs(Math.cos(angle) - values[(p * 64 + i) * 2]!), Math.abs(Math.sin(angle) - values[(p * 64 + i) * 2 + 1]!));
      }
    }
    assert.ok(worst <= 2e-6, `largest difference ${worst}`);
  });

  test("a truncated file gives ModelFormatError", async () => {
    const bytes = readFileSync(modelPath(fixtures!, "speech_tokenizer_v2_25hz"));
    const path = join(scratch, "truncated.onnx");
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(buildBatchedModel(path), (error: unknown) => error instanceof ModelFormatError && error.message.includes(path));
  });

  test("a file missing one weight names that weight", async () => {
    const path = modelPath(fixtures!, "speech_tokenizer_v1_25hz");
    const model = decodeModel(readFileSync(path), path);
    const matmul = model.graph!.node.find((n) => n.name === "/blocks.1/mlp/mlp.0/MatMul")!;
    model.graph!.initializer = model.graph!.initializer.filter((t) => t.name !== matmul.input[1]);
    const broken = join(scratch, "missing-weight.onnx");
    writeFileSync(broken, encodeModel(model));
    await assert.rejects(buildBatchedModel(broken), (error: unknown) =>
      error instanceof ModelStructureError && error.missing.includes("/blocks.1/mlp/mlp.0") && error.message.includes(broken));
  });
});

describe("import errors without fixtures", () => {
  test("a file that is not ONNX gives ModelFormatError naming it", async () => {
    const path = join(scratch, "notes.onnx");
    writeFileSync(path, "this is a text file, not a protobuf\n".repeat(20));
    await assert.rejects(buildBatchedModel(path), (error: unknown) => error instanceof ModelFormatError && error.message.includes(path));
  });

  test("an empty or missing file gives ModelFormatError", async () => {
    const empty = join(scratch, "empty.onnx");
    writeFileSync(empty, "");
    await assert.rejects(buildBatchedModel(empty), ModelFormatError);
    await assert.rejects(buildBatchedModel(join(scratch, "absent.onnx")), ModelFormatError);
  });

  test("an ONNX graph that is not a tokenizer gives ModelStructureError", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", DataType.FLOAT, ["n"]);
    g.output("y", g.node("Relu", [x], {}, "relu"), DataType.FLOAT, ["n"]);
    const path = join(scratch, "relu.onnx");
    writeFileSync(path, encodeModel(g.build("relu")));
    await assert.rejects(buildBatchedModel(path), (error: unknown) =>
      error instanceof ModelStructureError && error.missing.includes("/conv1/Conv") && error.message.includes(path));
  });
});
