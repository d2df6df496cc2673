/**
 * The speech encoders' fast mode (int8 products): which front-end blocks it quantises (the heavy
 * ones: blocks 1 and 2 of HuBERT base's stack, half and a quarter of the front end's products),
 * and that its features stay near exact mode's on the fixture clips.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { readCheckpoint } from "../src/checkpoint/index.js";
import { openSpeechEncoder, speechEncoderGraph, type SpeechEncoderFeatureExtractor } from "../src/models/speechEncoders/index.js";
import { readNpy } from "./support/npy.js";
import { repcodecFixturesDir, repcodecSkipReason } from "./support/repcodecFixtures.js";

const fixtures = repcodecFixturesDir();
const CLIPS = ["aishell_0121", "aishell_0122", "short_0p3s", "clip_0p5s"] as const;
/** Feature layer of the base fixture (its manifest's feature_layer). */
const LAYER = 2;
/** Mean |fast − exact| over mean |exact| allowed: int8 noise is a few percent, a wrong product is of the order of 1. */
const RELATIVE_MEAN_ERROR = 0.1;

describe("speech encoders' fast mode", { skip: fixtures === null ? repcodecSkipReason : false }, () => {
  const checkpointPath = (): string => join(fixtures!, "hubert", "base", "hubert_base_tiny.pt");
  const opened: SpeechEncoderFeatureExtractor[] = [];
  after(async () => {
    for (const extractor of opened) await extractor.dispose();
  });

  test("the heavy front-end blocks (1 and 2 of the base stack) run as int8 products, the others as exact mode's convolutions", async () => {
    const checkpoint = await readCheckpoint(checkpointPath());
    const opsOf = (precision: "exact" | "int8"): Map<number, string> => {
      const nodes = speechEncoderGraph(checkpoint, LAYER, { precision }).model.graph!.node;
      const blocks = new Map<number, string>();
      for (const node of nodes) {
        const block = /^feature_extractor\.conv_layers\.(\d+)[./]/.exec(node.name ?? "");
        if (block && (node.opType === "Conv" || node.opType === "MatMulIntegerToFloat")) blocks.set(Number(block[1]), node.opType);
      }
      return blocks;
    };
    assert.deepEqual([...opsOf("exact").entries()].sort(), [0, 1, 2, 3, 4, 5, 6].map((i) => [i, "Conv"]));
    assert.deepEqual([...opsOf("int8").entries()].sort(), [0, 1, 2, 3, 4, 5, 6].map((i) => [i, i === 1 || i === 2 ? "MatMulIntegerToFloat" : "Conv"]));
  });

  test("fast mode's features stay near exact mode's, frame for frame", async () => {
    const audio = CLIPS.map((clip) => readNpy(join(fixtures!, "hubert", "inputs", `${clip}.npy`)).data as Float32Array);
    const features = async (mode: "exact" | "fast"): Promise<Float32Array[]> => {
      const extractor = await openSpeechEncoder(checkpointPath(), LAYER, { mode });
      opened.push(extractor);
      return extractor.features(audio);
    };
    const [exact, fast] = [await features("exact"), await features("fast")];
    let error = 0;
    let magnitude = 0;
    exact.forEach((rows, i) => {
      assert.equal(fast[i]!.length, rows.length, `${CLIPS[i]}: frames`);
      rows.forEach((value, j) => {
        error += Math.abs(fast[i]![j]! - value);
        magnitude += Math.abs(value);
      });
    });
    assert.ok(error > 0, "fast mode's int8 products round differently from exact mode");
    assert.ok(error / magnitude < RELATIVE_MEAN_ERROR, `relative mean error ${(error / magnitude).toFixed(4)}`);
  });
});
