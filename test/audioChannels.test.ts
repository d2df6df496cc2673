/**
 * Audio in a model's channels: a mono model keeps channel 0 (or the mean where it says so), a
 * stereo model keeps two channels, gets a mono file duplicated into both and the first two of a
 * file with more (EnCodec's convert_audio); WAVs of two channels written and read back; and a
 * stereo test double of a model through the corpus job, the service and its HTTP answer. The
 * expected samples come from the test's own WAV writer and the resampler applied per channel.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { modelChannels } from "../src/audio/channels.js";
import { channelOf, SPEECH_16K_MONO, type AudioFormat } from "../src/audio/format.js";
import { loadAudio, loadAudioBytes } from "../src/audio/loadAudio.js";
import { resample } from "../src/audio/resample.js";
import { parseWav } from "../src/audio/wavParse.js";
import { encodeWav } from "../src/audio/wavWrite.js";
import type { ScpEntry } from "../src/audio/wavScp.js";
import { AudioDecodeError } from "../src/errors.js";
import { extractTokens } from "../src/extract/extractor.js";
import { JsonLinesAppender } from "../src/extract/partFile.js";
import { ProgressReporter, type ProgressCounts } from "../src/extract/progress.js";
import { codesJson } from "../src/family/frontEnd.js";
import { TokenizerHttpServer } from "../src/serve/httpServer.js";
import { TokenizerService } from "../src/serve/service.js";
import { readJsonLines } from "./support/cli.js";
import { wavBytes } from "./support/audioWriters.js";
import { StereoHopModel } from "./support/stereoModel.js";

/** A seeded tone with some noise, float32 values in (−1, 1). */
function tone(frames: number, rate: number, hz: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: frames }, (_, i) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return 0.4 * Math.sin((2 * Math.PI * hz * i) / rate) + 0.05 * (s / 2 ** 32 - 0.5);
  });
}

/** A float32 WAV of the given channels (the test's writer, not the toolkit's). */
function floatWav(rate: number, channels: readonly Float32Array[]): Buffer {
  return wavBytes({ rate, tag: 3, bits: 32, channels: channels.map((c) => Array.from(c)) });
}

function tempDir(t: test.TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "audio-channels-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const STEREO_24K: AudioFormat = { sampleRate: 24_000, channels: 2 };

test("modelChannels: mono keeps channel 0 itself or the mean; stereo keeps, duplicates, takes the first two, refuses too few", () => {
  const left = Float32Array.of(0.5, -0.25, 1);
  const right = Float32Array.of(0.25, 0.75, -1);
  const third = Float32Array.of(9, 9, 9);
  const stereo = { samples: left, sampleRate: 16_000, channels: 2, otherChannels: () => [right] };
  const mono = { samples: left, sampleRate: 16_000, channels: 1 };
  // Channel 0 itself, not a copy: the mono path costs nothing.
  assert.equal(modelChannels(stereo, SPEECH_16K_MONO, "s")[0], left);
  assert.deepEqual(Array.from(modelChannels(stereo, { sampleRate: 16_000, channels: 1, mixToMono: "mean" }, "s")[0]!), [0.375, 0.25, 0]);
  assert.deepEqual(modelChannels(stereo, STEREO_24K, "s"), [left, right]);
  assert.deepEqual(modelChannels(mono, STEREO_24K, "s"), [left, left]);
  const three = { samples: left, sampleRate: 16_000, channels: 3, otherChannels: () => [right, third] };
  assert.deepEqual(modelChannels(three, STEREO_24K, "s"), [left, right]);
  assert.throws(
    () => modelChannels(three, { sampleRate: 16_000, channels: 4 }, "three.wav"),
    (e: unknown) => e instanceof AudioDecodeError && /three\.wav.*has 3 channels and the model takes 4/.test(e.message),
  );
});

test("loadAudio to a stereo 24 kHz format: each channel resampled alone, planar; a mono file duplicated; a mono format keeps channel 0", async (t) => {
  const dir = tempDir(t);
  const left = tone(7_001, 16_000, 220, 1);
  const right = tone(7_001, 16_000, 330, 2);
  const stereoPath = join(dir, "stereo.wav");
  writeFileSync(stereoPath, floatWav(16_000, [left, right]));
  const planar = await loadAudio(stereoPath, STEREO_24K);
  const expectedLeft = resample(left, 16_000, 24_000);
  assert.equal(planar.length, 2 * expectedLeft.length);
  assert.deepEqual(channelOf(planar, 2, 0), expectedLeft);
  assert.deepEqual(channelOf(planar, 2, 1), resample(right, 16_000, 24_000));

  const monoPath = join(dir, "mono.wav");
  writeFileSync(monoPath, floatWav(16_000, [left]));
  const duplicated = await loadAudio(monoPath, STEREO_24K);
  assert.deepEqual(channelOf(duplicated, 2, 0), expectedLeft);
  assert.deepEqual(channelOf(duplicated, 2, 1), expectedLeft);

  // The default (16 kHz speech models): channel 0 of the stereo file, untouched at its own rate.
  assert.deepEqual(await loadAudio(stereoPath), left);
  assert.deepEqual(await loadAudio(stereoPath, { sampleRate: 24_000, channels: 1 }), expectedLeft);
});

test("a non-finite sample in channel 1 is refused for a stereo model (and still ignored for a mono one)", async () => {
  const left = tone(2_000, 16_000, 200, 3);
  const right = Float32Array.from(left);
  right[1234] = Number.NaN;
  const bytes = floatWav(16_000, [left, right]);
  await assert.rejects(loadAudioBytes(bytes, "nan-right.wav", STEREO_24K), (e: unknown) => e instanceof AudioDecodeError && /nan-right\.wav.*sample 1234 of channel 1 is NaN/.test(e.message));
  assert.equal((await loadAudioBytes(bytes, "nan-right.wav")).length, 2_000);
});

test("encodeWav writes planar channels interleaved; parseWav reads both back (f32 exactly, s16 as 16-bit steps)", () => {
  const left = tone(300, 24_000, 500, 4);
  const right = tone(300, 24_000, 700, 5);
  const planar = new Float32Array(600);
  planar.set(left, 0);
  planar.set(right, 300);
  const f32 = parseWav(encodeWav(planar, 24_000, "f32", 2), "f32.wav");
  assert.equal(f32.sampleRate, 24_000);
  assert.equal(f32.channels, 2);
  assert.deepEqual(f32.samples, left);
  assert.deepEqual(f32.otherChannels!()[0], right);
  const s16 = parseWav(encodeWav(planar, 24_000, "s16", 2), "s16.wav");
  assert.equal(s16.channels, 2);
  const step = (x: number) => Math.round(x * 32767) / 32768;
  assert.deepEqual(Array.from(s16.otherChannels!()[0]!), Array.from(right, step));
  assert.deepEqual(Array.from(s16.samples), Array.from(left, step));
  // Mono stays the one-channel file it always was.
  assert.equal(parseWav(encodeWav(left, 24_000, "f32"), "mono.wav").channels, 1);
  assert.throws(() => encodeWav(Float32Array.of(1, 2, 3), 24_000, "f32", 2), /3 samples are not 2 channels/);
});

test("a stereo model through the corpus job: rows from each channel of a stereo file, and a mono file in both", async (t) => {
  const dir = tempDir(t);
  const model = new StereoHopModel();
  const files: Array<[string, Float32Array[]]> = [
    ["stereo", [tone(20_000, 16_000, 150, 6), tone(20_000, 16_000, 450, 7).map((v) => v * 0.3)]],
    ["mono", [tone(9_000, 16_000, 260, 8)]],
  ];
  const entries: ScpEntry[] = files.map(([key, channels], i) => {
    const path = join(dir, `${key}.wav`);
    writeFileSync(path, floatWav(16_000, channels));
    return { key, path, isPipe: false, line: i + 1 };
  });
  const part = join(dir, "part");
  const outputs = { part: new JsonLinesAppender(part, true), errors: new JsonLinesAppender(join(dir, "errors"), true), progress: new ProgressReporter() };
  const counts: ProgressCounts = { done: 0, failed: 0, skipped: 0, total: entries.length, audioSeconds: 0 };
  await extractTokens(model, entries, counts, outputs, { numWorkers: 1, groupFrames: 24_000 * 60, gatherMs: 0, allowPipes: false });
  outputs.part.close();
  outputs.errors.close();
  assert.equal(counts.done, 2);
  const lines = new Map(readJsonLines<{ key: string; code: number[][] }>(part).map((l) => [l.key, l.code]));
  for (const entry of entries) {
    const [expected] = await model.encode([await loadAudio(entry.path, model)]);
    assert.deepEqual(lines.get(entry.key), codesJson(expected!, model), entry.key);
  }
  const [stereoRows, monoRows] = [lines.get("stereo")!, lines.get("mono")!];
  assert.notDeepEqual(stereoRows[0], stereoRows[1], "the two channels of the stereo file differ");
  assert.deepEqual(monoRows[0], monoRows[1], "a mono file reaches both channels");
  // 20 000 + 9 000 frames at 16 kHz, as resampled to 24 kHz and counted there.
  assert.ok(Math.abs(counts.audioSeconds - 29_000 / 16_000) < 1e-3, String(counts.audioSeconds));
});

test("a stereo model through the service: tokenize of a stereo WAV, and /v1/detokenize answers a 2-channel WAV at its rate", async (t) => {
  const model = new StereoHopModel();
  const service = new TokenizerService(model, { featureWorkers: 1, maxWaitMs: 0 });
  const http = new TokenizerHttpServer({ host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, deadlineMs: 30_000, maxQueue: 8, auth: null, modelName: "stereo" });
  const address = await http.listen();
  http.setService(service);
  t.after(async () => {
    await http.shutdown();
    await service.close();
  });
  const bytes = floatWav(44_100, [tone(30_000, 44_100, 180, 9), tone(30_000, 44_100, 620, 10)]);
  const result = await service.tokenizeBytes(new Uint8Array(bytes));
  const [expected] = await model.encode([await loadAudioBytes(bytes, "b", model)]);
  assert.deepEqual({ codes: Array.from(result.codes), codebooks: result.codebooks, frames: result.frames }, { codes: Array.from(expected!.data), codebooks: 2, frames: expected!.frames });
  assert.ok(Math.abs(result.audioSeconds - 30_000 / 44_100) < 1e-3, String(result.audioSeconds));

  const rows = codesJson(expected!, model);
  const response = await fetch(`http://127.0.0.1:${address.port}/v1/detokenize?format=f32`, { method: "POST", body: JSON.stringify({ code: rows }) });
  assert.equal(response.status, 200, await response.clone().text());
  const wav = parseWav(new Uint8Array(await response.arrayBuffer()), "answer");
  assert.equal(wav.sampleRate, 24_000);
  assert.equal(wav.channels, 2);
  const [decoded] = await model.decode([expected!]);
  assert.deepEqual(wav.samples, channelOf(decoded!, 2, 0));
  assert.deepEqual(wav.otherChannels!()[0], channelOf(decoded!, 2, 1));
});
