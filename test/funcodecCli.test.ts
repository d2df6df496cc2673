/**
 * FunCodec through the command line: extraction at --bit_width 2000 gives upstream's codes and
 * scales, `--format funcodec` writes upstream's codecs.txt lines (and resumes), `decode` reads
 * both kinds of line (and upstream's own codecs.txt) back to upstream's reconstructions, and
 * flags a family does not take are usage errors before any output.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readJsonLines, runCli } from "./support/cli.js";
import { inputClip, maxAbsDiff, readWav, referenceRows, writeFloatWavs } from "./support/codecCli.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { readNpyF32 } from "./support/npy.js";

const fixtures = familyFixturesDir("funcodec");
const speechTokenizer = familyFixturesDir("speechtokenizer");
const CLIPS = ["aishell_0121", "aishell_0122", "en_16k", "clip_0p5s", "short_0p3s", "tiny_500", "silence_0p5s"] as const;
const EXIT_USAGE = 2;
const TOLERANCE = 1e-4;

interface Manifest {
  clips: Record<string, { L: number; scale: number }>;
}

describe("FunCodec on the command line", { skip: fixtures === null ? "../shared/fixtures/funcodec not found" : false }, () => {
  let dir: string;
  let scp: string;
  let manifest: Manifest;
  const ref = (clip: string, what: string) => join(fixtures!, "ref", `${clip}.bw2000.${what}.npy`);
  const extract = (out: string, ...extra: string[]) => runCli(["--wav_scp", scp, "--model", fixtures!, "--output_dir", out, "--num_workers", "1", ...extra]);
  const decode = (codes: string, out: string, ...extra: string[]) =>
    runCli(["decode", "--codes", codes, "--model", fixtures!, "--output_dir", out, "--sample_format", "f32", ...extra]);

  /** Each clip's decoded WAV against a reference waveform ((1, 1, N) float32), over the reference's length. */
  async function assertDecoded(out: string, what: "recon_scaled" | "recon_decode"): Promise<void> {
    for (const clip of CLIPS) {
      const expected = readNpyF32(ref(clip, what)).data;
      const audio = await readWav(join(out, `${clip}.wav`));
      // Decoding codes gives 640 · T samples; the scaled reference is trimmed to the input's length.
      assert.ok(audio.length >= expected.length, `${clip}: ${audio.length} samples, reference ${expected.length}`);
      const diff = maxAbsDiff(audio.subarray(0, expected.length), expected);
      assert.ok(diff <= TOLERANCE, `${clip} against ${what}: max abs diff ${diff}`);
    }
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "funcodec-cli-"));
    manifest = JSON.parse(readFileSync(join(fixtures!, "manifest.json"), "utf8")) as Manifest;
    scp = writeFloatWavs(dir, new Map(CLIPS.map((clip) => [clip, inputClip(fixtures!, clip)])));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("--bit_width 2000 writes upstream's codes and scales; decode gives the scaled and (--no_scale) normalised audio", async () => {
    const out = join(dir, "jsonl");
    const result = await extract(out, "--bit_width", "2000");
    assert.equal(result.code, 0, result.stderr);
    const lines = new Map(readJsonLines<{ key: string; code: number[][]; scale: number }>(join(out, "part_1_of_1")).map((l) => [l.key, l]));
    assert.equal(lines.size, CLIPS.length);
    for (const clip of CLIPS) {
      const line = lines.get(clip)!;
      assert.deepEqual(line.code, referenceRows(ref(clip, "codes")), clip);
      const scale = manifest.clips[clip]!.scale;
      assert.ok(Math.abs(line.scale - scale) <= 1e-6 * scale, `${clip}: scale ${line.scale}, upstream ${scale}`);
    }
    const provenance = JSON.parse(readFileSync(join(out, "provenance_1_of_1.json"), "utf8")) as { bitWidth?: number; codebooks: number };
    assert.equal(provenance.bitWidth, 2000);
    assert.equal(provenance.codebooks, 8);

    const scaled = join(dir, "jsonl-wav");
    const decoded = await decode(join(out, "part_1_of_1"), scaled);
    assert.equal(decoded.code, 0, decoded.stderr);
    await assertDecoded(scaled, "recon_scaled");
    const normalised = join(dir, "jsonl-wav-no-scale");
    const unscaled = await decode(join(out, "part_1_of_1"), normalised, "--no_scale");
    assert.equal(unscaled.code, 0, unscaled.stderr);
    await assertDecoded(normalised, "recon_decode");
  });

  test("--format funcodec writes upstream's codecs.txt lines, resumes, and decodes to upstream's decode", async () => {
    const out = join(dir, "codecs");
    const first = await extract(out, "--bit_width", "2000", "--format", "funcodec");
    assert.equal(first.code, 0, first.stderr);
    const part = join(out, "part_1_of_1");
    const written = readFileSync(part, "utf8");
    const upstream = readFileSync(join(fixtures!, "cli_encode_bw2000", "codecs.txt"), "utf8");
    const lines = (text: string) => text.split("\n").filter((l) => l !== "").sort();
    // Upstream's lines, byte for byte (the order follows the batches, so compared as a set).
    assert.deepEqual(lines(written), lines(upstream));

    const again = await extract(out, "--bit_width", "2000", "--format", "funcodec");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`${CLIPS.length} already done`));
    assert.equal(readFileSync(part, "utf8"), written);

    // Another format into the same part would mix two kinds of line: refused.
    const mixed = await extract(out, "--bit_width", "2000");
    assert.equal(mixed.code, EXIT_USAGE, mixed.stderr);
    assert.equal(readFileSync(part, "utf8"), written);

    const wavs = join(dir, "codecs-wav");
    const decoded = await decode(part, wavs);
    assert.equal(decoded.code, 0, decoded.stderr);
    await assertDecoded(wavs, "recon_decode");
  });

  test("decode reads upstream's own codecs.txt; --rescale brings each waveform to a 0.99 peak", async () => {
    const codecs = join(fixtures!, "cli_encode_bw2000", "codecs.txt");
    const plain = join(dir, "upstream-wav");
    const result = await decode(codecs, plain);
    assert.equal(result.code, 0, result.stderr);
    await assertDecoded(plain, "recon_decode");

    const rescaled = join(dir, "upstream-wav-rescaled");
    const again = await decode(codecs, rescaled, "--rescale");
    assert.equal(again.code, 0, again.stderr);
    for (const clip of CLIPS) {
      const expected = readNpyF32(ref(clip, "recon_decode")).data;
      const peak = expected.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
      const factor = Math.min(0.99 / peak, 1);
      const audio = await readWav(join(rescaled, `${clip}.wav`));
      assert.ok(maxAbsDiff(audio, expected.map((v) => v * factor)) <= TOLERANCE, clip);
    }
  });

  test("upstream's codecs.txt decoded to 16-bit WAVs: each clipped key is warned with its count of clipped samples", async () => {
    const codecs = join(fixtures!, "cli_encode_bw2000", "codecs.txt");
    const float = join(dir, "clip-f32");
    const exact = await decode(codecs, float);
    assert.equal(exact.code, 0, exact.stderr);
    assert.doesNotMatch(exact.stderr, /clip/, "a float WAV holds every sample");
    const pcm = join(dir, "clip-s16");
    const result = await runCli(["decode", "--codes", codecs, "--model", fixtures!, "--output_dir", pcm]);
    assert.equal(result.code, 0, result.stderr);
    const lineOf = new Map(readFileSync(codecs, "utf8").split("\n").map((line, i) => [line.split(" ")[0]!, i + 1]));
    let clippedKeys = 0;
    for (const clip of CLIPS) {
      // Upstream's normalised-level reconstruction goes past full scale: the reason for the warning.
      const samples = await readWav(join(float, `${clip}.wav`));
      // 16-bit PCM holds -32768..32767 of x · 32767 rounded.
      const clipped = samples.filter((x) => Math.round(x * 32767) > 32767 || Math.round(x * 32767) < -32768).length;
      const warning = new RegExp(`warning: ${clip} \\(${codecs.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${lineOf.get(clip)}\\): (\\d+) of ${samples.length} samples .*clip.*--rescale.*--sample_format f32`);
      const match = warning.exec(result.stderr);
      if (clipped === 0) {
        assert.equal(match, null, `${clip} does not clip`);
        continue;
      }
      clippedKeys++;
      assert.ok(match, `${clip}: ${clipped} samples clip, no warning in ${result.stderr}`);
      assert.equal(Number(match[1]), clipped, clip);
    }
    const peaks = CLIPS.map((clip) => readNpyF32(ref(clip, "recon_decode")).data.reduce((max, v) => Math.max(max, Math.abs(v)), 0));
    assert.ok(peaks.some((peak) => peak > 1.01), "the fixture has a clip past full scale");
    assert.ok(clippedKeys > 0);
    assert.match(result.stderr, new RegExp(`${clippedKeys} clipped in 16-bit`));
    const help = await runCli(["decode", "--help"]);
    assert.match(help.stdout, /codecs\.txt.*\n?.*--rescale or --sample_format f32/s);
  });

  test("flags a model does not take are usage errors before any output", async () => {
    const cases: { args: () => string[]; flag: RegExp }[] = [
      { args: () => ["--wav_scp", scp, "--model", fixtures!, "--bit_width", "2000", "--n_q", "8"], flag: /--bit_width and --n_q/ },
      { args: () => ["--wav_scp", scp, "--model", fixtures!, "--format", "kaldi"], flag: /--format/ },
      { args: () => ["--wav_scp", scp, "--model", fixtures!, "--layer", "2"], flag: /--layer/ },
    ];
    if (speechTokenizer !== null) {
      const model = join(speechTokenizer, "hubert_avg_tiny");
      cases.push({ args: () => ["--wav_scp", scp, "--model", model, "--bit_width", "2000"], flag: /--bit_width: .* speechtokenizer model/ });
      cases.push({ args: () => ["--wav_scp", scp, "--model", model, "--format", "funcodec"], flag: /--format funcodec: .* speechtokenizer model/ });
      cases.push({ args: () => ["decode", "--codes", scp, "--model", model, "--no_scale"], flag: /--no_scale: .* speechtokenizer model/ });
    }
    for (const [i, { args, flag }] of cases.entries()) {
      const out = join(dir, `refused-${i}`);
      const result = await runCli([...args(), "--output_dir", out]);
      assert.equal(result.code, EXIT_USAGE, `${args().join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, flag);
      assert.equal(existsSync(out), false, `${args().join(" ")} wrote ${out}`);
    }
  });
});
