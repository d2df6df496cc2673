/**
 * The batch extraction command end to end on the fixtures: reference tokens, distributed ranks,
 * a run killed with SIGKILL and resumed, bad inputs, duplicate keys.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { compareTokens, summarize } from "../src/s3Verify/missRate.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { MODEL_NAMES, modelPath, referenceTokens } from "./support/conformance.js";
import { readJsonLines, runCli, startCli } from "./support/cli.js";

const fixtures = fixturesDir();
type PartLine = { key: string; code: number[] };
type ErrorLine = { key: string; path: string; error: string };

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "s3tok-extract-"));
}

function fixtureScp(): string {
  return join(fixtures!, "audio", "wav.scp");
}

describe("s3tokenizer extraction", { skip: fixtures === null ? skipReason : false }, () => {
  for (const name of MODEL_NAMES) {
    test(`${name}: tokens of the fixture list equal the reference`, async (t) => {
      const out = scratch();
      const result = await runCli(["--wav_scp", fixtureScp(), "--model", modelPath(fixtures!, name), "--output_dir", out]);
      assert.equal(result.code, 0, result.stderr);
      const reference = referenceTokens(fixtures!, name).single;
      const lines = readJsonLines<PartLine>(join(out, "part_1_of_1"));
      assert.deepEqual(lines.map((l) => l.key).sort(), Object.keys(reference).sort());
      const comparisons = lines.filter((l) => l.key !== "en_mp3").map((l) => {
        const c = compareTokens(reference[l.key]!, l.code);
        assert.equal(c.candidateLength, c.referenceLength, `length of ${l.key}`);
        return c;
      });
      const total = summarize(comparisons);
      t.diagnostic(`${name}: miss rate ${(100 * total.missRate).toFixed(4)}% over ${total.compared} tokens`);
      assert.ok(total.missRate <= 0.001);
    });
  }

  test("three ranks from RANK/WORLD_SIZE write every key exactly once, as one process does", async () => {
    const model = modelPath(fixtures!, "speech_tokenizer_v1_25hz");
    const single = scratch();
    const shared = scratch();
    const one = await runCli(["--wav_scp", fixtureScp(), "--model", model, "--output_dir", single, "--num_workers", "1"]);
    const ranks = await Promise.all([0, 1, 2].map((rank) =>
      runCli(["--wav_scp", fixtureScp(), "--model", model, "--output_dir", shared, "--num_workers", "1"], { RANK: String(rank), WORLD_SIZE: "3" })));
    for (const r of [one, ...ranks]) assert.ok(r.code === 0 || r.code === 3, r.stderr);
    const union = [1, 2, 3].flatMap((r) => readJsonLines<PartLine>(join(shared, `part_${r}_of_3`)));
    const expected = readJsonLines<PartLine>(join(single, "part_1_of_1"));
    assert.equal(union.length, new Set(union.map((l) => l.key)).size, "no key twice");
    assert.deepEqual(
      Object.fromEntries(union.map((l) => [l.key, l.code])),
      Object.fromEntries(expected.map((l) => [l.key, l.code])),
    );
    assert.ok(union.length >= 13);
  });

  test("a run killed with SIGKILL and rerun holds every key once with the right tokens", async () => {
    const dir = scratch();
    const model = modelPath(fixtures!, "speech_tokenizer_v1_25hz");
    // 60 short utterances, one per batch, so the part file grows while the process runs.
    const source = join(fixtures!, "audio", "aishell_0121.wav");
    const lines = Array.from({ length: 60 }, (_, i) => `utt${String(i).padStart(3, "0")} ${source}`);
    const scp = join(dir, "wav.scp");
    writeFileSync(scp, lines.join("\n") + "\n");
    const out = join(dir, "out");
    const args = ["--wav_scp", scp, "--model", model, "--output_dir", out, "--batch_size", "1", "--max_frames", "500", "--num_workers", "1"];
    const run = startCli(args);
    const part = join(out, "part_1_of_1");
    await new Promise<void>((resolvePromise, reject) => {
      const timer = setInterval(() => {
        const count = existsSync(part) ? readFileSync(part, "utf8").split("\n").length - 1 : 0;
        if (count >= 5) {
          clearInterval(timer);
          run.child.kill("SIGKILL");
          resolvePromise();
        }
      }, 5);
      run.done.then(() => { clearInterval(timer); reject(new Error("the run finished before it could be killed")); }, reject);
    });
    await run.done.catch(() => undefined);
    const before = readFileSync(part, "utf8").split("\n").length - 1;
    assert.ok(before < 60, `killed partway (${before} lines)`);
    // A crash mid-write leaves half a line; the rerun must drop it and redo that key.
    writeFileSync(part, readFileSync(part, "utf8") + '{"key":"utt059","code":[1,');
    const rerun = await runCli(args);
    assert.equal(rerun.code, 0, rerun.stderr);
    const final = readJsonLines<PartLine>(part);
    assert.deepEqual(final.map((l) => l.key).sort(), lines.map((l) => l.split(" ")[0]).sort());
    const reference = referenceTokens(fixtures!, "speech_tokenizer_v1_25hz").single["aishell_0121_wav"]!;
    for (const line of final) assert.deepEqual(line.code, reference, line.key);
  });

  test("bad entries are recorded with a reason, good ones written, exit code 3", async () => {
    const dir = scratch();
    const good = join(fixtures!, "audio", "aishell_0122.wav");
    mkdirSync(join(dir, "audio"));
    copyFileSync(good, join(dir, "audio", "good.wav"));
    writeFileSync(join(dir, "audio", "truncated.wav"), readFileSync(good).subarray(0, 30));
    writeFileSync(join(dir, "audio", "text.wav"), "not audio at all\n");
    writeFileSync(join(dir, "audio", "empty.wav"), "");
    const scp = join(dir, "wav.scp");
    writeFileSync(scp, [
      "good1 audio/good.wav",
      "missing audio/nope.wav",
      "truncated audio/truncated.wav",
      "text audio/text.wav",
      "empty audio/empty.wav",
      `piped cat ${good} |`,
      `good2 ${good}`,
    ].join("\n"));
    const out = join(dir, "out");
    const result = await runCli(["--wav_scp", scp, "--model", modelPath(fixtures!, "speech_tokenizer_v2_25hz"), "--output_dir", out]);
    assert.equal(result.code, 3, result.stderr);
    assert.deepEqual(readJsonLines<PartLine>(join(out, "part_1_of_1")).map((l) => l.key).sort(), ["good1", "good2"]);
    const errors = readJsonLines<ErrorLine>(join(out, "errors_1_of_1"));
    assert.deepEqual(errors.map((e) => e.key).sort(), ["empty", "missing", "piped", "text", "truncated"]);
    for (const e of errors) assert.ok(e.error.length > 10, `a reason for ${e.key}`);
    assert.match(errors.find((e) => e.key === "piped")!.error, /allow_pipes/);
    assert.match(result.stderr, /2 done, 5 failed/);

    // With --allow_pipes the pipe entry is read through the shell.
    const piped = await runCli(["--wav_scp", scp, "--model", modelPath(fixtures!, "speech_tokenizer_v2_25hz"), "--output_dir", out, "--allow_pipes"]);
    assert.equal(piped.code, 3);
    assert.ok(readJsonLines<PartLine>(join(out, "part_1_of_1")).some((l) => l.key === "piped"));
  });

  test("duplicate keys: exit code 2 before any output", async () => {
    const dir = scratch();
    const scp = join(dir, "wav.scp");
    const wav = join(fixtures!, "audio", "aishell_0121.wav");
    writeFileSync(scp, `a ${wav}\nb ${wav}\na ${wav}\n`);
    const out = join(dir, "out");
    const result = await runCli(["--wav_scp", scp, "--model", modelPath(fixtures!, "speech_tokenizer_v2_25hz"), "--output_dir", out]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /duplicate keys: a/);
    assert.equal(existsSync(out), false);
  });

  test("a missing model is exit code 2 before any output", async () => {
    const dir = scratch();
    const out = join(dir, "out");
    const result = await runCli(["--wav_scp", fixtureScp(), "--model", join(dir, "nope.onnx"), "--output_dir", out]);
    assert.equal(result.code, 2);
    assert.equal(existsSync(out), false);
  });
});
