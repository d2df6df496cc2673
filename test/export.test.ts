/**
 * `s3tokenizer export` writes a batch-capable ONNX file that onnxruntime runs directly, giving
 * the same codes as the library.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as ort from "onnxruntime-node";
import { S3Tokenizer } from "../src/s3Tokenizer.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { modelPath } from "./support/conformance.js";

const fixtures = fixturesDir();
const cli = resolve(fileURLToPath(import.meta.url), "../../src/cli/main.js");

test("exported batched graph runs batches on onnxruntime", { skip: fixtures === null ? skipReason : false }, async () => {
  const source = modelPath(fixtures!, "speech_tokenizer_v2_25hz");
  const out = join(mkdtempSync(join(tmpdir(), "s3tok-export-")), "batched.onnx");
  await promisify(execFile)(process.execPath, [cli, "export", "--model", source, "--out", out]);

  // Two utterances of different lengths in one padded batch [2, 128, 300].
  const frames = 300;
  const lengths = [300, 170];
  const mels = new Float32Array(2 * 128 * frames);
  let seed = 7;
  for (let b = 0; b < 2; b++) {
    for (let m = 0; m < 128; m++) {
      for (let t = 0; t < lengths[b]!; t++) {
        seed = (seed * 16807) % 2147483647;
        mels[(b * 128 + m) * frames + t] = (seed / 2147483647) * 2 - 1;
      }
    }
  }
  const session = await ort.InferenceSession.create(out);
  const result = await session.run({
    mels: new ort.Tensor("float32", mels, [2, 128, frames]),
    mel_lengths: new ort.Tensor("int32", Int32Array.from(lengths), [2]),
  });
  await session.release();
  const codeLengths = Array.from(result["code_lengths"]!.data as Int32Array);
  assert.deepEqual(codeLengths, [75, 43]);

  const tokenizer = await S3Tokenizer.load(source);
  const expected = await tokenizer.quantize({ data: mels, batch: 2, nMels: 128, frames }, lengths);
  await tokenizer.dispose();
  const width = result["codes"]!.dims[1]!;
  const codes = result["codes"]!.data as Int32Array;
  for (let b = 0; b < 2; b++) {
    assert.deepEqual(
      Array.from(codes.subarray(b * width, b * width + codeLengths[b]!)),
      Array.from(expected.codes.subarray(b * expected.maxCodeFrames, b * expected.maxCodeFrames + expected.codeLengths[b]!)),
    );
  }
});
