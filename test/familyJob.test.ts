/**
 * The corpus job and `serve` through the family interface: codes as JSON (flat for one-row
 * families, rows otherwise), the samples path for a family without a feature front end, --n_q.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { loadAudio } from "../src/audio/loadAudio.js";
import type { ScpEntry } from "../src/audio/wavScp.js";
import { extractTokens } from "../src/extract/extractor.js";
import { JsonLinesAppender } from "../src/extract/partFile.js";
import { ProgressReporter, type ProgressCounts } from "../src/extract/progress.js";
import { codesJson } from "../src/family/frontEnd.js";
import { FAMILIES } from "../src/registry/families.js";
import type { Codes, EncodeOptions, TokenizerModel } from "../src/family/types.js";
import { TokenizerService } from "../src/serve/service.js";
import { readJsonLines, runCli } from "./support/cli.js";
import { sine16, wavBytes } from "./support/audioWriters.js";

/**
 * A model of three code rows that takes samples (no feature front end), with codes computed from
 * each 320-sample hop: row r, frame t = (⌊1000 · mean |x| over the hop⌋ + 7r) mod 1024. What the
 * job writes can be checked against encoding the decoded file directly.
 */
class HopEnergyModel implements TokenizerModel {
  readonly family = "repcodec" as const;
  readonly source = "hop-energy";
  readonly files = {};
  readonly sampleRate = 16_000;
  readonly channels = 1;
  readonly frameRate = 50;
  readonly hopLength = 320;
  readonly codebooks = 3;
  readonly codebookSize = 1024;
  readonly parallelism = 1;
  readonly batching = { unit: "samples", unitName: "samples", maxBatchUnits: 480_000, maxBatchSize: Infinity } as const;
  readonly batches: number[] = [];

  async encode(inputs: readonly Float32Array[], options: EncodeOptions = {}): Promise<Codes[]> {
    this.batches.push(inputs.length);
    const rows = options.codebooks ?? this.codebooks;
    return inputs.map((x) => {
      const frames = Math.ceil(x.length / this.hopLength);
      const data = new Int32Array(rows * frames); // [rows, frames]
      for (let t = 0; t < frames; t++) {
        const hop = x.subarray(t * this.hopLength, (t + 1) * this.hopLength);
        const energy = Math.floor((1000 * hop.reduce((sum, v) => sum + Math.abs(v), 0)) / hop.length);
        for (let r = 0; r < rows; r++) data[r * frames + t] = (energy + 7 * r) % this.codebookSize;
      }
      return { data, codebooks: rows, frames };
    });
  }

  async dispose(): Promise<void> {}
}

function writeWavs(dir: string, seconds: readonly number[]): ScpEntry[] {
  return seconds.map((s, i) => {
    const path = join(dir, `u${i}.wav`);
    writeFileSync(path, wavBytes({ rate: 16_000, channels: [sine16(Math.round(s * 16_000), 16_000, 200 + 90 * i, 0.1 + 0.2 * i)] }));
    return { key: `u${i}`, path, isPipe: false, line: i + 1 };
  });
}

test("codes as JSON: a flat list for a one-row model, rows for a model of several, however many were asked", () => {
  const codes: Codes = { data: Int32Array.from([1, 2, 3, 4, 5, 6]), codebooks: 2, frames: 3 };
  assert.deepEqual(codesJson(codes, { codebooks: 8 }), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(codesJson({ data: Int32Array.from([1, 2, 3]), codebooks: 1, frames: 3 }, { codebooks: 8 }), [[1, 2, 3]]);
  assert.deepEqual(codesJson({ data: Int32Array.from([9, 8]), codebooks: 1, frames: 2 }, { codebooks: 1 }), [9, 8]);
});

test("the corpus job serves a samples-only, multi-row model: rows per line, --n_q passed as codebooks", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "family-job-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const entries = writeWavs(dir, [0.5, 1.3, 0.9]);
  const model = new HopEnergyModel();
  for (const codebooks of [undefined, 2]) {
    const part = join(dir, `part-${codebooks ?? "all"}`);
    const outputs = { part: new JsonLinesAppender(part, true), errors: new JsonLinesAppender(join(dir, "errors"), true), progress: new ProgressReporter() };
    const counts: ProgressCounts = { done: 0, failed: 0, skipped: 0, total: entries.length, audioSeconds: 0 };
    await extractTokens(model, entries, counts, outputs, { numWorkers: 1, groupFrames: 16_000 * 60, gatherMs: 0, allowPipes: false, codebooks });
    outputs.part.close();
    outputs.errors.close();
    assert.equal(counts.done, entries.length);
    const lines = new Map(readJsonLines<{ key: string; code: number[][] }>(part).map((l) => [l.key, l.code]));
    for (const entry of entries) {
      const [expected] = await model.encode([await loadAudio(entry.path)], { codebooks: codebooks ?? 3 });
      assert.deepEqual(lines.get(entry.key), codesJson(expected!, model), entry.key);
      assert.equal(lines.get(entry.key)!.length, codebooks ?? 3);
    }
  }
});

test("serve's service answers a samples-only, multi-row model with its rows", async (t) => {
  const model = new HopEnergyModel();
  const service = new TokenizerService(model, { featureWorkers: 1, maxWaitMs: 0 });
  t.after(() => service.close());
  const bytes = wavBytes({ rate: 16_000, channels: [sine16(12_345, 16_000, 300)] });
  const result = await service.tokenizeBytes(new Uint8Array(bytes));
  const [expected] = await model.encode([await loadAudio(writeTemp(t, bytes))]);
  assert.deepEqual(
    { codes: Array.from(result.codes), codebooks: result.codebooks, frames: result.frames },
    { codes: Array.from(expected!.data), codebooks: 3, frames: Math.ceil(12_345 / 320) },
  );
});

function writeTemp(t: test.TestContext, bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), "family-serve-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "a.wav");
  writeFileSync(path, bytes);
  return path;
}

test("--n_q past the model's rows is a usage error before any output; --n_q 1 on S3 writes today's flat lines", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "family-nq-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files = await FAMILIES.find((f) => f.name === "s3")!.writeRandomModel(dir, { seed: 5, size: "tiny" });
  const model = Object.values(files)[0]!;
  const entries = writeWavs(dir, [0.7, 1.1]);
  const scp = join(dir, "wav.scp");
  writeFileSync(scp, entries.map((e) => `${e.key} ${e.path}\n`).join(""));
  const common = ["--wav_scp", scp, "--model", model, "--num_workers", "1", "--streams", "1", "--cache_dir", join(dir, "cache")];

  const refused = await runCli([...common, "--output_dir", join(dir, "out2"), "--n_q", "2"]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /--n_q 2: .* \(s3\) makes 1 code row/);
  assert.equal(existsSync(join(dir, "out2")), false, "nothing written");

  const one = await runCli([...common, "--output_dir", join(dir, "out1"), "--n_q", "1"]);
  assert.equal(one.code, 0, one.stderr);
  const lines = readJsonLines<{ key: string; code: unknown }>(join(dir, "out1", "part_1_of_1"));
  assert.equal(lines.length, entries.length);
  for (const line of lines) assert.ok(Array.isArray(line.code) && line.code.every((c) => typeof c === "number"), "flat list of tokens");
});
