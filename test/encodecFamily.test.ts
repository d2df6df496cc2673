/**
 * The EnCodec family object: detecting a checkpoint (file or folder, config.json beside it),
 * loading through it (the name's sha256 prefix checked as upstream checks it), random-weight
 * checkpoints in the released format loading back, and plain Codes decoding where the model has
 * no segments.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { encodecFamily } from "../src/models/encodec/family.js";
import { loadEncodec } from "../src/models/encodec/loadFiles.js";
import { writeRandomEncodec } from "../src/models/encodec/randomModel.js";
import { detectLocal } from "../src/family/loadLocal.js";
import { ModelNotFoundError } from "../src/errors.js";
import { EncodecChecksumPrefixError, NotEncodecError } from "../src/models/encodec/errors.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { readNpy } from "./support/npy.js";

const root = familyFixturesDir("encodec");
const skip = root === null ? "EnCodec fixtures (../shared/fixtures/encodec) absent" : false;
const scratch = mkdtempSync(join(tmpdir(), "encodec-family-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const dir24 = root === null ? "" : join(root, "encodec_24k_tiny");
const checkpoint24 = () => readdirSync(dir24).find((f) => /^encodec_24k_tiny-.*\.th$/.test(f))!;

test("detects a checkpoint folder (with its config.json) or file, and nothing else", { skip }, async () => {
  assert.deepEqual(await detectLocal(encodecFamily, dir24), { [checkpoint24()]: join(dir24, checkpoint24()), "config.json": join(dir24, "config.json") });
  assert.deepEqual(Object.keys((await detectLocal(encodecFamily, join(dir24, checkpoint24())))!).sort(), [checkpoint24(), "config.json"].sort());
  const lm = readdirSync(dir24).find((f) => f.startsWith("encodec_lm_"))!;
  assert.equal(await detectLocal(encodecFamily, join(dir24, lm)), null, "the LM checkpoint is not a model");
  assert.equal(await detectLocal(encodecFamily, join(root!, "..", "funcodec")), null);
  await assert.rejects(detectLocal(encodecFamily, join(scratch, "absent")), ModelNotFoundError);
});

test("loads through the family: codes equal the reference; plain Codes decode as one segment", { skip }, async () => {
  const model = await loadEncodec((await detectLocal(encodecFamily, dir24))!, "fixture", { intraOpThreads: 1 });
  try {
    assert.equal(model.sampleRate, 24000);
    assert.equal(model.channels, 1);
    const x = readNpy(join(dir24, "inputs", "short_0p3s_24k.npy")).data as Float32Array;
    const [codes] = await model.encode([x], { bandwidth: 1.5 });
    assert.deepEqual(Array.from(codes!.data), Array.from(readNpy(join(dir24, "ref", "short_0p3s_24k.bw1p5.f0.codes.npy")).data as BigInt64Array, Number));
    const [fromPlain] = await model.decode([{ data: codes!.data, codebooks: codes!.codebooks, frames: codes!.frames }]);
    const [fromSegments] = await model.decode([codes!]);
    assert.deepEqual(fromPlain, fromSegments);
  } finally {
    await model.dispose();
  }
});

test("a checkpoint whose name's sha256 prefix is not its own is refused, as upstream refuses it", { skip }, async () => {
  const renamed = join(scratch, "encodec_24khz-00000000.th");
  copyFileSync(join(dir24, checkpoint24()), renamed);
  await assert.rejects(loadEncodec({ "encodec_24khz-00000000.th": renamed }, "renamed"), EncodecChecksumPrefixError);
});

test("the LM checkpoint loaded as a model is refused as not EnCodec", { skip }, async () => {
  const lm = readdirSync(dir24).find((f) => f.startsWith("encodec_lm_"))!;
  await assert.rejects(loadEncodec({ [lm]: join(dir24, lm) }, "lm"), NotEncodecError);
});

test("random tiny checkpoints: named by their sha256, recognised as encodec_24khz, encode and decode", async () => {
  const files = await encodecFamily.writeRandomModel(join(scratch, "random"), { seed: 7, size: "tiny" });
  const [name] = Object.keys(files);
  assert.match(name!, /^encodec_24khz-[0-9a-f]{8}\.th$/);
  assert.deepEqual(await detectLocal(encodecFamily, join(scratch, "random")), files);
  const again = await encodecFamily.writeRandomModel(join(scratch, "again"), { seed: 7, size: "tiny" });
  assert.deepEqual(Object.keys(again), [name], "the same seed gives the same bytes");
  const model = await loadEncodec(files, "random", { intraOpThreads: 1 });
  try {
    assert.equal(model.config.name, "encodec_24khz");
    const input = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 10) * 0.1);
    const [codes] = await model.encode([input], { bandwidth: 6 });
    assert.equal(codes!.codebooks, 11, "6 kbps at 75 Hz with 7-bit codes: floor(6000 / (7 · 75)) rows");
    assert.equal(codes!.frames, 4);
    const [audio] = await model.decode([codes!]);
    assert.equal(audio!.length, 4 * 320);
  } finally {
    await model.dispose();
  }
});

test("random tiny checkpoints in encodec_48khz's layout are recognised as that release: stereo, 16 layers, 1 s segments with scales", async () => {
  const files = await writeRandomEncodec(join(scratch, "random48"), { seed: 7, size: "tiny", release: "encodec_48khz" });
  assert.match(Object.keys(files)[0]!, /^encodec_48khz-[0-9a-f]{8}\.th$/);
  const model = await loadEncodec(files, "random48", { intraOpThreads: 1 });
  try {
    assert.equal(model.config.name, "encodec_48khz");
    assert.equal(model.channels, 2);
    assert.equal(model.codebooks, 16, "24 kbps at 150 Hz, as upstream's _get_model counts: floor(24000 / (150 · 10))");
    // 1.5 s of stereo: two segments (the second starts at 0.99 s), each with its scale.
    const samples = 72_000;
    const input = Float32Array.from({ length: 2 * samples }, (_, i) => Math.sin(i / 7) * (i < samples ? 0.1 : 0.2)); // [2, L] planar
    const [codes] = await model.encode([input]);
    assert.equal(codes!.segments.length, 2);
    assert.ok(codes!.segments.every((s) => s.scale !== undefined && s.scale > 0));
    assert.equal(codes!.codebooks, 16);
  } finally {
    await model.dispose();
  }
});
