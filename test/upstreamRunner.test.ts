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
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ModelFiles, TokenizerFamily } from "../src/family/types.js";
import { funcodecFamily } from "../src/models/funcodec/family.js";
import { repcodecFamily } from "../src/models/repcodec/family.js";
import { describe, test } from "node:test";
import { UpstreamRunner, type RunnerCommand } from "../bench/upstreamProcess.js";
import { fixturesDir } from "./support/fixtures.js";
import { readNpy } from "./support/npy.js";
import { loadLocalFiles } from "../src/family/loadLocal.js";

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

/**
 * What the benchmark's "codes = upstream" column checks, at the tiny size: the family's random model
 * (writeRandomModel), encoded by the family and by upstream's runner, gives the same codes. Random
 * weights have no tie repair, so near ties may flip a few codes: at least 99% must agree.
 */
async function assertOwnModelAgrees(family: TokenizerFamily, inputs: string, command: (files: ModelFiles, dir: string) => RunnerCommand) {
  const dir = mkdtempSync(join(tmpdir(), `upstream-${family.name}-`));
  try {
    const files = await family.writeRandomModel(dir, { seed: 11, size: "tiny" });
    const model = await loadLocalFiles(family, files, "random");
    const ours = await model.encode(clips(inputs).map((f) => readNpy(join(inputs, f)).data as Float32Array)).finally(() => model.dispose());
    const { runner } = await open(command(files, dir), inputs, true);
    try {
      const theirs = (await runner.encode()).codes!;
      let equal = 0;
      let total = 0;
      clips(inputs).forEach((clip, i) => {
        const rows = theirs[clip.replace(/\.npy$/, "")]!;
        assert.deepEqual([ours[i]!.codebooks, ours[i]!.frames], [rows.length, rows[0]!.length], clip);
        rows.flat().forEach((code, j) => (equal += Number(code === ours[i]!.data[j]), total++));
      });
      assert.ok(equal / total >= 0.99, `${equal} of ${total} codes equal upstream's`);
    } finally {
      await runner.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
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

  test("upstream builds the family's own random model (writeRandomModel), and the family's codes equal upstream's", async () => {
    await assertOwnModelAgrees(funcodecFamily, inputs, (files) => ({
      script: "funcodec_run.py",
      args: ["--upstream", process.env["S3TOKENIZER_UPSTREAM_FUNCODEC"]!, "--config", files["config.yaml"]!, "--ckpt", files["model.pth"]!, "--bit-width", "8000"],
    }));
  });

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

  test("upstream reads the family's own random model (writeRandomModel) with a flat config, and the family's tokens equal upstream's", async () => {
    await assertOwnModelAgrees(repcodecFamily, inputs, (files, dir) => {
      // The tiny size's RepCodec shapes (src/models/repcodec/randomModel.node.ts), in repcodec/configs' flat layout.
      const config = join(dir, "repcodec_tiny.yaml");
      writeFileSync(config, [
        "input_channels: 64", "output_channels: 64", "encode_channels: 32", "decode_channels: 32", "code_dim: 16", "codebook_num: 1",
        "codebook_size: 64", "bias: true", "enc_ratios: [1, 1]", "dec_ratios: [1, 1]", "enc_strides: [1, 1]", "dec_strides: [1, 1]",
        "enc_kernel_size: 3", "dec_kernel_size: 3", "enc_block_dilations: [1, 1]", "enc_block_kernel_size: 3",
        "dec_block_dilations: [1, 1]", "dec_block_kernel_size: 3", "",
      ].join("\n"));
      return {
        script: "repcodec_whisper_run.py",
        args: ["--upstream-repcodec", process.env["S3TOKENIZER_UPSTREAM_REPCODEC"]!, "--upstream-whisper", process.env["S3TOKENIZER_UPSTREAM_WHISPER"]!,
          "--whisper", files["whisper.pt"]!, "--repcodec", files["repcodec.pkl"]!, "--repcodec-config", config, "--layer", "2"],
      };
    });
  });

  test("a layer past the encoder's blocks fails the start naming the range", async () => {
    await assert.rejects(open(command(4), inputs, false), (error: unknown) => error instanceof Error && /--layer 4/.test(error.message) && /1\.\.3/.test(error.message));
  });
});
