/**
 * RepCodec over HuBERT and data2vec-audio from audio (the library composition of the fairseq
 * encoder and RepCodec) against the tokens RepCodec's own `repcodec` CLI wrote on RepCodec's
 * `dump_feature.py` features (../shared/fixtures/repcodec/{hubert,data2vec}/<size>/tokens_bs1):
 * every clip in one call, every token equal; the max_chunk cut; fast mode's tokens; refusals.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { InvalidInputError } from "../src/errors.js";
import { openRepCodecSpeechEncoder, type RepCodecSpeechEncoderOptions } from "../src/models/repcodec/speechEncoderRepCodec.js";
import type { RepCodecSpeechEncoderModel } from "../src/models/repcodec/speechEncoderModel.js";
import { randomHubertRepCodecLayer, writeRandomRepCodecHubert } from "../src/models/repcodec/speechEncoderRandomModel.js";
import { readNpy } from "./support/npy.js";
import { repcodecFixturesDir, repcodecSkipReason } from "./support/repcodecFixtures.js";

const fixtures = repcodecFixturesDir();

interface Variant {
  family: "hubert" | "data2vec";
  size: "base" | "large";
}
const VARIANTS: Variant[] = [
  { family: "hubert", size: "base" },
  { family: "hubert", size: "large" },
  { family: "data2vec", size: "base" },
  { family: "data2vec", size: "large" },
];

/** The upstream CLI's tokens file: a root line, then `<clip>.wav<TAB>tokens` per clip. */
function cliTokens(path: string): Map<string, number[]> {
  const lines = readFileSync(path, "utf8").trim().split("\n").slice(1);
  return new Map(lines.map((line) => {
    const [name, tokens] = line.split("\t") as [string, string];
    return [name.replace(/\.wav$/, ""), tokens.split(" ").map(Number)];
  }));
}

describe("RepCodec over HuBERT / data2vec-audio, audio to tokens", { skip: fixtures === null ? repcodecSkipReason : false }, () => {
  const familyDir = (v: Variant): string => join(fixtures!, v.family);
  const facts = (v: Variant) => JSON.parse(readFileSync(join(familyDir(v), "manifest.json"), "utf8")).variants[v.size] as
    { checkpoint: string; feature_layer: number; repcodec_checkpoint: string };
  const audio = (v: Variant, clip: string): Float32Array => readNpy(join(familyDir(v), "inputs", `${clip}.npy`)).data as Float32Array;
  const opened: RepCodecSpeechEncoderModel[] = [];
  const open = async (v: Variant, options: RepCodecSpeechEncoderOptions = {}, repcodecOf: Variant = v): Promise<RepCodecSpeechEncoderModel> => {
    const model = await openRepCodecSpeechEncoder({
      featureModel: join(familyDir(v), facts(v).checkpoint),
      layer: facts(v).feature_layer,
      repcodec: join(familyDir(repcodecOf), facts(repcodecOf).repcodec_checkpoint),
    }, `${v.family}-${v.size}`, options);
    opened.push(model);
    return model;
  };
  after(async () => {
    for (const model of opened) await model.dispose();
  });

  for (const v of VARIANTS) {
    test(`${v.family} ${v.size}: every clip in one call gives the upstream CLI's tokens`, async () => {
      const expected = cliTokens(join(familyDir(v), v.size, "tokens_bs1", "tokens"));
      const clips = [...expected.keys()];
      const model = await open(v);
      const codes = await model.encode(clips.map((clip) => audio(v, clip)));
      clips.forEach((clip, i) => {
        assert.equal(codes[i]!.codebooks, 1);
        assert.deepEqual(Array.from(codes[i]!.data), expected.get(clip), clip);
      });
    });

    test(`${v.family} ${v.size}: a 16000-sample max_chunk gives the chunked dump's tokens`, async () => {
      const dir = join(familyDir(v), v.size, "max_chunk_16000");
      const expected = cliTokens(join(dir, "tokens_bs1", "tokens"));
      const model = await open(v, { maxChunk: 16000 });
      for (const [clip, tokens] of expected) {
        const [codes] = await model.encode([audio(v, clip)]);
        assert.deepEqual(Array.from(codes!.data), tokens, clip);
      }
    });
  }

  test("fast mode (int8 products) gives one row of the same length per clip", async () => {
    const v = VARIANTS[0]!;
    const expected = cliTokens(join(familyDir(v), v.size, "tokens_bs1", "tokens"));
    const model = await open(v, { mode: "fast" });
    const codes = await model.encode([...expected.keys()].map((clip) => audio(v, clip)));
    [...expected.values()].forEach((tokens, i) => {
      assert.equal(codes[i]!.frames, tokens.length);
      assert.ok(codes[i]!.data.every((t) => t >= 0 && t < model.codebookSize));
    });
  });

  test("a RepCodec of another width is refused by name; so are several rows of codes", async () => {
    const [base, large] = [VARIANTS[0]!, VARIANTS[1]!];
    await assert.rejects(open(large, {}, base), (error: unknown) => error instanceof InvalidInputError && /96-wide features/.test(error.message) && /takes 64/.test(error.message));
    const model = await open(base);
    await assert.rejects(model.encode([audio(base, "clip_0p5s")], { codebooks: 2 }), InvalidInputError);
  });
});

test("a random-weight HuBERT + RepCodec written in fairseq's layout reads back with HuBERT base's facts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "repcodec-hubert-"));
  try {
    const files = writeRandomRepCodecHubert(dir, 7, "tiny");
    const model = await openRepCodecSpeechEncoder({ featureModel: files["feature_model.pt"]!, repcodec: files["repcodec.pkl"]!, layer: randomHubertRepCodecLayer("tiny") }, "random");
    try {
      const config = model.features.config;
      assert.deepEqual(
        [config.architecture, config.extractorMode, config.layerNormFirst, config.normalize, config.convBias, config.width, config.layers],
        ["hubert", "default", false, false, false, 64, 3],
      );
      // HuBERT's released stack: (512→32 channels) kernels 10, 3 ×4, 2 ×2; strides 5, 2 ×6.
      assert.deepEqual(config.convLayers.map((l) => [l.kernel, l.stride]), [[10, 5], [3, 2], [3, 2], [3, 2], [3, 2], [2, 2], [2, 2]]);
      assert.deepEqual(config.positionalConv, { kind: "weight-norm", kernel: 16, groups: 4 });
      const samples = Float32Array.from({ length: 16000 }, (_, i) => Math.sin(i / 7) * 0.3);
      const [codes] = await model.encode([samples]);
      assert.equal(codes!.frames, Math.floor((16000 - 400) / 320) + 1);
    } finally {
      await model.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
