/**
 * What the command says to the usual mistakes: an unknown help topic or command (exit 2), the
 * version, a mistyped flag (the nearest known one suggested), the model names of every family in
 * the help, export given a model of another family, a list that cannot be read (with the reason),
 * and a text file or a folder listed as audio (said once, and what the bytes look like).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { editDistance, nearestName } from "../src/flags/nearestName.js";
import { familyRegistryEntries } from "../src/registry/load.js";
import { FAMILIES } from "../src/registry/families.js";
import { BUILT_IN_NAMES } from "../src/hub/registry.js";
import { readJsonLines, runCli } from "./support/cli.js";
import { modelPath } from "./support/conformance.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const EXIT_USAGE = 2;
const scratch = () => mkdtempSync(join(tmpdir(), "cli-messages-"));
const fixtures = fixturesDir();
const speechTokenizerDir = familyFixturesDir("speechtokenizer");

test("help for an unknown command says so and exits 2, suggesting a near name", async () => {
  const foo = await runCli(["help", "foo"]);
  assert.equal(foo.code, EXIT_USAGE);
  assert.equal(foo.stdout, "");
  assert.match(foo.stderr, /^unknown command "foo" \(s3tokenizer help lists the commands\)$/m);
  const typo = await runCli(["help", "exprot"]);
  assert.equal(typo.code, EXIT_USAGE);
  assert.match(typo.stderr, /unknown command "exprot"; did you mean "export"\?/);
  const help = await runCli(["help", "export"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^s3tokenizer export --model/);
});

test("--version prints the package's version", async () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  const result = await runCli(["--version"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, `${version}\n`);
});

test("a mistyped flag gets the nearest known flag; a flag near none gets none", async () => {
  const extract = await runCli(["--wav_scpp", "list.scp", "--model", "m", "--output_dir", "o"]);
  assert.equal(extract.code, EXIT_USAGE);
  assert.match(extract.stderr, /unknown flag --wav_scpp; did you mean --wav_scp\?/);
  const models = await runCli(["models", "--ofline"]);
  assert.equal(models.code, EXIT_USAGE);
  assert.match(models.stderr, /s3tokenizer models: unknown flag --ofline; did you mean --offline\?/);
  const far = await runCli(["models", "--quantum-flux"]);
  assert.equal(far.code, EXIT_USAGE);
  assert.match(far.stderr, /unknown flag --quantum_flux$/m);
});

test("edit distance and the nearest name", () => {
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("wav-scp", "wav-scp"), 0);
  assert.equal(nearestName("batch-szie", ["batch-size", "max-frames"]), "batch-size");
  assert.equal(nearestName("xyz", ["batch-size", "max-frames"]), null);
});

test("help extract lists every family's model names, as the registry has them", async () => {
  const result = await runCli(["help", "extract"]);
  assert.equal(result.code, 0);
  const section = result.stdout.slice(result.stdout.indexOf("Models by name"));
  for (const name of [...BUILT_IN_NAMES, ...familyRegistryEntries().map((entry) => entry.name)]) assert.ok(section.includes(name), `${name} is missing`);
  for (const family of FAMILIES) assert.match(section, new RegExp(`^  ${family.name} +\\S`, "m"));
  assert.ok(familyRegistryEntries().some((entry) => entry.family === "speechtokenizer"), "the check covers another family's names");
});

test("export on a model of another family says that export is for S3 models, by path or by name, before anything else", { skip: speechTokenizerDir === null ? "../shared/fixtures/speechtokenizer not found" : false }, async () => {
  const out = join(scratch(), "graph.onnx");
  const byPath = await runCli(["export", "--model", join(speechTokenizerDir!, "hubert_avg_tiny"), "--out", out]);
  assert.equal(byPath.code, EXIT_USAGE);
  assert.match(byPath.stderr, /hubert_avg_tiny is a speechtokenizer model: export writes the batched ONNX graph of S3Tokenizer models only/);
  assert.doesNotMatch(byPath.stderr, /not a readable ONNX model/);
  // By name, offline with an empty cache: refused from the registry, nothing fetched or looked for.
  const byName = await runCli(["export", "--model", "speechtokenizer_hubert_avg", "--out", out, "--offline", "--cache_dir", scratch()]);
  assert.equal(byName.code, EXIT_USAGE);
  assert.match(byName.stderr, /speechtokenizer_hubert_avg is a speechtokenizer model: export writes/);
  assert.equal(existsSync(out), false);
});

test("a wav.scp that cannot be read says why", async () => {
  const missing = join(scratch(), "wav.scp");
  const result = await runCli(["--wav_scp", missing, "--model", "speech_tokenizer_v1", "--output_dir", join(scratch(), "out"), "--offline", "--cache_dir", scratch()]);
  assert.equal(result.code, EXIT_USAGE);
  assert.match(result.stderr, /cannot read the wav\.scp list: ENOENT: no such file or directory/);
});

test("a text file named .wav and a folder in the list: each error said once, the text shown", { skip: fixtures === null ? skipReason : false }, async () => {
  const dir = scratch();
  writeFileSync(join(dir, "notes.wav"), "remember to buy milk\n");
  mkdirSync(join(dir, "folder.wav"));
  writeFileSync(join(dir, "wav.scp"), `notes ${join(dir, "notes.wav")}\nfolder ${join(dir, "folder.wav")}\n`);
  const out = join(dir, "out");
  const result = await runCli(["--wav_scp", join(dir, "wav.scp"), "--model", modelPath(fixtures!, "speech_tokenizer_v1"), "--output_dir", out, "--num_workers", "1"], { S3TOKENIZER_FFMPEG: join(dir, "no-ffmpeg") });
  assert.equal(result.code, 3, result.stderr);
  const errors = new Map(readJsonLines<{ key: string; error: string }>(join(out, "errors_1_of_1")).map((line) => [line.key, line.error]));
  assert.match(errors.get("notes")!, /not audio: the file holds text "remember to buy milk\\n"/);
  assert.doesNotMatch(errors.get("notes")!, /ffmpeg/);
  assert.equal(errors.get("folder")!.match(/cannot decode audio/g)?.length, 1, errors.get("folder"));
  assert.match(errors.get("folder")!, /is a directory, not a file/);
});
