/**
 * k-means units against fairseq's dump_km_label.py (test/fixtures/kmeans, made by the script
 * there from the HuBERT fixture's features): the joblib model read without running it, units from
 * the dumped features and from our own HuBERT features of the audio, dedup, and hostile files.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { PickleWriter } from "../src/checkpoint/pickleWriter.js";
import { CheckpointUnsafeError, InvalidInputError } from "../src/errors.js";
import { dedupUnits, KMeansModelError, openKMeansQuantizer, parseKMeansModel } from "../src/models/kmeans/index.js";
import { openSpeechEncoder } from "../src/models/speechEncoders/index.js";
import { readNpy } from "./support/npy.js";
import { repcodecFixturesDir, repcodecSkipReason } from "./support/repcodecFixtures.js";

const here = join(import.meta.dirname, "..", "..", "test", "fixtures", "kmeans");
const modelPath = join(here, "km.bin");
const expected = JSON.parse(readFileSync(join(here, "units.json"), "utf8")) as { lengths: number[]; units: number[][] };
const fixtures = repcodecFixturesDir();
const CLIPS = ["aishell_0121", "aishell_0122", "short_0p3s", "clip_0p5s"];
const dir = mkdtempSync(join(tmpdir(), "kmeans-"));

test("the joblib MiniBatchKMeans reads as its 20 × 64 float32 centres", async () => {
  const quantizer = await openKMeansQuantizer(modelPath);
  assert.equal(quantizer.clusters, 20);
  assert.equal(quantizer.model.dim, 64);
  assert.ok(quantizer.model.centers instanceof Float32Array);
});

describe("units", { skip: fixtures === null ? repcodecSkipReason : false }, () => {
  test("units of the dumped features equal dump_km_label.py's, every one", async () => {
    const quantizer = await openKMeansQuantizer(modelPath);
    const dump = readNpy(join(fixtures!, "hubert", "base", "features", "0_1.npy")).data as Float32Array;
    let at = 0;
    expected.lengths.forEach((frames, i) => {
      const units = quantizer.units(dump.subarray(at * 64, (at + frames) * 64));
      assert.deepEqual(Array.from(units), expected.units[i], CLIPS[i]);
      at += frames;
    });
  });

  test("units of our HuBERT features of the audio equal them too; dedup merges runs", async () => {
    const quantizer = await openKMeansQuantizer(modelPath);
    const encoder = await openSpeechEncoder(join(fixtures!, "hubert", "base", "hubert_base_tiny.pt"), 2);
    try {
      const features = await encoder.features(CLIPS.map((clip) => readNpy(join(fixtures!, "hubert", "inputs", `${clip}.npy`)).data as Float32Array));
      features.forEach((f, i) => {
        assert.deepEqual(Array.from(quantizer.units(f)), expected.units[i], CLIPS[i]);
        const merged = Array.from(quantizer.units(f, { dedup: true }));
        const runs = expected.units[i]!.filter((u, t, all) => t === 0 || all[t - 1] !== u);
        assert.deepEqual(merged, runs, `${CLIPS[i]} dedup`);
        assert.ok(merged.length < expected.units[i]!.length, "the clip has repeated units");
      });
    } finally {
      await encoder.dispose();
    }
  });
});

test("dedup keeps one unit per run", () => {
  assert.deepEqual(Array.from(dedupUnits(Int32Array.from([3, 3, 1, 1, 1, 3, 2, 2]))), [3, 1, 3, 2]);
  assert.deepEqual(Array.from(dedupUnits(new Int32Array(0))), []);
});

test("features of another width are refused", async () => {
  const quantizer = await openKMeansQuantizer(modelPath);
  assert.throws(() => quantizer.units(new Float32Array(65), { source: "a.npy" }), (e: unknown) => e instanceof InvalidInputError && /a\.npy: 65 values .* 64/.test(e.message));
});

test("hostile or damaged joblib files are refused by name, nothing run", () => {
  const bytes = readFileSync(modelPath);
  const marker = join(dir, "pwned");
  const evil = new PickleWriter().proto(2).global("os", "system").mark().string(`touch ${marker}`).tuple().reduce().stop().bytes();
  assert.throws(() => parseKMeansModel(evil, "evil.bin"), (e: unknown) => e instanceof CheckpointUnsafeError && e.global === "os.system" && e.message.includes("evil.bin"));
  assert.throws(() => parseKMeansModel(bytes.subarray(0, 1200), "cut.bin"), (e: unknown) => e instanceof KMeansModelError && /cut\.bin.*truncated/.test(e.message));
  assert.throws(() => parseKMeansModel(Uint8Array.from([0x78, 0x9c, 1, 2]), "z.bin"), (e: unknown) => e instanceof KMeansModelError && /z\.bin.*compressed/.test(e.message));
  const noCentres = new PickleWriter().proto(2).emptyDict().stop().bytes();
  assert.throws(() => parseKMeansModel(noCentres, "empty.bin"), (e: unknown) => e instanceof KMeansModelError && /no cluster_centers_/.test(e.message));
  // The centres' wrapper claiming 255 × 255 elements, more than the file holds: refused, not read past the end.
  const huge = Buffer.from(bytes);
  const shapeAt = huge.indexOf(Buffer.from([0x4b, 0x14, 0x4b, 0x40, 0x86])); // BININT1 20, BININT1 64, TUPLE2: the centres' shape
  assert.ok(shapeAt > 0);
  huge[shapeAt + 1] = 0xff;
  huge[shapeAt + 3] = 0xff;
  assert.throws(() => parseKMeansModel(huge, "wide.bin"), (e: unknown) => e instanceof KMeansModelError && /wide\.bin.*truncated/.test(e.message));
});
