/**
 * Fixture-free round trip: small random-weight tokenizers written in each release's layout are
 * imported by structure (version and every dimension recovered), and the batched graph gives the
 * same tokens as the release-layout file run one utterance at a time.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { MelSpectrogram } from "../src/features/logMel.js";
import { randomWeights, type RandomModelShape } from "../src/models/s3/randomWeights.js";
import { importWeights } from "../src/models/s3/importWeights.js";
import { decodeModel } from "../src/onnx/read.js";
import { encodeReleasedLayout } from "../src/models/s3/releasedLayout.js";
import { ReleasedModelRunner } from "../src/models/s3/releasedRunner.js";
import { S3Tokenizer } from "../src/s3Tokenizer.js";

const SHAPES: RandomModelShape[] = [
  { version: "v1", nMels: 128, width: 96, heads: 3, layers: 2, conv1Stride: 1, codebookSize: 300, contextFrames: 1500 },
  { version: "v1", nMels: 80, width: 64, heads: 1, layers: 1, conv1Stride: 2, codebookSize: 50, contextFrames: 1500 },
  { version: "v2", nMels: 128, width: 128, heads: 2, layers: 2, conv1Stride: 2 },
  { version: "v3", nMels: 128, width: 128, heads: 2, layers: 12, conv1Stride: 2 },
];

function randomMel(nMels: number, frames: number, seed: number): MelSpectrogram {
  const data = new Float32Array(nMels * frames); // [nMels, frames]
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 48271) % 2147483647;
    data[i] = Math.sin(i * 0.001 + s * 1e-9) * 0.5 + ((s / 2147483647) - 0.5) * 0.8;
  }
  return { data, nMels, frames };
}

for (const shape of SHAPES) {
  const label = `${shape.version} (width ${shape.width}, ${shape.heads} heads, ${shape.layers} blocks, stride ${shape.conv1Stride}, ${shape.nMels} mels)`;
  test(`released layout ${label}: import recovers it and batched tokens equal the file's own`, async () => {
    const weights = randomWeights(shape, 11);
    const bytes = encodeReleasedLayout(weights);
    const imported = importWeights(decodeModel(bytes, "random.onnx"), "random.onnx");
    assert.equal(imported.version, shape.version);
    assert.deepEqual(imported.dims, weights.dims);

    const dir = mkdtempSync(join(tmpdir(), "s3tok-layout-"));
    const path = join(dir, "random.onnx");
    writeFileSync(path, bytes);
    const mels = [randomMel(shape.nMels, 333, 5), randomMel(shape.nMels, 1, 6), randomMel(shape.nMels, 3400, 7), randomMel(shape.nMels, 90, 8)];
    const tokenizer = await S3Tokenizer.load(path, { maxBatchFrames: Infinity, maxPaddingRatio: Infinity });
    const released = await ReleasedModelRunner.open(path);
    try {
      const batched = await tokenizer.quantizeMels(mels);
      for (const [i, mel] of mels.entries()) {
        const single = await released.tokens(mel, tokenizer.tokenRate);
        assert.deepEqual(Array.from(batched[i]!), Array.from(single), `utterance ${i} (${mel.frames} frames)`);
      }
    } finally {
      await released.dispose();
      await tokenizer.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
