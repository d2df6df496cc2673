/**
 * Hostile model configurations: numbers that would size loops (SpeechTokenizer's n_q, LSTM and
 * residual layers, strides; FunCodec's counts), FunCodec sample rates that are not a whole
 * number of samples per second, YAML of many anchors and aliases, and special or oversized files
 * as config.json, config.yaml, a RepCodec YAML or checkpoint. Each is a typed error naming the
 * file and what is wrong, found before anything is built; the CLI answers exit 2 without hanging.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { InvalidInputError, ModelConfigError } from "../src/errors.js";
import { load } from "../src/registry/load.js";
import { parseFunCodecConfig } from "../src/models/funcodec/config.js";
import { readConfigYaml } from "../src/models/repcodec/yamlConfig.js";
import { readRepCodecCheckpoint } from "../src/models/repcodec/load.js";
import { readConfig } from "../src/models/speechtokenizer/readConfig.js";
import { runCliWithin } from "./support/cli.js";
import { familyFixturesDir } from "./support/familyFixtures.js";

const scratch = mkdtempSync(join(tmpdir(), "config-crafted-"));
let counter = 0;
const folder = (name: string): string => {
  const path = join(scratch, `${counter++}_${name}`);
  mkdirSync(path);
  return path;
};

const speechTokenizer = familyFixturesDir("speechtokenizer");
const FIX = speechTokenizer === null ? null : join(speechTokenizer, "hubert_avg_tiny");
const noFix = FIX === null && "../shared/fixtures/speechtokenizer absent";
const funcodec = familyFixturesDir("funcodec");
const noFunCodec = funcodec === null && "../shared/fixtures/funcodec absent";
const repcodec = familyFixturesDir("repcodec");
const noRepCodec = repcodec === null && "../shared/fixtures/repcodec absent";

const configError = (path: string, pattern: RegExp) => (e: unknown): boolean =>
  e instanceof ModelConfigError && e.code === "MODEL_CONFIG" && e.message.startsWith(path) && pattern.test(e.message);

/** A copy of FIX whose config.json has `changes` applied (the checkpoint linked, not copied). */
function fixWith(changes: Record<string, unknown>): string {
  const dir = folder("spt");
  const config = { ...(JSON.parse(readFileSync(join(FIX!, "config.json"), "utf8")) as Record<string, unknown>), ...changes };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  symlinkSync(join(FIX!, "SpeechTokenizer.pt"), join(dir, "SpeechTokenizer.pt"));
  return dir;
}

/** `count` anchors and as many aliases: each alias is looked up among every anchor before it (quadratic). */
const manyAliases = (count: number): string =>
  `junk:\n${Array.from({ length: count }, (_, i) => `  - &a${i} ${i}\n`).join("")}more:\n${Array.from({ length: count }, (_, i) => `  - *a${i}\n`).join("")}`;

test("SpeechTokenizer counts past any model's are refused from the config alone, naming key and value", { skip: noFix }, async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ n_q: 1_000_000_000 }, /"n_q" is 1000000000, more than any model has/],
    [{ n_q: 1e300 }, /"n_q" is 1e\+300, more than any model has/],
    [{ lstm_layers: 1e7 }, /"lstm_layers" is 10000000, more than any model has/],
    [{ n_residual_layers: 1e8 }, /"n_residual_layers" is 100000000, more than any model has/],
    [{ strides: new Array<number>(100_000).fill(2) }, /"strides" holds 100000 strides, more than any model has/],
    [{ strides: [8, 5, 4, 1e9] }, /"strides" holds a stride of 1000000000/],
    [{ n_filters: 4096, strides: [2, 2, 2, 2, 2, 2, 2, 2, 2] }, /"n_filters" 4096 doubled for each of 9 strides/],
    [{ n_q: 2.5 }, /"n_q" must be a positive integer, got 2\.5/],
  ];
  for (const [changes, message] of cases) {
    const dir = fixWith(changes);
    await assert.rejects(load(dir), configError(join(dir, "config.json"), message), JSON.stringify(changes).slice(0, 60));
  }
});

test("SpeechTokenizer counts within bounds but past the checkpoint's tensors are refused before any name is built", { skip: noFix }, async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ n_q: 1000 }, /"n_q" is 1000, but the checkpoint .*SpeechTokenizer\.pt has 8 codebooks/],
    [{ lstm_layers: 50 }, /"lstm_layers" is 50, but the checkpoint .* has 2 encoder LSTM layers/],
    [{ n_residual_layers: 3 }, /"n_residual_layers" is 3, but the checkpoint .* has 4 encoder residual blocks/],
    [{ strides: [8, 5, 4, 2, 2, 2] }, /"strides" holds 6 strides, but the checkpoint .* has 4 decoder upsampling convolutions/],
  ];
  for (const [changes, message] of cases) {
    const dir = fixWith(changes);
    await assert.rejects(load(dir), (e: unknown) => configError(join(dir, "config.json"), message)(e) && (e as Error).message.includes(join(dir, "SpeechTokenizer.pt")), JSON.stringify(changes));
  }
});

test("a config value nested 100,000 deep is described by its kind, never walked", { skip: noFix }, async () => {
  const dir = folder("deep_json");
  const text = readFileSync(join(FIX!, "config.json"), "utf8").replace(/"strides": \[[^\]]*\]/, `"strides": ${"[".repeat(100_000)}${"]".repeat(100_000)}`);
  writeFileSync(join(dir, "config.json"), text);
  await assert.rejects(readConfig(join(dir, "config.json")), configError(join(dir, "config.json"), /"strides" must be a non-empty list of positive integers, got a list of 1 item/));
});

const withYaml = (text: string, from: string, to: string): string => {
  assert.ok(text.includes(from), from);
  return text.replace(from, to);
};

test("FunCodec's target_sample_hz must be an integer rate in 1000..384000", { skip: noFunCodec }, () => {
  const yaml = readFileSync(join(funcodec!, "config.yaml"), "utf8");
  for (const rate of ["1e300", "4294983296", "16000.5", "0", "500", "-16000", "'16000'", ".inf"]) {
    const text = withYaml(yaml, "target_sample_hz: 16000", `target_sample_hz: ${rate}`);
    assert.throws(() => parseFunCodecConfig(text, "cfg.yaml"), configError("cfg.yaml", /model_conf\.target_sample_hz: expected a sample rate, an integer from 1000 to 384000 Hz/), rate);
  }
  assert.equal(parseFunCodecConfig(withYaml(yaml, "target_sample_hz: 16000", "target_sample_hz: 48000"), "cfg.yaml").sampleRate, 48000);
});

test("FunCodec counts must be positive integers within bounds", { skip: noFunCodec }, () => {
  const yaml = readFileSync(join(funcodec!, "config.yaml"), "utf8");
  const cases: [string, string, RegExp][] = [
    ["num_quantizers: 32", "num_quantizers: 1000000000", /quantizer_conf\.num_quantizers: 1000000000, more than any model has/],
    ["  n_filters: 4\n  dimension: 16", "  n_filters: 4\n  dimension: 16\n  n_residual_layers: 100000000", /encoder_conf\.n_residual_layers: 100000000, more than any model has/],
    ["  n_filters: 4\n  dimension: 16", "  n_filters: 4\n  dimension: 16\n  seq_layer_num: 10000000", /encoder_conf\.seq_layer_num: 10000000/],
    ["  n_filters: 4\n  dimension: 16", "  n_filters: 4.5\n  dimension: 16", /encoder_conf\.n_filters: expected a positive integer, got 4\.5/],
    ["codebook_size: 1024", "codebook_size: 1e300", /quantizer_conf\.codebook_size: 1e\+300, more than any model has/],
  ];
  for (const [from, to, message] of cases) {
    assert.throws(() => parseFunCodecConfig(withYaml(yaml, from, to), "cfg.yaml"), configError("cfg.yaml", message), to);
  }
  const manyRatios = withYaml(yaml, "encoder_conf:\n  ratios:\n", `encoder_conf:\n  ratios:\n${"  - 2\n".repeat(100_000)}`);
  assert.throws(() => parseFunCodecConfig(manyRatios, "cfg.yaml"), configError("cfg.yaml", /encoder_conf\.ratios: 100005 ratios/));
});

test("YAML of many anchors and aliases is refused before they are resolved", { skip: noFunCodec || noRepCodec }, () => {
  const yaml = readFileSync(join(funcodec!, "config.yaml"), "utf8");
  assert.throws(() => parseFunCodecConfig(`${yaml}\n${manyAliases(40_000)}`, "cfg.yaml"), configError("cfg.yaml", /80000 anchors and aliases, more than a configuration has/));
  // 20,000 of each fit a configuration file's size bound (1 MiB); resolving them took 16 s.
  const path = join(folder("aliases"), "repcodec.yaml");
  writeFileSync(path, `${readFileSync(join(repcodec!, "repcodec_dim64.yaml"), "utf8")}\n${manyAliases(20_000)}`);
  assert.throws(() => readConfigYaml(path), (e: unknown) => e instanceof InvalidInputError && e.message.startsWith(path) && /40000 anchors and aliases/.test(e.message));
});

test("RepCodec dilations are bounded", { skip: noRepCodec }, async () => {
  const huge = join(folder("dilations"), "huge.yaml");
  writeFileSync(huge, "enc_block_dilations: [1, 1e300]\n");
  await assert.rejects(readRepCodecCheckpoint(join(repcodec!, "repcodec_tiny_dim64.pkl"), huge), /huge\.yaml: enc_block_dilations is \[1,1e\+300\].*dilations from 1 to 1024/);
});

test("special and oversized files as configs are refused at once", { timeout: 30_000 }, async () => {
  const dir = folder("special");
  const fifo = join(dir, "config.json");
  execFileSync("mkfifo", [fifo]);
  await assert.rejects(readConfig(fifo), configError(fifo, /not a regular file \(a device, FIFO or socket\)/));
  await assert.rejects(readConfig("/dev/zero"), configError("/dev/zero", /not a regular file/));
  await assert.rejects(readConfig(dir), configError(dir, /not a regular file \(a folder\)/));
  const big = join(dir, "big.json");
  writeFileSync(big, `{"pad": "${"x".repeat(2 * 1024 * 1024)}"}`);
  await assert.rejects(readConfig(big), configError(big, /2097163 bytes is more than such a file may hold \(1048576\)/));
  assert.throws(() => readConfigYaml(fifo), (e: unknown) => e instanceof InvalidInputError && /not a regular file/.test(e.message));
  assert.throws(() => readConfigYaml("/dev/zero"), (e: unknown) => e instanceof InvalidInputError && /^\/dev\/zero: .*not a regular file/.test(e.message));
});

test("the CLI answers a FIFO or /dev/zero as config.json, FunCodec's target_sample_hz 1e300, and a FIFO as repcodec --model or --model_config_path with exit 2", { skip: noFix || noFunCodec || noRepCodec, timeout: 240_000 }, async () => {
  const scp = join(folder("scp"), "wav.scp");
  writeFileSync(scp, `u1 ${join(scratch, "absent.wav")}\n`);
  const extract = (model: string): Promise<{ code: number | null; stderr: string }> =>
    runCliWithin(["--wav_scp", scp, "--model", model, "--output_dir", join(folder("out"), "out")], 30_000);

  const fifoConfig = folder("fifo_config");
  execFileSync("mkfifo", [join(fifoConfig, "config.json")]);
  symlinkSync(join(FIX!, "SpeechTokenizer.pt"), join(fifoConfig, "SpeechTokenizer.pt"));
  let run = await extract(fifoConfig);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /config\.json: invalid model configuration: not a regular file/);

  const zeroConfig = folder("zero_config");
  symlinkSync("/dev/zero", join(zeroConfig, "config.json"));
  symlinkSync(join(FIX!, "SpeechTokenizer.pt"), join(zeroConfig, "SpeechTokenizer.pt"));
  run = await extract(zeroConfig);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /config\.json: invalid model configuration: not a regular file/);

  const rate = folder("funcodec_rate");
  writeFileSync(join(rate, "config.yaml"), withYaml(readFileSync(join(funcodec!, "config.yaml"), "utf8"), "target_sample_hz: 16000", "target_sample_hz: 1e300"));
  copyFileSync(join(funcodec!, "model.pth"), join(rate, "model.pth"));
  run = await extract(rate);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /config\.yaml: invalid model configuration: .*target_sample_hz/);

  const special = folder("repcodec_fifo");
  const fifo = join(special, "pipe");
  execFileSync("mkfifo", [fifo]);
  const repcodecArgs = (model: string, extra: string[]): string[] =>
    ["repcodec", join(repcodec!, "features"), "--model", model, "--tsv_path", join(repcodec!, "dev.tsv"), "--out_dir", join(folder("rc_out"), "out"), ...extra];
  run = await runCliWithin(repcodecArgs(fifo, []), 30_000);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /pipe: not a readable PyTorch checkpoint: not a regular file/);
  run = await runCliWithin(repcodecArgs(join(repcodec!, "repcodec_tiny_dim64.pkl"), ["--model_config_path", fifo]), 30_000);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /pipe: cannot read the RepCodec config: not a regular file/);
  run = await runCliWithin(repcodecArgs(join(repcodec!, "repcodec_tiny_dim64.pkl"), ["--model_config_path", "/dev/zero"]), 30_000);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /\/dev\/zero: cannot read the RepCodec config: not a regular file/);
});
