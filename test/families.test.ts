/**
 * The suite every tokenizer family passes, with seeded random weights written in its released
 * format (no fixtures needed): loads through load(path); a padded batch of different lengths
 * gives each utterance the codes it gets alone; code frames follow the frame rate; decoded audio
 * is hopLength samples per frame.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadAudio } from "../src/audio/loadAudio.js";
import { resample } from "../src/audio/resample.js";
import { parseWav } from "../src/audio/wavParse.js";
import { encodeWav } from "../src/audio/wavWrite.js";
import { InvalidInputError, UnknownModelError, UnrecognizedModelError } from "../src/errors.js";
import { codesJson } from "../src/family/frontEnd.js";
import { FAMILIES } from "../src/registry/families.js";
import { load } from "../src/registry/load.js";
import type { Codes, TokenizerModel } from "../src/family/types.js";
import { readJsonLines, runCli } from "./support/cli.js";
import { RATE_24K, writeFunCodec24k } from "./support/model24k.js";
import { post, startInProcess } from "./support/serveClient.js";

/** Speech-like test signal: a few partials with a moving pitch and some noise, seeded. */
function signal(samples: number, seed: number): Float32Array {
  const out = new Float32Array(samples);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < samples; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const t = i / 16_000;
    const f = 140 + 60 * Math.sin(2 * Math.PI * 1.3 * t + seed);
    out[i] = 0.3 * Math.sin(2 * Math.PI * f * t) + 0.1 * Math.sin(2 * Math.PI * 3.1 * f * t) + 0.05 * (s / 2 ** 32 - 0.5);
  }
  return out;
}

/** Sample counts not on any hop boundary, and one on it, all under one 30 s window. */
const LENGTHS = [16_000 * 2 + 371, 9_000, 16_000 * 5 + 1, 640 * 13];

/** The audio format of each family's random model here, as their configs and papers state it. */
const FORMATS_HERE: Record<string, { sampleRate: number; channels: number }> = {
  s3: { sampleRate: 16_000, channels: 1 },
  speechtokenizer: { sampleRate: 16_000, channels: 1 },
  funcodec: { sampleRate: 16_000, channels: 1 },
  repcodec: { sampleRate: 16_000, channels: 1 },
  kmeans: { sampleRate: 16_000, channels: 1 },
};

/**
 * Code frames a family's front end may fall short of the hops completed: HuBERT's conv stack has a
 * 400-sample window at a 320-sample hop, floor((L − 400) / 320) + 1 frames, one under L / 320's floor.
 */
const WINDOW_FRAMES: Record<string, number> = { kmeans: 1 };

function rows(codes: Codes): number[][] {
  return Array.from({ length: codes.codebooks }, (_, r) => Array.from(codes.data.subarray(r * codes.frames, (r + 1) * codes.frames)));
}

for (const family of FAMILIES) {
  test(`${family.name}: a random model loads through load(path) and keeps the interface's promises`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), `family-${family.name}-`));
    let model: TokenizerModel | null = null;
    t.after(async () => {
      await model?.dispose();
      await rm(dir, { recursive: true, force: true });
    });
    await family.writeRandomModel(dir, { seed: 7, size: "tiny" });
    model = await load(dir, { streams: 1, convertedCache: false });
    assert.equal(model.family, family.name);
    // Every released family here is 16 kHz mono; a family of another format states its own facts
    // (and the 24 kHz test below runs one through every path).
    assert.equal(model.sampleRate, FORMATS_HERE[family.name]?.sampleRate ?? model.sampleRate);
    assert.equal(model.channels, FORMATS_HERE[family.name]?.channels ?? model.channels);
    assert.equal(model.hopLength * model.frameRate, model.sampleRate, "hopLength is sampleRate / frameRate");

    const inputs = LENGTHS.map((n, i) => signal(n, i + 1));
    const batched = await model.encode(inputs);
    assert.equal(batched.length, inputs.length);

    await t.test("batched equals one at a time", async () => {
      for (const [i, input] of inputs.entries()) {
        const [alone] = await model!.encode([input]);
        assert.deepEqual(rows(batched[i]!), rows(alone!), `utterance ${i} (${input.length} samples)`);
      }
    });

    await t.test("code frames follow the frame rate; codes are in range", () => {
      for (const [i, codes] of batched.entries()) {
        const samples = inputs[i]!.length;
        // A frame per hop: no more than the hops begun, no fewer than the hops completed.
        assert.ok(codes.frames >= Math.floor(samples / model!.hopLength) - (WINDOW_FRAMES[family.name] ?? 0), `utterance ${i}: ${codes.frames} frames for ${samples} samples`);
        assert.ok(codes.frames <= Math.ceil(samples / model!.hopLength), `utterance ${i}: ${codes.frames} frames for ${samples} samples`);
        assert.equal(codes.codebooks, model!.codebooks);
        assert.equal(codes.data.length, codes.codebooks * codes.frames);
        assert.ok(codes.data.every((c) => c >= 0 && c < model!.codebookSize), `utterance ${i}: codes within [0, ${model!.codebookSize})`);
      }
      const distinct = new Set(batched.flatMap((c) => Array.from(c.data)));
      assert.ok(distinct.size > 1, "random weights on a varied signal give more than one code");
    });

    await t.test("decode gives hopLength samples per frame", { skip: family.decodes ? false : `${family.name} has no decoder` }, async () => {
      const audio = await model!.decode!(batched);
      audio.forEach((samples, i) => assert.equal(samples.length, batched[i]!.frames * model!.hopLength, `utterance ${i}`));
    });
  });
}

test("load: a path no family recognizes is a typed error listing the families", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "family-none-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, "notes.txt");
  await writeFile(path, "not a model\n");
  await assert.rejects(load(path), (error: unknown) => {
    assert.ok(error instanceof UnrecognizedModelError);
    assert.equal(error.code, "UNRECOGNIZED_MODEL");
    assert.deepEqual(error.families, FAMILIES.map((f) => f.name));
    for (const family of FAMILIES) assert.match(error.message, new RegExp(family.name));
    return true;
  });
});

test("load: an unknown name is UnknownModelError listing every family's names", async () => {
  await assert.rejects(load("no_such_tokenizer", { offline: true }), (error: unknown) => {
    assert.ok(error instanceof UnknownModelError);
    assert.ok(error.known.includes("speech_tokenizer_v2_25hz"));
    for (const family of FAMILIES) for (const model of family.models) assert.ok(error.known.includes(model.name), model.name);
    return true;
  });
});

test("s3: more than one codebook row is refused with a typed error naming the model", async (t) => {
  const s3 = FAMILIES.find((f) => f.name === "s3")!;
  const dir = await mkdtemp(join(tmpdir(), "family-s3-rows-"));
  const files = await s3.writeRandomModel(dir, { seed: 3, size: "tiny" });
  const path = Object.values(files)[0]!;
  const model = await load(path, { streams: 1, convertedCache: false });
  t.after(async () => {
    await model.dispose();
    await rm(dir, { recursive: true, force: true });
  });
  const input = signal(16_000, 9);
  await assert.rejects(model.encode([input], { codebooks: 2 }), (error: unknown) => error instanceof InvalidInputError && error.message.includes(path));
  await assert.rejects(model.frontEnd!.encodeFeatures([], { codebooks: 8 }), InvalidInputError);
  const [one] = await model.encode([input], { codebooks: 1 });
  assert.equal(one!.codebooks, 1);
});

// Families whose graphs exist only in fp32: asking for "fast" must not quietly give the exact graph.
for (const name of ["speechtokenizer", "funcodec"]) {
  test(`${name}: mode "fast" is refused with a typed error naming the model and the mode`, async (t) => {
    const family = FAMILIES.find((f) => f.name === name)!;
    const dir = await mkdtemp(join(tmpdir(), `family-${name}-fast-`));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await family.writeRandomModel(dir, { seed: 5, size: "tiny" });
    await assert.rejects(load(dir, { streams: 1, mode: "fast" }), (error: unknown) => {
      assert.ok(error instanceof InvalidInputError, String(error));
      assert.match(error.message, /"fast" mode/);
      assert.ok(error.message.includes(dir), error.message);
      return true;
    });
  });
}

test("a 24 kHz model through the CLI, the service and decode: a 16 kHz file gives the codes of its 24 kHz resampling; audio comes back at 24 kHz", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "family-24k-"));
  let model: TokenizerModel | null = null;
  let server: Awaited<ReturnType<typeof startInProcess>> | null = null;
  t.after(async () => {
    await server?.shutdown();
    await model?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const modelDir = join(dir, "model");
  await writeFunCodec24k(modelDir);
  model = await load(modelDir, { streams: 1 });
  assert.equal(model.sampleRate, RATE_24K);
  assert.equal(model.channels, 1);

  // A 16 kHz float WAV: its samples travel exactly, so the expected codes need only the resampler.
  const input = signal(16_000 + 4_321, 3);
  const wav = join(dir, "u16k.wav");
  writeFileSync(wav, encodeWav(input, 16_000, "f32"));
  const [expected] = await model.encode([resample(input, 16_000, RATE_24K)]);
  const expectedRows = codesJson(expected!, model);
  assert.deepEqual(await loadAudio(wav, model), resample(input, 16_000, RATE_24K), "loadAudio brings the file to the model's rate");

  await t.test("the corpus job", async () => {
    writeFileSync(join(dir, "wav.scp"), `u16k ${wav}\n`);
    const out = join(dir, "out");
    const run = await runCli(["--wav_scp", join(dir, "wav.scp"), "--model", modelDir, "--output_dir", out, "--num_workers", "1", "--streams", "1"]);
    assert.equal(run.code, 0, run.stderr);
    const [line] = readJsonLines<{ key: string; code: number[][]; scale: number }>(join(out, "part_1_of_1"));
    assert.deepEqual(line!.code, expectedRows);
    assert.equal(line!.scale, expected!.scale);

    const decoded = join(dir, "decoded");
    const decode = await runCli(["decode", "--codes", join(out, "part_1_of_1"), "--model", modelDir, "--output_dir", decoded, "--sample_format", "f32"]);
    assert.equal(decode.code, 0, decode.stderr);
    const written = parseWav(readFileSync(join(decoded, "u16k.wav")), "u16k.wav");
    assert.equal(written.sampleRate, RATE_24K);
    assert.equal(written.channels, 1);
    assert.equal(written.samples.length, expected!.frames * model!.hopLength);
    assert.deepEqual(written.samples, (await model!.decode!([expected!]))[0]);
  });

  await t.test("the service", async () => {
    server = await startInProcess(modelDir, ["--feature_workers", "1", "--max_wait_ms", "0"]);
    const answer = await post(`${server.url}/v1/tokenize`, readFileSync(wav));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.code, expectedRows);
    const back = await fetch(`${server.url}/v1/detokenize?format=f32`, { method: "POST", body: JSON.stringify({ code: expectedRows, scale: expected!.scale }) });
    assert.equal(back.status, 200);
    const audio = parseWav(new Uint8Array(await back.arrayBuffer()), "answer");
    assert.equal(audio.sampleRate, RATE_24K);
    assert.equal(audio.samples.length, expected!.frames * model!.hopLength);
  });
});
