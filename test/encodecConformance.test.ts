/**
 * EnCodec against upstream's own outputs (../shared/fixtures/encodec, made by facebookresearch/encodec
 * 0e2d0ae with torch 1.13): for the tiny 24 kHz (mono, causal, weight norm) and 48 kHz (stereo,
 * time group norm, 1 s segments with a scale each) checkpoints, every code of every segment equal,
 * every scale equal, decoded audio within 1e-4, at two bandwidths each; upstream's batch of equal
 * lengths equal in one call, and a padded batch of every clip (unequal lengths) equal to the
 * single-clip references; the checkpoint recognised without a config as the release it copies.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readCheckpoint } from "../src/checkpoint/index.js";
import { InvalidInputError } from "../src/errors.js";
import { NotEncodecError, EncodecBandwidthError } from "../src/models/encodec/errors.js";
import type { EncodecCodes, EncodecModel } from "../src/models/encodec/model.js";
import { encodecConfigOf, openEncodec } from "../src/models/encodec/open.js";
import { nodeBackend } from "../src/runtime/nodeBackend.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { readNpy } from "./support/npy.js";

const root = familyFixturesDir("encodec");
const skip = root === null ? "EnCodec fixtures (../shared/fixtures/encodec) absent" : false;
const TOLERANCE = 1e-4;

interface Variant {
  folder: string;
  channels: number;
  clips: readonly string[];
  /** Fixture tag and kbps of each bandwidth, with the rows it gives. */
  bandwidths: readonly { tag: string; kbps: number; rows: number }[];
}

const VARIANTS: readonly Variant[] = [
  {
    folder: "encodec_24k_tiny",
    channels: 1,
    clips: ["aishell_0121_24k", "stereo44k_mono_24k", "en_22k_24k", "short_0p3s_24k", "tiny_200"],
    bandwidths: [{ tag: "bw1p5", kbps: 1.5, rows: 2 }, { tag: "bw12", kbps: 12, rows: 22 }],
  },
  {
    folder: "encodec_48k_tiny",
    channels: 2,
    clips: ["stereo_3seg", "stereo_1seg", "aishell_dualmono", "tiny_250", "silence_0p05s"],
    bandwidths: [{ tag: "bw3", kbps: 3, rows: 3 }, { tag: "bw24", kbps: 24, rows: 16 }],
  },
];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "lengths differ");
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Rows [rows, T] of item `b` of a reference (B, n_q, T) int64 array. */
function referenceRows(path: string, b = 0): { data: Int32Array; rows: number; frames: number } {
  const ref = readNpy(path);
  const [, rows, frames] = ref.shape as [number, number, number];
  const data = ref.data as BigInt64Array;
  return { data: Int32Array.from(data.subarray(b * rows * frames, (b + 1) * rows * frames), Number), rows, frames };
}

/** Segment j's rows [rows, T_j] out of an utterance's codes [rows, ΣT]. */
function segmentRows(codes: EncodecCodes, j: number): Int32Array {
  const start = codes.segments.slice(0, j).reduce((n, s) => n + s.frames, 0);
  const frames = codes.segments[j]!.frames;
  const out = new Int32Array(codes.codebooks * frames);
  for (let r = 0; r < codes.codebooks; r++) out.set(codes.data.subarray(r * codes.frames + start, r * codes.frames + start + frames), r * frames);
  return out;
}

function assertSameCodes(actual: Int32Array, expected: Int32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: values`);
  const wrong = actual.reduce((n, v, i) => n + (v === expected[i] ? 0 : 1), 0);
  assert.equal(wrong, 0, `${what}: ${wrong} of ${expected.length} codes differ`);
}

for (const variant of VARIANTS) {
  describe(variant.folder, { skip }, () => {
    const dir = root === null ? "" : join(root, variant.folder);
    const checkpointPath = (): string => join(dir, readdirSync(dir).find((f) => f.startsWith("encodec_") && !f.startsWith("encodec_lm_") && f.endsWith(".th"))!);
    const input = (clip: string): Float32Array => readNpy(join(dir, "inputs", `${clip}.npy`)).data as Float32Array;
    let model: EncodecModel;

    before(async () => {
      // One padded batch for any call, so the batched tests below really pad.
      model = await openEncodec(await readCheckpoint(checkpointPath()), undefined, variant.folder, { intraOpThreads: 1, maxBatchSamples: Infinity }, nodeBackend);
    });
    after(async () => {
      await model?.dispose();
    });

    /** Codes (every segment), scales and decoded audio of one clip's single encode against the references. */
    function checkClip(clip: string, codes: EncodecCodes, rows: number, tag: string): void {
      const references = readdirSync(join(dir, "ref")).filter((f) => f.startsWith(`${clip}.${tag}.f`) && f.endsWith(".codes.npy"));
      assert.equal(codes.segments.length, references.length, `${clip} @ ${tag}: segments`);
      assert.equal(codes.codebooks, rows, `${clip} @ ${tag}: rows`);
      codes.segments.forEach((segment, j) => {
        const expected = referenceRows(join(dir, "ref", `${clip}.${tag}.f${j}.codes.npy`));
        assert.equal(segment.frames, expected.frames, `${clip} @ ${tag} segment ${j}: frames`);
        assertSameCodes(segmentRows(codes, j), expected.data, `${clip} @ ${tag} segment ${j}`);
      });
      if (variant.channels === 2) {
        const scales = readNpy(join(dir, "ref", `${clip}.scales.npy`)).data as Float32Array;
        assert.deepEqual(codes.segments.map((s) => s.scale), Array.from(scales), `${clip}: scales`);
      } else {
        assert.ok(codes.segments.every((s) => s.scale === undefined), `${clip}: the 24 kHz model has no scale`);
      }
    }

    test("every code and scale equal upstream's, and the decoded audio within 1e-4, at both bandwidths", async () => {
      for (const clip of variant.clips) {
        for (const { tag, kbps, rows } of variant.bandwidths) {
          const [codes] = await model.encode([input(clip)], { bandwidth: kbps });
          checkClip(clip, codes!, rows, tag);
          const [audio] = await model.decode([codes!]);
          const expected = readNpy(join(dir, "ref", `${clip}.${tag}.decoded.npy`)).data as Float32Array;
          const diff = maxAbsDiff(audio!, expected);
          assert.ok(diff <= TOLERANCE, `${clip} @ ${tag}: decoded audio differs by ${diff}`);
        }
      }
    });

    test("a padded batch of every clip (unequal lengths) gives each clip its own codes and audio", async () => {
      const inputs = variant.clips.map(input);
      for (const { tag, kbps, rows } of variant.bandwidths) {
        const batch = await model.encode(inputs, { bandwidth: kbps });
        variant.clips.forEach((clip, i) => checkClip(clip, batch[i]!, rows, tag));
        const audio = await model.decode(batch);
        variant.clips.forEach((clip, i) => {
          const expected = readNpy(join(dir, "ref", `${clip}.${tag}.decoded.npy`)).data as Float32Array;
          const diff = maxAbsDiff(audio[i]!, expected);
          assert.ok(diff <= TOLERANCE, `${clip} @ ${tag} in a batch: decoded audio differs by ${diff}`);
        });
      }
    });

    test("upstream's batch of equal lengths: codes, scales and decoded audio", async () => {
      const stacked = readNpy(join(dir, "batch", "input.npy"));
      const [size, channels, length] = stacked.shape as [number, number, number];
      assert.equal(channels, variant.channels);
      const data = stacked.data as Float32Array;
      const inputs = Array.from({ length: size }, (_, b) => data.slice(b * channels * length, (b + 1) * channels * length));
      for (const { tag, kbps, rows } of variant.bandwidths) {
        const codes = await model.encode(inputs, { bandwidth: kbps });
        codes.forEach((c, b) => {
          assert.equal(c.segments.length, 1, `item ${b}: one segment`);
          const expected = referenceRows(join(dir, "batch", `${tag}.f0.codes.npy`), b);
          assert.equal(c.codebooks, rows);
          assertSameCodes(c.data, expected.data, `batch item ${b} @ ${tag}`);
        });
        if (variant.channels === 2) {
          const scales = readNpy(join(dir, "batch", `${tag}.scales.npy`)).data as Float32Array; // (n_frames = 1, B)
          assert.deepEqual(codes.map((c) => c.segments[0]!.scale), Array.from(scales), `batch @ ${tag}: scales`);
        }
        const audio = await model.decode(codes);
        const decoded = readNpy(join(dir, "batch", `${tag}.decoded.npy`));
        const width = decoded.shape[2]!;
        audio.forEach((a, b) => {
          const expected = (decoded.data as Float32Array).subarray(b * channels * width, (b + 1) * channels * width);
          const diff = maxAbsDiff(a, expected);
          assert.ok(diff <= TOLERANCE, `batch item ${b} @ ${tag}: decoded audio differs by ${diff}`);
        });
      }
    });

    test("recognised from its tensors alone as the release it copies (the facts config.json states)", async () => {
      const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { constructor: Record<string, unknown>; quantizer: { n_q: number; bins: number } };
      const recognised = encodecConfigOf(await readCheckpoint(checkpointPath()));
      const ctor = config.constructor;
      assert.equal(recognised.name, ctor["name"]);
      assert.equal(recognised.sampleRate, ctor["sample_rate"]);
      assert.equal(recognised.audioChannels, ctor["channels"]);
      assert.equal(recognised.causal, ctor["causal"]);
      assert.equal(recognised.norm, ctor["model_norm"]);
      assert.equal(recognised.normalize, ctor["audio_normalize"]);
      assert.equal(recognised.segment, ctor["segment"]);
      assert.deepEqual(recognised.targetBandwidths, ctor["target_bandwidths"]);
      assert.equal(recognised.nQ, config.quantizer.n_q);
      assert.equal(recognised.bins, config.quantizer.bins);
      const withConfig = encodecConfigOf(await readCheckpoint(checkpointPath()), { text: readFileSync(join(dir, "config.json"), "utf8"), name: "config.json" });
      assert.deepEqual(withConfig, recognised);
    });

    test("a bandwidth the model does not list is refused; the LM checkpoint is not an EnCodec model", async () => {
      await assert.rejects(model.encode([input(variant.clips[0]!)], { bandwidth: 5 }), EncodecBandwidthError);
      const lm = join(dir, readdirSync(dir).find((f) => f.startsWith("encodec_lm_"))!);
      const lmCheckpoint = await readCheckpoint(lm);
      assert.throws(() => encodecConfigOf(lmCheckpoint), NotEncodecError);
    });

    test("codes that do not fit the model are refused before decoding", async () => {
      const [codes] = await model.encode([input(variant.clips[0]!)], { bandwidth: variant.bandwidths[0]!.kbps });
      const outside = { ...codes!, data: codes!.data.map((v, i) => (i === 3 ? model.codebookSize : v)) };
      await assert.rejects(model.decode([outside]), /outside \[0, /);
      const badSegments = { ...codes!, segments: [...codes!.segments, { frames: 1, scale: 1 }] };
      await assert.rejects(model.decode([badSegments]), InvalidInputError);
      if (variant.channels === 2) {
        const unscaled = { ...codes!, segments: codes!.segments.map((s) => ({ frames: s.frames })) };
        await assert.rejects(model.decode([unscaled]), /lacks the scale/);
      }
    });
  });
}
