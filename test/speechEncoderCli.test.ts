/**
 * RepCodec over HuBERT and k-means units through the command line and the service, against the
 * fixtures (../shared/fixtures/repcodec/hubert: RepCodec's dump_feature.py dump and its `repcodec`
 * CLI's tokens; test/fixtures/kmeans: dump_km_label.py's units): `features` writes the dump's
 * .len byte for byte, its .npy header byte for byte and features within 1e-4; a failed utterance is
 * recorded and skipped with --wav_scp, and stops a --tsv_path dump with nothing written;
 * `--model PKL --feature_model PT` and a folder holding both give every upstream token;
 * `--model km.bin --feature_model PT --layer 2 [--dedup]` gives every upstream unit and records
 * dedup in provenance; the service answers the units of a k-means folder.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readJsonLines, runCli } from "./support/cli.js";
import { inputClip, writeFloatWavs } from "./support/codecCli.js";
import { readNpy } from "./support/npy.js";
import { repcodecFixturesDir, repcodecSkipReason } from "./support/repcodecFixtures.js";
import { post, startInProcess } from "./support/serveClient.js";

const fixtures = repcodecFixturesDir();
const CLIPS = ["aishell_0121", "aishell_0122", "short_0p3s", "clip_0p5s"];
const kmeansDir = join(import.meta.dirname, "..", "..", "test", "fixtures", "kmeans");
const units = JSON.parse(readFileSync(join(kmeansDir, "units.json"), "utf8")) as { units: number[][] };
const EXIT_SOME_FAILED = 3;

describe("HuBERT features, RepCodec and k-means units from the command line", { skip: fixtures === null ? repcodecSkipReason : false }, () => {
  let dir: string;
  let scp: string;
  const hubert = () => join(fixtures!, "hubert");
  const encoder = () => join(hubert(), "base", "hubert_base_tiny.pt");
  const repcodec = () => join(hubert(), "base", "repcodec_hubert_base_tiny.pkl");

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "speech-encoder-cli-"));
    scp = writeFloatWavs(dir, new Map(CLIPS.map((clip) => [clip, inputClip(hubert(), clip)])));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("features --tsv_path: dump_feature.py's .len and .npy header byte for byte, features within 1e-4", async () => {
    const tsv = join(dir, "dev.tsv");
    writeFileSync(tsv, `${dir}\n${CLIPS.map((clip) => `${clip}.wav\t${inputClip(hubert(), clip).length}\n`).join("")}`);
    const out = join(dir, "dump");
    const run = await runCli(["features", "--tsv_path", tsv, "--feature_model", encoder(), "--layer", "2", "--out_dir", out]);
    assert.equal(run.code, 0, run.stderr);
    const expected = join(hubert(), "base", "features");
    assert.ok(readFileSync(join(out, "0_1.len")).equals(readFileSync(join(expected, "0_1.len"))));
    const ours = readFileSync(join(out, "0_1.npy"));
    const theirs = readFileSync(join(expected, "0_1.npy"));
    assert.equal(ours.length, theirs.length);
    assert.ok(ours.subarray(0, 128).equals(theirs.subarray(0, 128)), "the .npy header");
    const a = readNpy(join(out, "0_1.npy")).data as Float32Array;
    const b = readNpy(join(expected, "0_1.npy")).data as Float32Array;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    assert.ok(worst < 1e-4, `max abs difference ${worst}`);

    // Shard 1 of 2 gets get_shard_range's utterances 2 and 3.
    const shard = await runCli(["features", "--tsv_path", tsv, "--feature_model", encoder(), "--layer", "2", "--out_dir", out, "--rank", "1", "--nshard", "2"]);
    assert.equal(shard.code, 0, shard.stderr);
    assert.equal(readFileSync(join(out, "1_2.len"), "utf8"), "14\n24\n");
  });

  test("features --wav_scp: a failed utterance is recorded and left out; --tsv_path: nothing is written", async () => {
    const withBad = join(dir, "bad.scp");
    writeFileSync(withBad, `${readFileSync(scp, "utf8")}missing ${join(dir, "absent.wav")}\n`);
    const out = join(dir, "dump-scp");
    const run = await runCli(["features", "--wav_scp", withBad, "--feature_model", encoder(), "--layer", "2", "--out_dir", out]);
    assert.equal(run.code, EXIT_SOME_FAILED, run.stderr);
    assert.equal(readFileSync(join(out, "0_1.len"), "utf8"), "209\n205\n14\n24\n");
    const [failure] = readFileSync(join(out, "0_1.errors"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as { key: string; error: string });
    assert.equal(failure!.key, "missing");
    assert.match(failure!.error, /absent\.wav/);
    const listed = readFileSync(join(out, "0_1.tsv"), "utf8").trim().split("\n");
    assert.equal(listed[0], "/");
    assert.deepEqual(listed.slice(1).map((line) => line.replace(/^.*\//, "")), CLIPS.map((clip) => `${clip}.wav`));

    const tsv = join(dir, "bad.tsv");
    writeFileSync(tsv, `${dir}\n${CLIPS[0]}.wav\t1\nabsent.wav\t1\n`);
    const refused = join(dir, "dump-tsv");
    const stopped = await runCli(["features", "--tsv_path", tsv, "--feature_model", encoder(), "--layer", "2", "--out_dir", refused]);
    assert.notEqual(stopped.code, 0);
    assert.match(stopped.stderr, /absent\.wav[\s\S]*cannot leave an utterance out: nothing was written/);
    assert.equal(existsSync(join(refused, "0_1.npy")), false);
    assert.equal(existsSync(join(refused, "0_1.len")), false);
  });

  test("RepCodec: --feature_model HuBERT and a folder holding both give the upstream CLI's tokens", async () => {
    const expected = new Map(readFileSync(join(hubert(), "base", "tokens_bs1", "tokens"), "utf8").trim().split("\n").slice(1).map((line) => {
      const [name, tokens] = line.split("\t") as [string, string];
      return [name.replace(/\.wav$/, ""), tokens.split(" ").map(Number)];
    }));
    const folder = join(dir, "repcodec-folder");
    mkdirSync(folder);
    copyFileSync(repcodec(), join(folder, "model.pkl"));
    copyFileSync(encoder(), join(folder, "hubert.pt"));
    for (const [name, model] of [["files", ["--model", repcodec(), "--feature_model", encoder()]], ["folder", ["--model", folder]]] as const) {
      const out = join(dir, `repcodec-${name}`);
      const run = await runCli(["--wav_scp", scp, ...model, "--layer", "2", "--output_dir", out, "--num_workers", "1"]);
      assert.equal(run.code, 0, run.stderr);
      for (const line of readJsonLines<{ key: string; code: number[] }>(join(out, "part_1_of_1"))) assert.deepEqual(line.code, expected.get(line.key), `${name}: ${line.key}`);
      const provenance = JSON.parse(readFileSync(join(out, "provenance_1_of_1.json"), "utf8")) as { family: string; layer: number };
      assert.deepEqual([provenance.family, provenance.layer], ["repcodec", 2]);
    }
    const noLayer = await runCli(["--wav_scp", scp, "--model", folder, "--output_dir", join(dir, "repcodec-nolayer"), "--num_workers", "1"]);
    assert.notEqual(noLayer.code, 0);
    assert.match(noLayer.stderr, /needs --layer/);
  });

  test("k-means: --model km.bin --feature_model PT --layer 2 gives dump_km_label.py's units; --dedup merges runs and is recorded", async () => {
    for (const dedup of [false, true]) {
      const out = join(dir, `kmeans-${dedup}`);
      const run = await runCli(["--wav_scp", scp, "--model", join(kmeansDir, "km.bin"), "--feature_model", encoder(), "--layer", "2", ...(dedup ? ["--dedup"] : []), "--output_dir", out, "--num_workers", "1"]);
      assert.equal(run.code, 0, run.stderr);
      const lines = new Map(readJsonLines<{ key: string; code: number[] }>(join(out, "part_1_of_1")).map((l) => [l.key, l.code]));
      CLIPS.forEach((clip, i) => {
        const expected = dedup ? units.units[i]!.filter((u, t, all) => t === 0 || all[t - 1] !== u) : units.units[i];
        assert.deepEqual(lines.get(clip), expected, `${clip}${dedup ? " (dedup)" : ""}`);
      });
      const provenance = JSON.parse(readFileSync(join(out, "provenance_1_of_1.json"), "utf8")) as { family: string; layer: number; dedup: boolean };
      assert.deepEqual([provenance.family, provenance.layer, provenance.dedup], ["kmeans", 2, dedup]);
    }
  });

  test("k-means in the service: a folder holding km.bin and the HuBERT .pt, --layer 2", async (t) => {
    const folder = join(dir, "kmeans-folder");
    mkdirSync(folder);
    copyFileSync(join(kmeansDir, "km.bin"), join(folder, "km.bin"));
    copyFileSync(encoder(), join(folder, "hubert.pt"));
    const server = await startInProcess(folder, ["--layer", "2", "--feature_workers", "1", "--max_wait_ms", "0"]);
    t.after(() => server.shutdown());
    const answer = await post(`${server.url}/v1/tokenize`, readFileSync(join(dir, `${CLIPS[1]}.wav`)));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.code, units.units[1]);
  });
});
