/**
 * EnCodec 48 kHz (stereo, segmented) through the toolkit's ways in, on the fixture's tiny model:
 * the corpus job (--bandwidth, rows and each segment's frames and scale in the part file), decode
 * (a two-channel 48 kHz WAV), the service (/v1/tokenize with bandwidth=, /v1/detokenize from an
 * answer as it stands) and `s3tokenizer encodec compress|decompress` (bytes equal upstream's .ecdc).
 * The expected codes are the model's own encode of the clip (which test/encodecConformance.test.ts
 * holds equal to upstream's), and the scales upstream's.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { audioFormatOf } from "../src/audio/format.js";
import { loadAudio } from "../src/audio/loadAudio.js";
import { parseWav } from "../src/audio/wavParse.js";
import { codesJson } from "../src/family/frontEnd.js";
import type { TokenizerModel } from "../src/family/types.js";
import { load } from "../src/registry/load.js";
import { readJsonLines, runCli } from "./support/cli.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { readNpyF32 } from "./support/npy.js";
import { post, startInProcess } from "./support/serveClient.js";

const root = familyFixturesDir("encodec");
const skip = root === null ? "EnCodec fixtures (../shared/fixtures/encodec) absent" : false;
const CLIP = "stereo_3seg";

test("EnCodec 48 kHz stereo through the corpus job, decode, the service and the .ecdc command", { skip }, async (t) => {
  const modelDir = join(root!, "encodec_48k_tiny");
  const wav = join(modelDir, "inputs", `${CLIP}.wav`);
  const dir = mkdtempSync(join(tmpdir(), "encodec-cli-"));
  let model: TokenizerModel | null = null;
  let server: Awaited<ReturnType<typeof startInProcess>> | null = null;
  t.after(async () => {
    await server?.shutdown();
    await model?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  model = await load(modelDir, { streams: 1 });
  assert.equal(model.sampleRate, 48_000);
  assert.equal(model.channels, 2);
  const input = readNpyF32(join(modelDir, "inputs", `${CLIP}.npy`)).data; // [2, L]
  assert.deepEqual(await loadAudio(wav, audioFormatOf(model)), input, "the float WAV reads back as the clip, both channels");
  const [expected] = await model.encode([input], { bandwidth: 3 } as object);
  const scales = Array.from(readNpyF32(join(modelDir, "ref", `${CLIP}.scales.npy`)).data);
  assert.deepEqual(expected!.segments!.map((s) => s.scale), scales, "one scale per segment, upstream's");
  const expectedRows = codesJson(expected!, model);
  const expectedSegments = expected!.segments!.map((s) => [s.frames, s.scale]);

  await t.test("the corpus job writes rows and segments; decode writes a two-channel 48 kHz WAV", async () => {
    writeFileSync(join(dir, "wav.scp"), `${CLIP} ${wav}\n`);
    const out = join(dir, "out");
    const run = await runCli(["--wav_scp", join(dir, "wav.scp"), "--model", modelDir, "--output_dir", out, "--bandwidth", "3", "--num_workers", "1", "--streams", "1"]);
    assert.equal(run.code, 0, run.stderr);
    const [line] = readJsonLines<{ key: string; code: number[][]; segments: number[][] }>(join(out, "part_1_of_1"));
    assert.deepEqual(line!.code, expectedRows);
    assert.deepEqual(line!.segments, expectedSegments);
    const provenance = JSON.parse(readFileSync(join(out, "provenance_1_of_1.json"), "utf8")) as Record<string, unknown>;
    assert.equal(provenance.bandwidth, 3, "the bandwidth is recorded with the codes it made");

    const decoded = join(dir, "decoded");
    const decode = await runCli(["decode", "--codes", join(out, "part_1_of_1"), "--model", modelDir, "--output_dir", decoded, "--sample_format", "f32"]);
    assert.equal(decode.code, 0, decode.stderr);
    const written = parseWav(readFileSync(join(decoded, `${CLIP}.wav`)), CLIP);
    assert.equal(written.sampleRate, 48_000);
    assert.equal(written.channels, 2);
    assert.deepEqual(await loadAudio(join(decoded, `${CLIP}.wav`), audioFormatOf(model!)), (await model!.decode!([expected!]))[0]);
  });

  await t.test("the service: bandwidth= in the query, segments in the answer, a stereo WAV back", async () => {
    server = await startInProcess(modelDir, ["--feature_workers", "1", "--max_wait_ms", "0"]);
    const answer = await post(`${server.url}/v1/tokenize?bandwidth=3`, readFileSync(wav));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.code, expectedRows);
    assert.deepEqual(answer.body.segments, expectedSegments);
    const refused = await post(`${server.url}/v1/tokenize?bandwidth=7`, readFileSync(wav));
    assert.equal(refused.status, 400, "a bandwidth the model does not list");
    const back = await fetch(`${server.url}/v1/detokenize?format=f32`, { method: "POST", body: JSON.stringify({ code: answer.body.code, segments: answer.body.segments }) });
    assert.equal(back.status, 200);
    const audio = parseWav(new Uint8Array(await back.arrayBuffer()), "answer");
    assert.equal(audio.sampleRate, 48_000);
    assert.equal(audio.channels, 2);
  });

  await t.test("encodec compress gives upstream's .ecdc bytes; decompress a two-channel 48 kHz WAV", async () => {
    const ecdc = join(dir, `${CLIP}.ecdc`);
    const compress = await runCli(["encodec", "compress", wav, ecdc, "--model", modelDir, "--bandwidth", "3"]);
    assert.equal(compress.code, 0, compress.stderr);
    assert.deepEqual(readFileSync(ecdc), readFileSync(join(modelDir, "ecdc", `${CLIP}.bw3.ecdc`)));
    const back = join(dir, `${CLIP}.back.wav`);
    const decompress = await runCli(["encodec", "decompress", ecdc, back, "--model", modelDir]);
    assert.equal(decompress.code, 0, decompress.stderr);
    const audio = parseWav(readFileSync(back), "back");
    assert.equal(audio.sampleRate, 48_000);
    assert.equal(audio.channels, 2);
    assert.equal(audio.samples.length, input.length / 2, "trimmed to the clip's length, as upstream's decompress");
    const lm = await runCli(["encodec", "decompress", join(modelDir, "ecdc", `${CLIP}.bw3.lm.ecdc`), join(dir, "lm.wav"), "--model", modelDir]);
    assert.equal(lm.code, 2);
    assert.match(lm.stderr, /language model/);
  });
});
