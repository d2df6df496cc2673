/**
 * The benchmark's (u) side: upstream SpeechTokenizer driven through bench/upstream/speechtokenizer_run.py
 * in --serve mode reproduces the fixtures' reference codes (computed by upstream itself), so what
 * the benchmark times is upstream's real encode. Needs a Python with torch (S3TOKENIZER_PYTHON,
 * default /usr/bin/python3) and an upstream checkout (S3TOKENIZER_UPSTREAM_SPEECHTOKENIZER:
 * ZhangXInFD/SpeechTokenizer at 30c96fb); skipped without them.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { UpstreamSpeechTokenizer } from "../bench/upstreamProcess.js";
import { fixturesDir } from "./support/fixtures.js";
import { readNpy } from "./support/npy.js";

const PYTHON = process.env["S3TOKENIZER_PYTHON"] ?? "/usr/bin/python3";
const UPSTREAM = process.env["S3TOKENIZER_UPSTREAM_SPEECHTOKENIZER"];
const s3Fixtures = fixturesDir();
const FIXTURES = s3Fixtures === null ? null : resolve(s3Fixtures, "..", "speechtokenizer");

function skipReason(): string | false {
  if (FIXTURES === null || !existsSync(FIXTURES)) return "../shared/fixtures/speechtokenizer not found";
  if (!UPSTREAM || !existsSync(join(UPSTREAM, "speechtokenizer", "model.py"))) return "S3TOKENIZER_UPSTREAM_SPEECHTOKENIZER is not an upstream checkout";
  const probe = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return `${PYTHON} cannot import torch`;
  return false;
}

describe("upstream SpeechTokenizer runner", { skip: skipReason() }, () => {
  const model = join(FIXTURES ?? "", "hubert_avg_tiny");
  const clips = () => readdirSync(join(FIXTURES!, "inputs")).filter((f) => f.endsWith(".npy")).sort();
  const options = (checkpointPath: string) => ({
    python: PYTHON, upstreamDir: UPSTREAM!, configPath: join(model, "config.json"), checkpointPath,
    files: clips().map((f) => join(FIXTURES!, "inputs", f)), threads: 1,
  });

  test("its encode gives the reference codes of every clip; decode and encode passes report their seconds", async () => {
    const { runner, ready } = await UpstreamSpeechTokenizer.open(options(join(model, "SpeechTokenizer.pt")), true);
    try {
      assert.equal(ready.threads, 1);
      assert.ok(ready.matmul_gflops > 0);
      const codes = (await runner.encode()).codes;
      assert.ok(codes, "the first encode carries the codes");
      for (const clip of clips()) {
        const key = clip.replace(/\.npy$/, "");
        const reference = readNpy(join(model, "ref", `${key}.codes.npy`)); // (n_q, 1, T) int64
        const [codebooks, , frames] = reference.shape;
        const rows: number[][] = codes[key]!;
        assert.deepEqual([rows.length, rows[0]!.length], [codebooks, frames], key);
        assert.deepEqual(rows.flat(), Array.from(reference.data as BigInt64Array, Number), key);
      }
      const decoded = await runner.decode();
      assert.ok(decoded.decode_s! > 0 && decoded.encode_s === null);
      const again = await runner.encode();
      assert.ok(again.encode_s! > 0 && again.codes === undefined, "codes come with the first encode only");
      assert.ok(again.peak_rss_mb >= ready.rss_mb! * 0.5);
    } finally {
      await runner.dispose();
    }
  });

  test("a missing checkpoint fails the start with the runner's reason", async () => {
    const missing = join(model, "no-such-checkpoint.pt");
    await assert.rejects(UpstreamSpeechTokenizer.open(options(missing), false), (error: unknown) =>
      error instanceof Error && /upstream runner/.test(error.message) && error.message.includes("no-such-checkpoint.pt"));
  });
});
