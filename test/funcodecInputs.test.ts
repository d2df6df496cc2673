/**
 * FunCodec's config, weights and inputs: YAML read as 1.1 (PyYAML), freqcodec and other
 * architectures refused by name, generator tensors checked by name and shape, uninitialised
 * codebooks refused, bit width → rows as upstream (the fixture manifest's table), bad codes and
 * over-long audio refused with typed errors, and a random-weight model that loads back through
 * the released format and keeps the row prefix property.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readCheckpoint } from "../src/checkpoint/index.js";
import { CheckpointTensorError, InvalidInputError, ModelConfigError } from "../src/errors.js";
import { quantizersForBitWidth, rowsForBitWidth } from "../src/models/funcodec/bitWidth.js";
import { parseCodecsLine } from "../src/parts/codecsText.js";
import { parseFunCodecConfig } from "../src/models/funcodec/config.js";
import { FunCodecAudioTooLongError } from "../src/models/funcodec/errors.js";
import { funcodecFamily } from "../src/models/funcodec/family.js";
import { loadFunCodec } from "../src/models/funcodec/loadFiles.js";
import { openFunCodec } from "../src/models/funcodec/open.js";
import { nodeBackend } from "../src/runtime/nodeBackend.js";
import type { RuntimeBackend } from "../src/runtime/backend.js";
import { float32Tensor } from "../src/onnx/tensor.js";
import { funcodecWeights } from "../src/models/funcodec/weights.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { detectLocal } from "../src/family/loadLocal.js";

const dir = familyFixturesDir("funcodec");
const skip = dir === null ? "FunCodec fixtures (../shared/fixtures/funcodec) absent" : false;
const fixtureYaml = () => readFileSync(join(dir!, "config.yaml"), "utf8");

test("config.yaml is read as YAML 1.1, as PyYAML reads it", { skip }, () => {
  // `on` is a boolean in YAML 1.1 only; under 1.2 it would be the string "on" and normalisation off.
  const config = parseFunCodecConfig(fixtureYaml().replace("audio_normalize: true", "audio_normalize: on"), "config.yaml");
  assert.equal(config.audioNormalize, true);
  assert.deepEqual(config.encoder.ratios, [8, 5, 4, 2, 2]);
  assert.equal(config.encoder.nFilters, 4);
  assert.equal(config.encoder.dimension, 16);
});

test("freqcodec and other architectures are refused naming what is supported", { skip }, () => {
  const cases: [string, RegExp][] = [
    [fixtureYaml().replace("model: encodec", "model: freq_codec"), /freq_codec.*freqcodec.*supported: time-domain encodec/],
    [fixtureYaml().replace(/norm: time_group_norm/g, "norm: weight_norm"), /encoder_conf\.norm: weight_norm/],
    [fixtureYaml().replace("causal: false", "causal: true"), /causal: true/],
    [fixtureYaml().replace("use_ddp: true", "use_ddp: false"), /use_ddp/],
    // Absent, upstream cuts one-second segments (its default 1.0).
    [fixtureYaml().replace("  segment_dur: null\n", ""), /segment_dur: absent/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseFunCodecConfig(text, "cfg.yaml"), (e: unknown) => e instanceof ModelConfigError && e.code === "MODEL_CONFIG" && message.test(e.message) && e.message.startsWith("cfg.yaml"));
  }
});

test("generator tensors are checked by name and shape; inited must be 1", { skip }, async () => {
  const config = parseFunCodecConfig(fixtureYaml(), "config.yaml");
  const dict = (await readCheckpoint(join(dir!, "model.pth"))).stateDict();
  assert.ok(funcodecWeights(config, dict, "model.pth").codebooks, "the fixture passes");
  const without = new Map(dict);
  without.delete("decoder.model.13.block.1.conv.norm.weight");
  assert.throws(() => funcodecWeights(config, without, "m.pth"), (e: unknown) => e instanceof CheckpointTensorError && /decoder\.model\.13\.block\.1\.conv\.norm\.weight: missing/.test(e.message));
  const misshapen = new Map(dict);
  misshapen.set("encoder.model.0.conv.conv.weight", float32Tensor([4, 1, 5], new Float32Array(20)));
  assert.throws(() => funcodecWeights(config, misshapen, "m.pth"), (e: unknown) => e instanceof CheckpointTensorError && /\[4, 1, 5\], expected \[4, 1, 7\]/.test(e.message));
  const uninitialised = new Map(dict);
  const inited = new Float32Array(32).fill(1);
  inited[5] = 0;
  uninitialised.set("quantizer.rq.model.inited", float32Tensor([32, 1], inited));
  assert.throws(() => funcodecWeights(config, uninitialised, "m.pth"), (e: unknown) => e instanceof CheckpointTensorError && /layer 5 is not initialised/.test(e.message));
  // Training-only tensors are not needed.
  const generatorOnly = new Map([...dict].filter(([k]) => !/^(discriminator|mel_spec_transforms)\.|embed_avg|cluster_size/.test(k)));
  assert.ok(funcodecWeights(config, generatorOnly, "m.pth"));
});

test("bit width → rows as upstream: the fixture manifest's table, uncapped, sliced to the model's rows", { skip }, () => {
  const config = parseFunCodecConfig(fixtureYaml(), "config.yaml");
  const manifest = JSON.parse(readFileSync(join(dir!, "manifest.json"), "utf8")) as { bit_width_to_n_q: Record<string, number> };
  for (const [bitWidth, nq] of Object.entries(manifest.bit_width_to_n_q)) {
    assert.equal(quantizersForBitWidth(config, Number(bitWidth)), nq, `bit width ${bitWidth}`);
    assert.equal(rowsForBitWidth(config, Number(bitWidth)), Math.min(nq, 32));
  }
  assert.equal(quantizersForBitWidth(config, 100), 1, "at least one row");
  assert.equal(quantizersForBitWidth(config, 0), 32, "no bit width: every row");
  assert.equal(quantizersForBitWidth(config, 2249), 8, "floored");
});

test("codecs.txt lines that are not one segment of equal rows of codes are refused", () => {
  const bad = ["", "key", "key [[1, 2]]", "key [[[1, 2], [3]]]", "key [[[1, -2]]]", "key [[[1.5]]]", "key [[[1]], [[2]]]", "key {}"];
  for (const line of bad) assert.throws(() => parseCodecsLine(line, "c.txt:1"), (e: unknown) => e instanceof InvalidInputError && e.message.startsWith("c.txt:1"), line);
  assert.deepEqual(parseCodecsLine("utt [[[1, 2], [3, 4]]]", "c.txt:1").codes, { data: Int32Array.from([1, 2, 3, 4]), codebooks: 2, frames: 2 });
});

test("a random-weight model loads back through the released format; rows are prefixes; bad input is refused", async () => {
  const temp = await mkdtemp(join(tmpdir(), "funcodec-"));
  try {
    const files = await funcodecFamily.writeRandomModel(temp, { seed: 7, size: "tiny" });
    assert.deepEqual(await detectLocal(funcodecFamily, temp), files);
    assert.deepEqual(await detectLocal(funcodecFamily, files["model.pth"]!), files);
    assert.match(await readFile(files["config.yaml"]!, "utf8"), /encoder_conf:/);
    const model = await loadFunCodec(files, "random", { intraOpThreads: 1, maxSeconds: 1 });
    try {
      const x = Float32Array.from({ length: 9000 }, (_, i) => 0.3 * Math.sin(i / 9) + 0.1 * Math.sin(i / 97));
      const [all] = await model.encode([x]);
      const [eight] = await model.encode([x], { bitWidth: 2000 });
      const [three] = await model.encode([x], { codebooks: 3 });
      assert.equal(all!.codebooks, 32);
      assert.deepEqual(eight!.data, all!.data.subarray(0, 8 * all!.frames));
      assert.deepEqual(three!.data, all!.data.subarray(0, 3 * all!.frames));
      assert.ok(new Set(all!.data.subarray(0, all!.frames)).size > 1, "random codebooks give more than one code");
      const [audio] = await model.decode([eight!]);
      assert.equal(audio!.length, 640 * eight!.frames);

      await assert.rejects(model.encode([new Float32Array(16001)]), FunCodecAudioTooLongError);
      await assert.rejects(model.encode([x], { codebooks: 33 }), InvalidInputError);
      await assert.rejects(model.encode([x], { codebooks: 2, bitWidth: 2000 }), InvalidInputError);
      await assert.rejects(model.encode([x], { firstCodebook: 1 }), InvalidInputError);
      await assert.rejects(model.encode([new Float32Array(0)]), InvalidInputError);
      await assert.rejects(model.decode([{ data: Int32Array.from([1024]), codebooks: 1, frames: 1 }]), /outside \[0, 1024\)/);
      await assert.rejects(model.decode([{ data: Int32Array.from([1, 2]), codebooks: 1, frames: 1 }]), InvalidInputError);
    } finally {
      await model.dispose();
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
});

test("the decoder opens at load, or with decoderAtLoad false on the first decode only (an encode-only job never opens it)", async () => {
  const temp = await mkdtemp(join(tmpdir(), "funcodec-"));
  try {
    const files = await funcodecFamily.writeRandomModel(temp, { seed: 7, size: "tiny" });
    const opened: string[] = [];
    const counting: RuntimeBackend = { ...nodeBackend, openGraph: (graph, options, source, extra) => (opened.push(source), nodeBackend.openGraph(graph, options, source, extra)) };
    const open = async (options: { decoderAtLoad?: boolean }) =>
      openFunCodec(await readFile(files["config.yaml"]!, "utf8"), "config.yaml", await readCheckpoint(files["model.pth"]!), "random", { intraOpThreads: 1, ...options }, counting);
    await (await open({})).dispose();
    assert.deepEqual(opened, ["random (encoder)", "random (decoder)"], "by default both open at load");
    opened.length = 0;
    const model = await open({ decoderAtLoad: false });
    try {
      const x = Float32Array.from({ length: 9000 }, (_, i) => 0.3 * Math.sin(i / 9)); // [samples]
      const [codes] = await model.encode([x]);
      assert.deepEqual(opened, ["random (encoder)"]);
      // Two decodes at once share one decoder.
      const [[first], [second]] = await Promise.all([model.decode([codes!]), model.decode([codes!])]);
      assert.deepEqual(opened, ["random (encoder)", "random (decoder)"]);
      assert.equal(first!.length, 640 * codes!.frames);
      assert.deepEqual(second, first);
    } finally {
      await model.dispose();
    }
    await assert.rejects(model.decode([{ data: Int32Array.from([1]), codebooks: 1, frames: 1 }]), /disposed/);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
});
