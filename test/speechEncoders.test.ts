/**
 * HuBERT and data2vec-audio features from fairseq checkpoints against RepCodec's own dumps
 * (../shared/fixtures/repcodec/{hubert,data2vec}): the config facts, the features of the feature
 * layer and of every other layer (1e-4, the fixtures' bar), a batch against each utterance alone,
 * the max_chunk cut, the legacy `args` checkpoint, and refusals.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { readCheckpoint } from "../src/checkpoint/index.js";
import { AudioTooShortError, CheckpointFormatError } from "../src/errors.js";
import { nodeBackend } from "../src/runtime/nodeBackend.js";
import { openSpeechEncoder, speechEncoderConfig, speechEncoderGraph, SpeechEncoderModelError, UnsupportedSpeechEncoderError, type SpeechEncoderFeatureExtractor } from "../src/models/speechEncoders/index.js";
import { readNpy } from "./support/npy.js";
import { repcodecFixturesDir, repcodecSkipReason } from "./support/repcodecFixtures.js";

const fixtures = repcodecFixturesDir();
const CLIPS = ["aishell_0121", "aishell_0122", "short_0p3s", "clip_0p5s"] as const;
/** The fixtures' feature tolerance (their README). */
const FEATURE_TOLERANCE = 1e-4;
/** A batch against each utterance alone: onnxruntime's convolutions round by input length, by ≤ 2e-6 here. */
const BATCH_TOLERANCE = 1e-5;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

interface Variant {
  family: "hubert" | "data2vec";
  size: "base" | "large";
  checkpoint: string;
}
const VARIANTS: Variant[] = [
  { family: "hubert", size: "base", checkpoint: "hubert_base_tiny.pt" },
  { family: "hubert", size: "large", checkpoint: "hubert_large_tiny.pt" },
  { family: "data2vec", size: "base", checkpoint: "data2vec_base_tiny.pt" },
  { family: "data2vec", size: "large", checkpoint: "data2vec_large_tiny.pt" },
];

describe("HuBERT and data2vec-audio features", { skip: fixtures === null ? repcodecSkipReason : false }, () => {
  const familyDir = (v: Variant): string => join(fixtures!, v.family);
  const manifest = (v: Variant) => JSON.parse(readFileSync(join(familyDir(v), "manifest.json"), "utf8")).variants[v.size];
  const audio = (v: Variant, clip: string): Float32Array => readNpy(join(familyDir(v), "inputs", `${clip}.npy`)).data as Float32Array;
  const opened: SpeechEncoderFeatureExtractor[] = [];
  const open = async (path: string, layer: number, maxChunk?: number): Promise<SpeechEncoderFeatureExtractor> => {
    const extractor = await openSpeechEncoder(path, layer, maxChunk === undefined ? {} : { maxChunk });
    opened.push(extractor);
    return extractor;
  };
  after(async () => {
    for (const extractor of opened) await extractor.dispose();
  });

  for (const v of VARIANTS) {
    const path = (): string => join(familyDir(v), v.size, v.checkpoint);

    test(`${v.family} ${v.size}: the config facts are the checkpoint's`, async () => {
      const m = manifest(v);
      const config = speechEncoderConfig(path(), (await readCheckpoint(path())).root);
      assert.equal(config.extractorMode, m.cfg_model.extractor_mode);
      assert.equal(config.width, m.cfg_model.encoder_embed_dim);
      assert.equal(config.layers, m.cfg_model.encoder_layers);
      assert.equal(config.heads, m.cfg_model.encoder_attention_heads);
      assert.equal(config.ffnWidth, m.cfg_model.encoder_ffn_embed_dim);
      assert.equal(config.layerNormFirst, m.cfg_model.layer_norm_first);
      assert.equal(config.normalize, m.cfg_task.normalize);
      assert.deepEqual(config.convLayers.map((c) => [c.channels, c.kernel, c.stride]), [[32, 10, 5], ...Array(4).fill([32, 3, 2]), [32, 2, 2], [32, 2, 2]]);
      const depth = m.cfg_model.pos_conv_depth ?? 1;
      assert.deepEqual(config.positionalConv, depth > 1
        ? { kind: "layer-norm-chain", kernel: Math.max(3, Math.floor(m.cfg_model.conv_pos / depth)), groups: m.cfg_model.conv_pos_groups, depth }
        : { kind: "weight-norm", kernel: m.cfg_model.conv_pos, groups: m.cfg_model.conv_pos_groups });
    });

    test(`${v.family} ${v.size}: every layer's features equal RepCodec's reader, alone and batched`, async () => {
      const featureLayer: number = manifest(v).feature_layer;
      for (let layer = 1; layer <= manifest(v).n_layers; layer++) {
        const extractor = await open(path(), layer);
        const batched = await extractor.features(CLIPS.map((clip) => audio(v, clip)), [...CLIPS]);
        for (const [i, clip] of CLIPS.entries()) {
          const reference = readNpy(join(familyDir(v), v.size, "ref", `${clip}.feat${layer === featureLayer ? "" : `_l${layer}`}.npy`));
          const [alone] = await extractor.features([audio(v, clip)]);
          assert.equal(alone!.length, reference.shape[0]! * reference.shape[1]!, `${clip} layer ${layer}: frames`);
          assert.ok(maxAbsDiff(alone!, reference.data as Float32Array) <= FEATURE_TOLERANCE, `${clip} layer ${layer}`);
          assert.ok(maxAbsDiff(batched[i]!, alone!) <= BATCH_TOLERANCE, `${clip} layer ${layer}: batched`);
        }
      }
    });

    test(`${v.family} ${v.size}: with max_chunk 16000 each piece is encoded alone (205 frames, not 209)`, async () => {
      const extractor = await open(path(), manifest(v).feature_layer, 16000);
      const [features] = await extractor.features([audio(v, "aishell_0121")]);
      const reference = readNpy(join(familyDir(v), v.size, "max_chunk_16000", "ref", "aishell_0121.feat.npy"));
      assert.equal(reference.shape[0], 205);
      assert.equal(features!.length, reference.shape[0]! * reference.shape[1]!);
      assert.ok(maxAbsDiff(features!, reference.data as Float32Array) <= FEATURE_TOLERANCE);
    });
  }

  test("the composite attention graph (for GPU providers) gives the fused graph's features", async () => {
    const v = VARIANTS[1]!;
    const checkpoint = await readCheckpoint(join(familyDir(v), v.size, v.checkpoint));
    const clips = CLIPS.map((clip) => audio(v, clip));
    const run = async (attention: "fused" | "composite"): Promise<Float32Array> => {
      const session = await nodeBackend.openGraph(speechEncoderGraph(checkpoint, 3, { attention }).model, {}, checkpoint.path);
      const longest = Math.max(...clips.map((c) => c.length));
      const batch = new Float32Array(clips.length * longest);
      clips.forEach((c, b) => batch.set(c, b * longest));
      const out = await session.run({
        audio: new nodeBackend.ort.Tensor("float32", batch, [clips.length, longest]),
        audio_lengths: new nodeBackend.ort.Tensor("int64", BigInt64Array.from(clips, (c) => BigInt(c.length)), [clips.length]),
      });
      await session.release();
      return out.features!.data as Float32Array;
    };
    assert.ok(maxAbsDiff(await run("composite"), await run("fused")) <= BATCH_TOLERANCE);
  });

  test("the legacy args (argparse.Namespace) checkpoint reads with fairseq's defaults and gives the same features", async () => {
    const dir = join(fixtures!, "hubert", "base");
    const fromArgs = speechEncoderConfig("args", (await readCheckpoint(join(dir, "hubert_base_tiny_args.pt"))).root);
    const fromCfg = speechEncoderConfig("cfg", (await readCheckpoint(join(dir, "hubert_base_tiny.pt"))).root);
    assert.deepEqual(fromArgs, fromCfg);
    const extractor = await open(join(dir, "hubert_base_tiny_args.pt"), 2);
    const dumped = readNpy(join(dir, "args_checkpoint", "features", "0_1.npy")).data as Float32Array;
    const features = await extractor.features(CLIPS.map((clip) => audio(VARIANTS[0]!, clip)));
    const joined = Float32Array.from(features.flatMap((f) => Array.from(f)));
    assert.ok(maxAbsDiff(joined, dumped) <= FEATURE_TOLERANCE);
  });

  test("audio shorter than the front end's 400 samples, alone or as the last piece of a chunked clip, is refused by name", async () => {
    const path = join(fixtures!, "hubert", "base", "hubert_base_tiny.pt");
    const whole = await open(path, 1);
    await assert.rejects(whole.features([new Float32Array(399)], ["tiny.wav"]), (e: unknown) => e instanceof AudioTooShortError && e.message.includes("tiny.wav") && /399 samples.*400/.test(e.message));
    assert.equal((await whole.features([new Float32Array(400)]))[0]!.length, 64, "400 samples give one frame");
    const chunked = await open(path, 1, 1000);
    await assert.rejects(chunked.features([new Float32Array(1399)], ["cut.wav"]), (e: unknown) => e instanceof AudioTooShortError && e.message.includes("cut.wav") && /399 samples/.test(e.message));
  });

  test("a layer the encoder lacks, another architecture and a damaged config are typed errors naming the file", async () => {
    const path = join(fixtures!, "hubert", "base", "hubert_base_tiny.pt");
    for (const layer of [0, 4, 1.5]) {
      await assert.rejects(openSpeechEncoder(path, layer), (e: unknown) => e instanceof SpeechEncoderModelError && e.message.includes(path) && e.message.includes("layers 1..3"));
    }
    const root = (await readCheckpoint(path)).root as Map<string, Map<string, Map<string, unknown>>>;
    const model = root.get("cfg")!.get("model")!;
    model.set("_name", "wav2vec2");
    assert.throws(() => speechEncoderConfig("w2v.pt", root), (e: unknown) => e instanceof UnsupportedSpeechEncoderError && /w2v\.pt: .*wav2vec2.*wav2vec 2\.0/.test(e.message));
    model.set("_name", "hubert");
    model.set("layer_type", "conformer");
    assert.throws(() => speechEncoderConfig("conformer.pt", root), (e: unknown) => e instanceof UnsupportedSpeechEncoderError && /conformer/.test(e.message));
    model.set("layer_type", "transformer");
    model.set("conv_feature_layers", "__import__('os').system('true')");
    assert.throws(() => speechEncoderConfig("evil.pt", root), (e: unknown) => e instanceof SpeechEncoderModelError && /evil\.pt.*conv_feature_layers/.test(e.message));
    model.set("conv_feature_layers", "[(32,10,5)] * 100000000");
    assert.throws(() => speechEncoderConfig("huge.pt", root), (e: unknown) => e instanceof SpeechEncoderModelError && /repeat count/.test(e.message));
    assert.throws(() => speechEncoderConfig("plain.pt", new Map([["model", new Map()]])), (e: unknown) => e instanceof SpeechEncoderModelError && /no "cfg" or "args"/.test(e.message));
  });

  test("a truncated fairseq checkpoint is a format error naming the file", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const bytes = readFileSync(join(fixtures!, "hubert", "base", "hubert_base_tiny.pt"));
    const path = join(mkdtempSync(join(tmpdir(), "fairseq-cut-")), "cut.pt");
    writeFileSync(path, bytes.subarray(0, bytes.length >> 1));
    await assert.rejects(openSpeechEncoder(path, 1), (e: unknown) => e instanceof CheckpointFormatError && e.message.includes(path));
  });
});
