/**
 * The RepCodec family description: a random model written in the released formats loads back
 * through detect and load, encodes one row per utterance at 50 Hz (batched equal to alone), and a
 * registry model without its hand-placed RepCodec file gets an offline error naming the path and page.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { OfflineModelMissingError } from "../src/errors.js";
import { repcodecFamily } from "../src/models/repcodec/family.js";
import { detectLocal, loadLocalFiles } from "../src/family/loadLocal.js";

/** A deterministic chirp with a little pseudo-noise, `seconds` long at 16 kHz. */
function chirp(seconds: number, phase: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * 16000));
  for (let i = 0; i < out.length; i++) {
    const t = i / 16000;
    out[i] = 0.3 * Math.sin(2 * Math.PI * (200 + 900 * t) * t + phase) + 0.01 * Math.sin(i * 12.9898 + phase * 78.233);
  }
  return out;
}

test("a random tiny model loads back by detection and encodes like one utterance at a time", async () => {
  const dir = mkdtempSync(join(tmpdir(), "repcodec-family-"));
  await repcodecFamily.writeRandomModel(dir, { seed: 7, size: "tiny" });
  const files = await detectLocal(repcodecFamily, dir);
  assert.ok(files, "the written folder is detected");
  const model = await loadLocalFiles(repcodecFamily, files, dir, { intraOpThreads: 1 });
  try {
    assert.equal(model.family, "repcodec");
    assert.equal(model.frameRate, 50);
    const inputs = [chirp(1.3, 0), chirp(0.41, 1), chirp(2.05, 2)];
    const batched = await model.encode(inputs);
    for (const [i, samples] of inputs.entries()) {
      const [alone] = await model.encode([samples]);
      assert.deepEqual(Array.from(batched[i]!.data), Array.from(alone!.data));
      assert.equal(batched[i]!.frames, Math.floor(samples.length / 320));
      assert.equal(batched[i]!.codebooks, 1);
      assert.ok(batched[i]!.data.every((c) => c >= 0 && c < model.codebookSize));
    }
  } finally {
    await model.dispose();
  }
});

test("a registry model without its RepCodec checkpoint names the file, the folder and the Drive page", async () => {
  const whisper = join(tmpdir(), "cache", "repcodec_whisper_medium_l24", "medium.pt");
  await assert.rejects(loadLocalFiles(repcodecFamily, { "medium.pt": whisper }, "repcodec_whisper_medium_l24"), (error: unknown) => {
    assert.ok(error instanceof OfflineModelMissingError);
    assert.equal(error.expectedPath, join(tmpdir(), "cache", "repcodec_whisper_medium_l24", "whisper_medium_l24.pkl"));
    assert.match(error.message, /drive\.google\.com\/file\/d\/1V6YJSA2V4iywXrecJAN0oqsa3aHowexZ/);
    assert.match(error.message, /no plain download/);
    return true;
  });
});

test("the registry names both releases with Whisper's own sha256", () => {
  assert.deepEqual(repcodecFamily.models.map((m) => m.name), ["repcodec_whisper_medium_l24", "repcodec_whisper_large_l32"]);
  for (const model of repcodecFamily.models) {
    for (const file of model.files) assert.ok(file.url.includes(`/${file.sha256}/`), `${model.name}: whisper verifies the hash in its URL path`);
  }
});
