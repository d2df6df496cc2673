/**
 * The service for every family: /v1/tokenize with n_q, first_codebook and bit_width checked
 * against the upstream reference codes (SpeechTokenizer and FunCodec fixtures), requests with
 * different options sharing a batching group and each getting its own codes, /v1/detokenize
 * answering the reference decode as a WAV, 501 for a family without a decoder, and 400s that name
 * the parameter or the body's problem.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseWav } from "../src/audio/wavParse.js";
import { encodeWav } from "../src/audio/wavWrite.js";
import { load } from "../src/registry/load.js";
import { NoDecoderError } from "../src/serve/errors.js";
import type { ServeHandle } from "../src/serve/serve.js";
import { modelPath } from "./support/conformance.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { fixturesDir } from "./support/fixtures.js";
import { readNpy, readNpyF32 } from "./support/npy.js";
import { metricValue, post, scrape, startInProcess } from "./support/serveClient.js";

const stDir = familyFixturesDir("speechtokenizer");
const fcDir = familyFixturesDir("funcodec");
const s3Dir = fixturesDir();

/** Rows [first, first + count) of a reference [Q, 1, T] int64 codes file, as JSON rows. */
function refRows(path: string, first: number, count: number): number[][] {
  const { shape, data } = readNpy(path);
  const frames = shape[2]!;
  return Array.from({ length: count }, (_, r) => Array.from(data.subarray((first + r) * frames, (first + r + 1) * frames), Number));
}

/** A fixture clip (float32 .npy) as a 32-bit float WAV: the samples travel exactly. */
function clipWav(dir: string, clip: string): Uint8Array {
  return encodeWav(readNpyF32(join(dir, "inputs", `${clip}.npy`)).data, 16_000, "f32");
}

/** The samples of a mono 32-bit float WAV as encodeWav writes it (18-byte fmt chunk, a fact chunk, then data). */
function floatWavSamples(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(Buffer.from(bytes.subarray(0, 4)).toString("latin1"), "RIFF");
  assert.equal(view.getUint16(20, true), 3, "IEEE float format tag");
  assert.equal(view.getUint32(24, true), 16_000, "sample rate");
  const decoded = parseWav(bytes, "the answer");
  assert.equal(decoded.channels, 1);
  return decoded.samples;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "lengths");
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

interface WavAnswer {
  status: number;
  type: string | null;
  bytes: Uint8Array;
}

async function detokenize(base: string, body: unknown, query = "", headers: Record<string, string> = {}): Promise<WavAnswer> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const response = await fetch(`${base}/v1/detokenize${query}`, { method: "POST", body: text, headers });
  return { status: response.status, type: response.headers.get("content-type"), bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** The JSON error of a non-200 detokenize answer. */
function errorOf(answer: WavAnswer): { code: string; message: string } {
  return (JSON.parse(Buffer.from(answer.bytes).toString("utf8")) as { error: { code: string; message: string } }).error;
}

describe("serve: SpeechTokenizer", { skip: stDir === null ? "../shared/fixtures/speechtokenizer not found" : false }, () => {
  let server: ServeHandle;
  let base: string;
  const auth = { authorization: "Bearer family-token" };
  const ref = (file: string) => join(stDir!, "hubert_avg_tiny", "ref", file);

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "serve-families-"));
    writeFileSync(join(dir, "token"), "family-token");
    // A long wait so that the concurrent requests below share one batching group.
    const flags = ["--token_file", join(dir, "token"), "--max_body_mb", "0.1", "--max_wait_ms", "300", "--feature_workers", "1"];
    server = await startInProcess(join(stDir!, "hubert_avg_tiny"), flags);
    base = server.url;
  });
  after(() => server?.shutdown());

  test("requests with different n_q / first_codebook share a group and each get upstream's codes", async () => {
    const wav = clipWav(stDir!, "clip_0p5s");
    const groupsBefore = metricValue(await scrape(base, auth), "s3tokenizer_batch_size_count");
    const [all, first, middle] = await Promise.all([
      post(`${base}/v1/tokenize`, wav, auth),
      post(`${base}/v1/tokenize?n_q=1`, wav, auth),
      post(`${base}/v1/tokenize?n_q=3&first_codebook=1`, wav, auth),
    ]);
    for (const a of [all, first, middle]) assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.deepEqual(all.body.code, refRows(ref("clip_0p5s.codes.npy"), 0, 8));
    assert.equal(all.body.codebooks, 8);
    assert.equal(all.body.frame_rate, 50);
    assert.deepEqual(first.body.code, refRows(ref("clip_0p5s.codes.npy"), 0, 1));
    // Upstream's encode(x, n_q, st) quantizes x itself from layer st on (not the residual after
    // layer 0), so these rows are not rows 1..3 of the full encode: the library's are the reference.
    const model = await load(join(stDir!, "hubert_avg_tiny"));
    const [direct] = await model.encode([readNpyF32(join(stDir!, "inputs", "clip_0p5s.npy")).data], { codebooks: 3, firstCodebook: 1 });
    await model.dispose();
    assert.deepEqual(middle.body.code.flat(), Array.from(direct!.data));
    assert.notDeepEqual(middle.body.code, refRows(ref("clip_0p5s.codes.npy"), 1, 3));
    assert.equal(middle.body.first_codebook, 1);
    assert.equal(all.body.scale, undefined, "SpeechTokenizer codes have no scale");
    const metrics = await scrape(base, auth);
    assert.equal(metricValue(metrics, "s3tokenizer_batch_size_count") - groupsBefore, 1, "one group for the three requests");
  });

  test("/v1/detokenize answers upstream's decode (all rows; rows 1..3 from layer 1)", async () => {
    const allRows = await detokenize(base, { code: refRows(ref("clip_0p5s.codes.npy"), 0, 8) }, "?format=f32", auth);
    assert.equal(allRows.status, 200);
    assert.equal(allRows.type, "audio/wav");
    const expected = readNpyF32(ref("clip_0p5s.decode_all.npy")).data;
    assert.ok(maxAbsDiff(floatWavSamples(allRows.bytes), expected) <= 1e-4);

    const body = { key: "utt", code: refRows(ref("clip_0p5s.codes.npy"), 1, 3), first_codebook: 1 };
    const middle = await detokenize(base, body, "?format=f32", auth);
    assert.equal(middle.status, 200);
    assert.ok(maxAbsDiff(floatWavSamples(middle.bytes), readNpyF32(ref("clip_0p5s.decode_q1to3_st1.npy")).data) <= 1e-4);
  });

  test("a tokenize answer is a detokenize body; the default WAV is 16-bit PCM; metrics count it", async () => {
    const before = await scrape(base, auth);
    const tokens = await post(`${base}/v1/tokenize`, clipWav(stDir!, "short_0p3s"), auth);
    assert.equal(tokens.status, 200);
    const wav = await detokenize(base, tokens.body, "", auth);
    assert.equal(wav.status, 200);
    const view = new DataView(wav.bytes.buffer, wav.bytes.byteOffset);
    assert.equal(view.getUint16(20, true), 1, "PCM format tag");
    assert.equal(view.getUint16(34, true), 16, "16 bits per sample");
    const samples = view.getUint32(40, true) / 2;
    assert.equal(samples, 320 * tokens.body.code_len);
    assert.deepEqual(tokens.body.code, refRows(ref("short_0p3s.codes.npy"), 0, 8));
    const expected = readNpyF32(ref("short_0p3s.decode_all.npy")).data;
    for (const i of [0, 100, samples - 1]) {
      const want = Math.max(-32768, Math.min(32767, Math.round(expected[i]! * 32767)));
      assert.ok(Math.abs(view.getInt16(44 + 2 * i, true) - want) <= 1, `sample ${i}`);
    }
    const after = await scrape(base, auth);
    const count = (text: string) => metricValue(text, "s3tokenizer_http_requests_total", { route: "/v1/detokenize", status: "200" });
    assert.equal(count(after) - count(before), 1);
    const seconds = (text: string) => metricValue(text, "s3tokenizer_decoded_audio_seconds_total");
    assert.ok(Math.abs(seconds(after) - seconds(before) - samples / 16_000) < 1e-9);
  });

  test("bad tokenize parameters are 400s naming the parameter", async () => {
    const wav = clipWav(stDir!, "short_0p3s");
    for (const [query, name] of [
      ["n_q=0", "n_q"],
      ["n_q=9", "n_q"],
      ["n_q=two", "n_q"],
      ["first_codebook=8", "first_codebook"],
      ["n_q=8&first_codebook=1", "n_q"],
      ["bit_width=2000", "bit_width"],
      ["n_q=1&n_q=2", "n_q"],
      ["rows=2", "rows"],
    ] as const) {
      const answer = await post(`${base}/v1/tokenize?${query}`, wav, auth);
      assert.equal(answer.status, 400, query);
      assert.match(answer.body.error.message, new RegExp(name), query);
    }
  });

  test("bad detokenize bodies are 400s naming the problem; auth and the body limit hold", async () => {
    const rows = refRows(ref("short_0p3s.codes.npy"), 0, 8);
    const cases: [unknown, RegExp][] = [
      ["{not json", /not JSON/],
      [[1, 2], /JSON object/],
      [{ codes: rows }, /"code" must be a non-empty list/],
      [{ code: [...rows, rows[0]] }, /9 rows from layer 0 on, but the model has 8 layers/],
      [{ code: rows.slice(0, 2), first_codebook: 7 }, /2 rows from layer 7/],
      [{ code: [[0, 64]] }, /code 64 at row 0, position 1 is outside 0\.\.63/],
      [{ code: [[0, -1]] }, /outside/],
      // Checked before any Int32Array: 2**32 + 5 would otherwise wrap to code 5, 1e30 to 0.
      [{ code: [[0, 2 ** 32 + 5]] }, /code 4294967301 at row 0, position 1 is outside 0\.\.63/],
      [{ code: [[0, 1e30]] }, /code 1e\+30 at row 0, position 1 is outside 0\.\.63/],
      [{ code: [[0, 1], [2]] }, /row 1 has 1 codes/],
      [{ code: [[0, 1.5]] }, /not an integer/],
      [{ code: rows, first_codebook: -1 }, /"first_codebook" must be a non-negative integer/],
      [{ code: rows, scale: 0 }, /"scale" must be a positive number/],
    ];
    for (const [body, message] of cases) {
      const answer = await detokenize(base, body, "", auth);
      assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(errorOf(answer).code, "bad_request");
      assert.match(errorOf(answer).message, message);
    }
    const badFormat = await detokenize(base, { code: rows }, "?format=s24", auth);
    assert.equal(badFormat.status, 400);
    assert.match(errorOf(badFormat).message, /format must be pcm16 or f32/);
    assert.equal((await detokenize(base, { code: rows })).status, 401);
    const huge = { code: Array.from({ length: 8 }, () => new Array<number>(8000).fill(10)) };
    assert.equal((await detokenize(base, huge, "", auth)).status, 413);
  });
});

describe("serve: detokenize past its deadline", { skip: stDir === null ? "../shared/fixtures/speechtokenizer not found" : false }, () => {
  test("504, the work counted as dropped while running, and shutdown waits for the model", async () => {
    const server = await startInProcess(join(stDir!, "hubert_avg_tiny"), ["--deadline_ms", "300", "--feature_workers", "1"]);
    try {
      // 200 s of audio: decoding takes seconds on a CPU, far past the deadline.
      const frames = 10_000;
      const code = Array.from({ length: 8 }, (_, r) => Array.from({ length: frames }, (_, t) => (r * 7 + t) % 64));
      const answer = await detokenize(server.url, { code });
      assert.equal(answer.status, 504);
      assert.equal(errorOf(answer).code, "deadline_exceeded");
      const metrics = await scrape(server.url);
      assert.equal(metricValue(metrics, "s3tokenizer_requests_dropped_total", { reason: "deadline", stage: "running" }), 1);
      assert.equal(metricValue(metrics, "s3tokenizer_decoded_audio_seconds_total"), 0);
      assert.equal((await server.ready).pending, 1, "the abandoned decode still holds the model");
    } finally {
      await server.shutdown();
    }
  });
});

describe("serve: FunCodec", { skip: fcDir === null ? "../shared/fixtures/funcodec not found" : false }, () => {
  let server: ServeHandle;
  let base: string;
  const manifest = fcDir === null ? null : (JSON.parse(readFileSync(join(fcDir, "manifest.json"), "utf8")) as { clips: Record<string, { L: number; scale: number }> });

  before(async () => {
    server = await startInProcess(fcDir!, ["--feature_workers", "1", "--max_wait_ms", "500"]);
    base = server.url;
  });
  after(() => server?.shutdown());

  test("bit_width=2000 gives upstream's 8 rows and scale; detokenize with the scale gives its reconstruction", async () => {
    const clip = "clip_0p5s";
    const tokens = await post(`${base}/v1/tokenize?bit_width=2000`, clipWav(fcDir!, clip), {});
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.deepEqual(tokens.body.code, refRows(join(fcDir!, "ref", `${clip}.bw2000.codes.npy`), 0, 8));
    const scale = manifest!.clips[clip]!.scale;
    assert.ok(Math.abs(tokens.body.scale - scale) <= 1e-6 * scale, `scale ${tokens.body.scale} vs ${scale}`);

    const wav = await detokenize(base, { code: tokens.body.code, scale: tokens.body.scale }, "?format=f32");
    assert.equal(wav.status, 200);
    const audio = floatWavSamples(wav.bytes);
    // Decoding gives hop × T samples; upstream's reconstruction is trimmed to the input's L.
    assert.equal(audio.length, readNpy(join(fcDir!, "ref", `${clip}.bw2000.recon_decode.npy`)).shape[2]);
    const L = manifest!.clips[clip]!.L;
    const expected = readNpyF32(join(fcDir!, "ref", `${clip}.bw2000.recon_scaled.npy`)).data;
    assert.ok(maxAbsDiff(audio.subarray(0, L), expected) <= 1e-4);
  });

  test("an utterance the model refuses fails alone, not the group it shared", async () => {
    const clip = "clip_0p5s";
    // Past FunCodec's longest utterance (90 s): its encode throws before any forward pass.
    const tooLong = encodeWav(new Float32Array(91 * 16_000).fill(0.01), 16_000, "f32");
    const groupsBefore = metricValue(await scrape(base), "s3tokenizer_batch_size_count");
    const [long, short] = await Promise.all([post(`${base}/v1/tokenize`, tooLong), post(`${base}/v1/tokenize?bit_width=2000`, clipWav(fcDir!, clip))]);
    assert.equal(long.status, 400, JSON.stringify(long.body));
    assert.match(long.body.error.message, /longer than this FunCodec model accepts/);
    assert.equal(short.status, 200, JSON.stringify(short.body));
    assert.deepEqual(short.body.code, refRows(join(fcDir!, "ref", `${clip}.bw2000.codes.npy`), 0, 8));
    assert.equal(metricValue(await scrape(base), "s3tokenizer_batch_size_count") - groupsBefore, 1, "both in one group");
  });

  test("n_q and bit_width together, first_codebook, and bit_width 0 are 400s", async () => {
    const wav = clipWav(fcDir!, "short_0p3s");
    for (const [query, name] of [["n_q=2&bit_width=500", /n_q and bit_width/], ["first_codebook=1", /first_codebook/], ["bit_width=0", /bit_width/]] as const) {
      const answer = await post(`${base}/v1/tokenize?${query}`, wav);
      assert.equal(answer.status, 400, query);
      assert.match(answer.body.error.message, name, query);
    }
  });
});

describe("serve: a family without a decoder", { skip: s3Dir === null ? "fixtures not found" : false }, () => {
  let server: ServeHandle;
  before(async () => {
    server = await startInProcess(modelPath(s3Dir!, "speech_tokenizer_v1"), ["--feature_workers", "1"]);
  });
  after(() => server?.shutdown());

  test("/v1/detokenize answers 501 not_implemented; n_q above 1 and bit_width are 400s", async () => {
    const answer = await detokenize(server.url, { code: [1, 2, 3] });
    assert.equal(answer.status, 501);
    assert.equal(errorOf(answer).code, "not_implemented");
    assert.match(errorOf(answer).message, /no decoder/);
    const silence = encodeWav(new Float32Array(16_000), 16_000, "f32");
    assert.equal((await post(`${server.url}/v1/tokenize?n_q=2`, silence)).status, 400);
    assert.equal((await post(`${server.url}/v1/tokenize?bit_width=2000`, silence)).status, 400);
    const service = await server.ready;
    await assert.rejects(service.detokenize({ data: new Int32Array([1, 2]), codebooks: 1, frames: 2 }), NoDecoderError);
  });
});
