/**
 * The benchmark's (u) side: each upstream runner under bench/upstream, driven in --serve mode as
 * the benchmark drives it, reproduces its family's fixture references (computed by upstream
 * itself), so what the benchmark times is upstream's real encode. Needs a Python with torch
 * (S3TOKENIZER_PYTHON, default /usr/bin/python3) and the checkouts, each suite skipped without
 * its own: S3TOKENIZER_UPSTREAM_SPEECHTOKENIZER (ZhangXInFD/SpeechTokenizer at 30c96fb),
 * S3TOKENIZER_UPSTREAM_FUNCODEC (alibaba-damo-academy/FunCodec at 3435d87),
 * S3TOKENIZER_UPSTREAM_REPCODEC and S3TOKENIZER_UPSTREAM_WHISPER (mct10/RepCodec at 8a55967,
 * openai/whisper at c0d2f62).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { UpstreamRunner, type RunnerCommand } from "../bench/upstreamProcess.js";
import { fixturesDir } from "./support/fixtures.js";
import { readNpy } from "./support/npy.js";

const PYTHON = process.env["S3TOKENIZER_PYTHON"] ?? "/usr/bin/python3";
const s3Fixtures = fixturesDir();
const familyFixtures = (name: string) => (s3Fixtures === null ? null : resolve(s3Fixtures, "..", name));

/** Why a suite cannot run: missing fixtures, checkout (env var → file it must hold) or torch. */
function skipReason(fixtures: string | null, checkouts: Record<string, string>): string | false {
  if (fixtures === null || !existsSync(fixtures)) return `${fixtures ?? "the fixtures"} not found`;
  for (const [variable, file] of Object.entries(checkouts)) {
    const dir = process.env[variable];
    if (!dir || !existsSync(join(dir, file))) return `${variable} is not an upstream checkout`;
  }
  const probe = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return `${PYTHON} cannot import torch`;
  return false;
}

const clips = (inputs: string) => readdirSync(inputs).filter((f) => f.endsWith(".npy")).sort();
const open = (command: RunnerCommand, inputs: string, emitCodes: boolean) =>
  UpstreamRunner.open({ python: PYTHON, ...command, files: clips(inputs).map((f) => join(inputs, f)), threads: 1 }, emitCodes);

/** The first encode's codes of every clip equal `reference(key)` (int64, rows × frames in order). */
async function assertFirstEncode(runner: UpstreamRunner, inputs: string, reference: (key: string) => { rows: number; data: BigInt64Array }) {
  const codes = (await runner.encode()).codes;
  assert.ok(codes, "the first encode carries the codes");
  for (const clip of clips(inputs)) {
    const key = clip.replace(/\.npy$/, "");
    const expected = reference(key);
    const rows: number[][] = codes[key]!;
    assert.equal(rows.length, expected.rows, key);
    assert.deepEqual(rows.flat(), Array.from(expected.data, Number), key);
  }
}

const SPEECHTOKENIZER = familyFixtures("speechtokenizer");
describe("upstream SpeechTokenizer runner", { skip: skipReason(SPEECHTOKENIZER, { S3TOKENIZER_UPSTREAM_SPEECHTOKENIZER: join("speechtokenizer", "model.py") }) }, () => {
  const model = join(SPEECHTOKENIZER ?? "", "hubert_avg_tiny");
  const inputs = join(SPEECHTOKENIZER ?? "", "inputs");
  const command = (checkpoint: string): RunnerCommand => ({
    script: "speechtokenizer_run.py",
    args: ["--upstream", process.env["S3TOKENIZER_UPSTREAM_SPEECHTOKENIZER"]!, "--config", join(model, "config.json"), "--ckpt", checkpoint],
  });

  test("its encode gives the reference codes of every clip; decode and encode passes report their seconds", async () => {
    const { runner, ready } = await open(command(join(model, "SpeechTokenizer.pt")), inputs, true);
    try {
      assert.equal(ready.threads, 1);
      assert.ok(ready.matmul_gflops > 0);
      await assertFirstEncode(runner, inputs, (key) => {
        const reference = readNpy(join(model, "ref", `${key}.codes.npy`)); // (n_q, 1, T) int64
        return { rows: reference.shape[0]!, data: reference.data as BigInt64Array };
      });
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
    await assert.rejects(open(command(join(model, "no-such-checkpoint.pt")), inputs, false), (error: unknown) =>
      error instanceof Error && /upstream runner/.test(error.message) && error.message.includes("no-such-checkpoint.pt"));
  });
});

const FUNCODEC = familyFixtures("funcodec");
describe("upstream FunCodec runner", { skip: skipReason(FUNCODEC, { S3TOKENIZER_UPSTREAM_FUNCODEC: join("funcodec", "bin", "codec_inference.py") }) }, () => {
  const inputs = join(FUNCODEC ?? "", "inputs");
  const command = (checkpoint: string, bitWidth: number): RunnerCommand => ({
    script: "funcodec_run.py",
    args: ["--upstream", process.env["S3TOKENIZER_UPSTREAM_FUNCODEC"]!, "--config", join(FUNCODEC!, "config.yaml"), "--ckpt", checkpoint, "--bit-width", String(bitWidth)],
  });

  for (const bitWidth of [8000, 2000]) {
    test(`Speech2Token at bit width ${bitWidth} gives the reference codes of every clip; its decode reports seconds`, async () => {
      const { runner } = await open(command(join(FUNCODEC!, "model.pth"), bitWidth), inputs, true);
      try {
        await assertFirstEncode(runner, inputs, (key) => {
          const reference = readNpy(join(FUNCODEC!, "ref", `${key}.bw${bitWidth}.codes.npy`)); // (n_q, 1, T) int64
          return { rows: reference.shape[0]!, data: reference.data as BigInt64Array };
        });
        const decoded = await runner.decode();
        assert.ok(decoded.decode_s! > 0 && decoded.encode_s === null);
      } finally {
        await runner.dispose();
      }
    });
  }

  test("a missing model.pth fails the start naming it", async () => {
    await assert.rejects(open(command(join(FUNCODEC!, "absent.pth"), 8000), inputs, false), (error: unknown) =>
      error instanceof Error && /upstream runner/.test(error.message) && error.message.includes("absent.pth"));
  });
});

const WHISPER = familyFixtures(join("repcodec", "whisper"));
describe("upstream RepCodec-Whisper runner", {
  skip: skipReason(WHISPER, { S3TOKENIZER_UPSTREAM_REPCODEC: join("repcodec", "tokenize.py"), S3TOKENIZER_UPSTREAM_WHISPER: join("whisper", "audio.py") }),
}, () => {
  const inputs = join(WHISPER ?? "", "inputs");
  const command = (layer: number): RunnerCommand => ({
    script: "repcodec_whisper_run.py",
    args: ["--upstream-repcodec", process.env["S3TOKENIZER_UPSTREAM_REPCODEC"]!, "--upstream-whisper", process.env["S3TOKENIZER_UPSTREAM_WHISPER"]!,
      "--whisper", join(WHISPER!, "whisper_tiny_random.pt"), "--repcodec", join(WHISPER!, "repcodec_whisper_tiny.pkl"),
      "--repcodec-config", join(WHISPER!, "train_config.yaml"), "--layer", String(layer)],
  });

  test("mel, layer-3 features and tokenizer give the reference tokens of every clip; there is no decode", async () => {
    const { runner } = await open(command(3), inputs, true);
    try {
      await assertFirstEncode(runner, inputs, (key) => ({ rows: 1, data: readNpy(join(WHISPER!, "ref", `${key}.tokens.npy`)).data as BigInt64Array })); // (T,) int64
      await assert.rejects(runner.decode(), /no decoder/);
    } finally {
      await runner.dispose();
    }
  });

  test("a layer past the encoder's blocks fails the start naming the range", async () => {
    await assert.rejects(open(command(4), inputs, false), (error: unknown) => error instanceof Error && /--layer 4/.test(error.message) && /1\.\.3/.test(error.message));
  });
});
