/**
 * `s3tokenizer serve` end to end on the fixture models, on 127.0.0.1 only: concurrent requests
 * batched and answered with the reference tokens, every error status, dropped work for clients
 * that leave or run past their deadline, and a graceful SIGTERM under load.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { compareTokens, summarize } from "../src/s3Verify/missRate.js";
import type { ServeHandle } from "../src/serve/serve.js";
import { runCli } from "./support/cli.js";
import { MODEL_NAMES, modelPath, referenceTokens } from "./support/conformance.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import {
  fixtureAudio,
  get,
  metricValue,
  openRequest,
  post,
  postChunked,
  scrape,
  startChild,
  startInProcess,
  waitFor,
} from "./support/serveClient.js";

const fixtures = fixturesDir();
const skip = fixtures === null ? skipReason : false;
const V2 = "speech_tokenizer_v2_25hz";

function audioFile(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(fixtures!, "audio", name)));
}

/** A 16 kHz mono WAV header over `dataBytes` with the given format tag and sample size. */
function wavHeader(tag: number, bits: number, dataBytes: number): Uint8Array {
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => [...text].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, tag, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, 16000, true);
  view.setUint32(28, (16000 * bits) / 8, true);
  view.setUint16(32, bits / 8, true);
  view.setUint16(34, bits, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  return bytes;
}

describe("s3tokenizer serve", { skip }, () => {
  for (const name of MODEL_NAMES) {
    test(`${name}: 32 concurrent requests get the reference tokens, batched together`, async (t) => {
      const server = await startInProcess(modelPath(fixtures!, name), ["--max_wait_ms", "50"]);
      try {
        const reference = referenceTokens(fixtures!, name).single;
        const audio = fixtureAudio(fixtures!);
        const requests = Array.from({ length: 32 }, (_, i) => audio[i % audio.length]!);
        const answers = await Promise.all(requests.map((r) => post(`${server.url}/v1/tokenize`, r.bytes)));
        const comparisons = answers.map((answer, i) => {
          const { key } = requests[i]!;
          assert.equal(answer.status, 200, `${key}: ${JSON.stringify(answer.body)}`);
          assert.equal(answer.body.model, name);
          assert.equal(answer.body.code_len, answer.body.code.length);
          assert.equal(answer.body.token_rate, name === "speech_tokenizer_v1" ? 50 : 25);
          const c = compareTokens(reference[key]!, answer.body.code as number[]);
          assert.equal(c.candidateLength, c.referenceLength, `length of ${key}`);
          return c;
        });
        const total = summarize(comparisons);
        t.diagnostic(`${name}: miss rate ${(100 * total.missRate).toFixed(4)}% over ${total.compared} tokens`);
        assert.ok(total.missRate <= 0.001);
        const metrics = await scrape(server.url);
        const groups = metricValue(metrics, "s3tokenizer_batch_size_count");
        const singles = metricValue(metrics, "s3tokenizer_batch_size_bucket", { le: "1" });
        t.diagnostic(`${groups} groups for 32 requests`);
        assert.ok(groups - singles > 0, "some group held more than one request");
        assert.equal(metricValue(metrics, "s3tokenizer_http_requests_total", { route: "/v1/tokenize", status: "200" }), 32);
        assert.ok(metricValue(metrics, "s3tokenizer_audio_seconds_total") > 100);
      } finally {
        await server.shutdown();
      }
    });
  }

  describe("limits and errors", () => {
    let server: ServeHandle;
    const token = "s3cr3t-token-for-tests";
    const auth = { authorization: `Bearer ${token}` };
    before(async () => {
      const dir = mkdtempSync(join(tmpdir(), "s3tok-serve-"));
      writeFileSync(join(dir, "token"), `${token}\n`);
      server = await startInProcess(modelPath(fixtures!, V2), ["--token_file", join(dir, "token"), "--max_body_mb", "1", "--max_audio_s", "20"]);
    });
    after(() => server.shutdown());

    test("401 without the token or with a wrong one; probes need none", async () => {
      const body = audioFile("aishell_0121.wav");
      const none = await post(`${server.url}/v1/tokenize`, body);
      assert.equal(none.status, 401);
      assert.equal(none.body.error.code, "unauthorized");
      assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.equal((await post(`${server.url}/v1/tokenize`, body, { authorization: `Bearer ${token}x` })).status, 401);
      assert.equal((await post(`${server.url}/v1/tokenize`, body, { authorization: token })).status, 401);
      assert.equal((await get(`${server.url}/metrics`)).status, 401);
      assert.equal((await get(`${server.url}/healthz`)).status, 200);
      assert.equal((await get(`${server.url}/readyz`)).status, 200);
      const ok = await post(`${server.url}/v1/tokenize`, body, auth);
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body.code, referenceTokens(fixtures!, V2).single["aishell_0121_wav"]);
    });

    test("413 for a body over --max_body_mb, by Content-Length and counted while streaming", async () => {
      const big = audioFile("long_56s.wav"); // 1.8 MB
      const announced = await post(`${server.url}/v1/tokenize`, big, auth);
      assert.equal(announced.status, 413);
      assert.equal(announced.body.error.code, "body_too_large");
      // Chunked: no Content-Length, so the limit is found by counting.
      const counted = await postChunked(`${server.url}/v1/tokenize`, 3 * 2 ** 20, auth);
      assert.equal(counted.status, 413);
      assert.match(JSON.parse(counted.body).error.message, /exceeds the limit of 1048576 bytes/);
      // The server is fine afterwards.
      assert.equal((await post(`${server.url}/v1/tokenize`, audioFile("aishell_0122.wav"), auth)).status, 200);
    });

    test("413 for audio over --max_audio_s", async () => {
      const answer = await post(`${server.url}/v1/tokenize`, audioFile("exact_30s.wav"), auth);
      assert.equal(answer.status, 413);
      assert.equal(answer.body.error.code, "audio_too_long");
      assert.match(answer.body.error.message, /30\.00 s long; at most 20 s/);
      // Raw PCM over the limit too (20.5 s at 8 kHz).
      const pcm = new Uint8Array(8000 * 2 * 20.5);
      const raw = await post(`${server.url}/v1/tokenize?sample_rate=8000&format=pcm16`, pcm, auth);
      assert.equal(raw.status, 413);
    });

    test("415 for what is not audio or not a supported codec, 400 for damaged audio", async () => {
      const text = await post(`${server.url}/v1/tokenize`, "this is not audio, just some text\n", auth);
      assert.equal(text.status, 415);
      assert.equal(text.body.error.code, "unsupported_media_type");
      assert.match(text.body.error.message, /not a known audio format/);
      const alaw = await post(`${server.url}/v1/tokenize`, wavHeader(6, 8, 16000), auth);
      assert.equal(alaw.status, 415, JSON.stringify(alaw.body));
      assert.match(alaw.body.error.message, /unsupported WAV format/);
      const mp4 = new Uint8Array(64);
      mp4.set([...Buffer.from("\0\0\0\x20ftypM4A ", "latin1")]);
      const m4a = await post(`${server.url}/v1/tokenize`, mp4, auth);
      assert.equal(m4a.status, 415);
      assert.match(m4a.body.error.message, /MP4\/M4A is not decoded by this service/);

      const truncated = await post(`${server.url}/v1/tokenize`, audioFile("aishell_0121.wav").subarray(0, 3000), auth);
      assert.equal(truncated.status, 400);
      assert.equal(truncated.body.error.code, "bad_audio");
      assert.match(truncated.body.error.message, /data chunk claims \d+ bytes but only 2956 are present/);
      const tiny = await post(`${server.url}/v1/tokenize`, wavHeader(1, 16, 200), auth);
      assert.equal(tiny.status, 400);
      assert.equal(tiny.body.error.code, "audio_too_short");
      const odd = await post(`${server.url}/v1/tokenize?sample_rate=16000&format=pcm16`, new Uint8Array(16001), auth);
      assert.equal(odd.status, 400);
      const badQuery = await post(`${server.url}/v1/tokenize?sample_rate=16k`, new Uint8Array(16000), auth);
      assert.equal(badQuery.status, 400);
      assert.equal(badQuery.body.error.code, "bad_request");
      const empty = await post(`${server.url}/v1/tokenize`, new Uint8Array(0), auth);
      assert.equal(empty.status, 400);
    });

    test("raw PCM (pcm16 and f32) gets the same tokens as the WAV it came from", async () => {
      const wav = audioFile("aishell_0121.wav");
      const reference = referenceTokens(fixtures!, V2).single["aishell_0121_wav"];
      const data = wav.subarray(44); // 16 kHz PCM16 mono, canonical 44-byte header
      const pcm16 = await post(`${server.url}/v1/tokenize?sample_rate=16000&format=pcm16`, data, auth);
      assert.equal(pcm16.status, 200, JSON.stringify(pcm16.body));
      assert.deepEqual(pcm16.body.code, reference);
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const f32 = new Float32Array(data.length / 2);
      for (let i = 0; i < f32.length; i++) f32[i] = view.getInt16(2 * i, true) / 32768;
      const float = await post(`${server.url}/v1/tokenize?sample_rate=16000&format=f32`, new Uint8Array(f32.buffer), auth);
      assert.equal(float.status, 200);
      assert.deepEqual(float.body.code, reference);
      assert.equal(float.body.audio_s, f32.length / 16000);
    });

    test("404 for an unknown route, 405 for a wrong method", async () => {
      const missing = await get(`${server.url}/v1/nope`, auth);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, "not_found");
      const wrong = await get(`${server.url}/v1/tokenize`, auth);
      assert.equal(wrong.status, 405);
      assert.equal(wrong.headers.get("allow"), "POST");
      assert.equal((await post(`${server.url}/healthz`, "x")).status, 405);
      const metrics = await scrape(server.url, auth);
      assert.equal(metricValue(metrics, "s3tokenizer_http_requests_total", { route: "other", status: "404" }), 1);
      assert.ok(metricValue(metrics, "s3tokenizer_http_requests_total", { route: "/v1/tokenize", status: "401" }) >= 3);
    });
  });

  test("503 with Retry-After when more requests wait than --max_queue", async () => {
    const server = await startInProcess(modelPath(fixtures!, V2), ["--max_queue", "2", "--max_wait_ms", "200"]);
    try {
      const body = audioFile("aishell_0121.wav");
      const answers = await Promise.all(Array.from({ length: 16 }, () => post(`${server.url}/v1/tokenize`, body)));
      const refused = answers.filter((a) => a.status === 503);
      const served = answers.filter((a) => a.status === 200);
      assert.equal(refused.length + served.length, 16, JSON.stringify(answers.map((a) => a.status)));
      assert.ok(refused.length > 0 && served.length >= 2, `${served.length} served, ${refused.length} refused`);
      for (const a of refused) {
        assert.equal(a.body.error.code, "queue_full");
        assert.equal(a.headers.get("retry-after"), "1");
      }
      assert.equal((await post(`${server.url}/v1/tokenize`, body)).status, 200);
    } finally {
      await server.shutdown();
    }
  });

  test("504 past --deadline_ms, and the work never reaches the model", async () => {
    const server = await startInProcess(modelPath(fixtures!, V2), ["--deadline_ms", "150", "--max_wait_ms", "800"]);
    try {
      const answer = await post(`${server.url}/v1/tokenize`, audioFile("aishell_0121.wav"));
      assert.equal(answer.status, 504);
      assert.equal(answer.body.error.code, "deadline_exceeded");
      await new Promise((resolve) => setTimeout(resolve, 900)); // past max_wait: a group would have run
      const metrics = await scrape(server.url);
      assert.equal(metricValue(metrics, "s3tokenizer_requests_dropped_total", { reason: "deadline", stage: "queued" }), 1);
      assert.equal(metricValue(metrics, "s3tokenizer_batch_size_count"), 0);
      assert.equal(metricValue(metrics, "s3tokenizer_queue_depth"), 0);
    } finally {
      await server.shutdown();
    }
  });

  test("a client that disconnects has its queued work dropped; the server carries on", async () => {
    const server = await startInProcess(modelPath(fixtures!, V2), ["--max_wait_ms", "1000"]);
    try {
      const pending = openRequest(`${server.url}/v1/tokenize`, audioFile("aishell_0122.wav"));
      await waitFor("the request to be queued", async () => metricValue(await scrape(server.url), "s3tokenizer_queue_depth") === 1);
      pending.destroy();
      assert.equal(await pending.answered, null);
      await waitFor("the drop to be counted", async () => {
        const metrics = await scrape(server.url);
        return metricValue(metrics, "s3tokenizer_requests_dropped_total", { reason: "client_closed", stage: "queued" }) === 1;
      });
      const metrics = await scrape(server.url);
      assert.equal(metricValue(metrics, "s3tokenizer_queue_depth"), 0);
      assert.equal(metricValue(metrics, "s3tokenizer_requests_in_progress"), 0);
      const later = await post(`${server.url}/v1/tokenize`, audioFile("aishell_0121.wav"));
      assert.equal(later.status, 200);
      assert.deepEqual(later.body.code, referenceTokens(fixtures!, V2).single["aishell_0121_wav"]);
      // Only the later request ever reached the model.
      assert.equal(metricValue(await scrape(server.url), "s3tokenizer_batch_size_sum"), 1);
    } finally {
      await server.shutdown();
    }
  });

  test("refuses to listen on 0.0.0.0 without --token_file or --insecure (exit code 2)", async () => {
    const result = await runCli(["serve", "--model", modelPath(fixtures!, V2), "--host", "0.0.0.0", "--port", "0"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /refusing to listen on 0\.0\.0\.0 without authentication/);
    assert.match(result.stderr, /--insecure/);
  });

  test("SIGTERM under load: every accepted request is answered, then exit code 0", async () => {
    const server = await startChild(modelPath(fixtures!, V2), ["--max_wait_ms", "1500"]);
    const reference = referenceTokens(fixtures!, V2).single;
    const audio = fixtureAudio(fixtures!);
    const requests = Array.from({ length: 24 }, (_, i) => audio[i % audio.length]!);
    const answers = Promise.all(requests.map((r) => post(`${server.url}/v1/tokenize`, r.bytes)));
    // All accepted (in progress or answered) before the signal.
    await waitFor("all requests to be accepted", async () => {
      const metrics = await scrape(server.url);
      const answered = metricValue(metrics, "s3tokenizer_http_requests_total", { route: "/v1/tokenize" });
      return answered + metricValue(metrics, "s3tokenizer_requests_in_progress") === requests.length;
    });
    server.child.kill("SIGTERM");
    const results = await answers;
    results.forEach((answer, i) => {
      assert.equal(answer.status, 200, `${requests[i]!.key}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(answer.body.code, reference[requests[i]!.key]);
    });
    const exit = await server.exited;
    assert.equal(exit.code, 0, exit.stderr);
    assert.match(exit.stderr, /SIGTERM: not accepting new connections/);
    assert.match(exit.stderr, /stopped/);
  });
});
