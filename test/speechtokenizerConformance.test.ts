/**
 * SpeechTokenizer against upstream's own outputs (fixtures computed by the Python model): codes of
 * every clip (all 8 rows), the encoder's output, and the three decodes, for the ELU and the Snake
 * variants; batched calls equal one utterance at a time.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { join } from "node:path";
import type { Codes } from "../src/family/types.js";
import { speechTokenizerFamily } from "../src/models/speechtokenizer/family.js";
import { buildEncodeGraph } from "../src/models/speechtokenizer/graph.js";
import { encodeModel } from "../src/onnx/write.js";
import { openSession, ort } from "../src/runtime/session.js";
import { readNpy, readNpyF32 } from "./support/npy.js";
import { CLIPS, VARIANTS, clipSamples, skipReason, speechTokenizerFixtures, variantWeights } from "./support/speechTokenizerFixtures.js";
import { detectLocal, loadLocalFiles } from "../src/family/loadLocal.js";

const fixtures = speechTokenizerFixtures();
const TOLERANCE = 1e-4;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "lengths differ");
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Upstream's codes (8, 1, T) as rows [8 · T]. */
function referenceCodes(variant: string, clip: string): { rows: Int32Array; frames: number } {
  const ref = readNpy(join(fixtures!, variant, "ref", `${clip}.codes.npy`));
  assert.equal(ref.shape[1], 1);
  return { rows: Int32Array.from(ref.data as BigInt64Array, Number), frames: ref.shape[2]! };
}

/** Rows [from, to) of a full set of codes, made by layers from .. to − 1. */
function slice(rows: Int32Array, frames: number, from: number, to: number): Codes {
  return { data: rows.slice(from * frames, to * frames), codebooks: to - from, frames, firstCodebook: from };
}

for (const variant of VARIANTS) {
  describe(`SpeechTokenizer conformance ${variant}`, { skip: fixtures === null ? skipReason : false }, () => {
    test("codes of every clip, in one batch and one at a time, equal upstream's encode(wav)", async () => {
      const files = await detectLocal(speechTokenizerFamily, join(fixtures!, variant));
      assert.ok(files, "the fixture folder is detected as a SpeechTokenizer model");
      const model = await loadLocalFiles(speechTokenizerFamily, files, variant);
      try {
        const inputs = CLIPS.map((clip) => clipSamples(fixtures!, clip));
        const batched = await model.encode(inputs);
        for (const [i, clip] of CLIPS.entries()) {
          const ref = referenceCodes(variant, clip);
          assert.equal(batched[i]!.frames, ref.frames, `${clip}: frames`);
          assert.equal(batched[i]!.frames, Math.ceil(inputs[i]!.length / model.hopLength), `${clip}: frames = ceil(L / hop)`);
          assert.equal(batched[i]!.codebooks, 8);
          assert.deepEqual(batched[i]!.data, ref.rows, `${clip}: codes`);
          const [alone] = await model.encode([inputs[i]!]);
          assert.deepEqual(alone!.data, batched[i]!.data, `${clip}: alone equals batched`);
        }
        // A leading slice of rows is the start of the full encode (the residual starts at layer 0).
        const firstThree = await model.encode(inputs, { codebooks: 3 });
        firstThree.forEach((codes, i) => assert.deepEqual(codes.data, batched[i]!.data.slice(0, 3 * codes.frames)));
      } finally {
        await model.dispose();
      }
    });

    test("encoder output (model.encoder(wav)) within 1e-4 of upstream's", async () => {
      const weights = await variantWeights(fixtures!, variant);
      const session = await openSession(encodeModel(buildEncodeGraph(weights)), {}, variant);
      try {
        for (const clip of CLIPS) {
          const samples = clipSamples(fixtures!, clip);
          const out = await session.run({
            audio: new ort.Tensor("float32", samples, [1, samples.length]),
            lengths: new ort.Tensor("int64", BigInt64Array.of(BigInt(samples.length)), [1]),
          });
          const ref = readNpyF32(join(fixtures!, variant, "ref", `${clip}.encoder_out.npy`));
          assert.deepEqual(out["latent"]!.dims, ref.shape);
          const diff = maxAbsDiff(out["latent"]!.data as Float32Array, ref.data);
          assert.ok(diff <= TOLERANCE, `${clip}: encoder output max abs diff ${diff}`);
        }
      } finally {
        await session.release();
      }
    });

    test("decode(codes), decode(codes[:1]) and decode(codes[1:4], st=1) within 1e-4 of upstream's, batched and alone", async () => {
      const files = await detectLocal(speechTokenizerFamily, join(fixtures!, variant));
      const model = await loadLocalFiles(speechTokenizerFamily, files!, variant);
      try {
        const cases = [
          { file: "decode_all", from: 0, to: 8 },
          { file: "decode_q0", from: 0, to: 1 },
          { file: "decode_q1to3_st1", from: 1, to: 4 },
        ];
        const requests = CLIPS.flatMap((clip) => cases.map((c) => ({ clip, ...c })));
        const codes = requests.map((r) => {
          const ref = referenceCodes(variant, r.clip);
          return slice(ref.rows, ref.frames, r.from, r.to);
        });
        const batched = await model.decode!(codes);
        for (const [i, r] of requests.entries()) {
          const ref = readNpyF32(join(fixtures!, variant, "ref", `${r.clip}.${r.file}.npy`));
          assert.equal(batched[i]!.length, 320 * codes[i]!.frames, `${r.clip} ${r.file}: 320 samples per frame, not trimmed`);
          const diff = maxAbsDiff(batched[i]!, ref.data);
          assert.ok(diff <= TOLERANCE, `${r.clip} ${r.file}: max abs diff ${diff}`);
          const [alone] = await model.decode!([codes[i]!]);
          const apart = maxAbsDiff(alone!, batched[i]!);
          assert.ok(apart <= TOLERANCE, `${r.clip} ${r.file}: alone vs batched max abs diff ${apart}`);
        }
      } finally {
        await model.dispose();
      }
    });
  });
}
