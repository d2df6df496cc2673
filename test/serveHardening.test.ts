/**
 * The service under slow and hostile clients: bodies still arriving hold no queue slot, stalled
 * bodies and headers are cut off, /readyz answers 503 while draining, ambiguous queries are 400,
 * detokenize bodies nested too deep or larger than codes can be are refused as they arrive, and
 * `serve` takes the hub flags and --mode.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { InvalidInputError } from "../src/errors.js";
import { parseServeOptions } from "../src/cli/serveCommand.js";
import { watchPace } from "../src/serve/bodyPace.js";
import { JsonTooDeepError, watchJsonNesting } from "../src/serve/jsonNesting.js";
import { rawPcmSpec } from "../src/serve/rawPcm.js";
import { modelPath } from "./support/conformance.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { get, post, postChunked, startInProcess, waitFor } from "./support/serveClient.js";

const fixtures = fixturesDir();
const speechTokenizerDir = familyFixturesDir("speechtokenizer");

test("a repeated query parameter is refused, naming it and its values", () => {
  assert.throws(() => rawPcmSpec(new URLSearchParams("sample_rate=16000&sample_rate=8000&format=pcm16")), (e: unknown) => {
    assert.ok(e instanceof InvalidInputError);
    assert.match(e.message, /"sample_rate" is given 2 times \("16000", "8000"\)/);
    return true;
  });
  assert.throws(() => rawPcmSpec(new URLSearchParams("sample_rate=16000&format=pcm16&format=f32")), /"format" is given 2 times/);
});

test("sample_rate without format is refused instead of meaning pcm16", () => {
  assert.throws(() => rawPcmSpec(new URLSearchParams("sample_rate=16000")), /sample_rate needs format/);
});

test("serve takes the hub flags and --mode", () => {
  const options = parseServeOptions(["--model", "speech_tokenizer_v1", "--offline", "--cache_dir", "/tmp/c", "--endpoint", "http://mirror.invalid", "--registry", "/tmp/r.json", "--mode", "fast"]);
  assert.deepEqual(options.hub, { offline: true, cacheDir: "/tmp/c", endpoint: "http://mirror.invalid", registry: "/tmp/r.json" });
  assert.equal(options.mode, "fast");
  assert.throws(() => parseServeOptions(["--model", "m", "--mode", "quick"]), /--mode must be "exact" or "fast"/);
});

test("a crawling body is reported once the grace period is over", async () => {
  const slow = await new Promise<string>((resolve) => {
    const watch = watchPace({ idleMs: 10_000, minBytesPerSecond: 1000, graceMs: 100 }, (error) => {
      watch.stop();
      resolve(error.message);
    });
    watch.data(10);
  });
  assert.match(slow, /too slowly: \d+ bytes\/s on average, at least 1000 are required/);
});

/** A raw connection that sends `text` and keeps the socket; `answer` is whatever comes back. */
function rawRequest(url: string, text: string): { socket: Socket; answer: Promise<string> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.write(text);
  const answer = new Promise<string>((resolve) => {
    let got = "";
    socket.on("data", (d: Buffer) => (got += d.toString("latin1")));
    socket.on("close", () => resolve(got));
    socket.on("error", () => undefined);
  });
  return { socket, answer };
}

const trickleHead = (bytes: number) => `POST /v1/tokenize HTTP/1.1\r\nHost: x\r\nContent-Length: ${bytes}\r\n\r\n0123456789`;

describe("serve under slow clients", { skip: fixtures === null ? skipReason : false }, () => {
  const wav = () => new Uint8Array(readFileSync(join(fixtures!, "audio", "aishell_0121.wav")));

  test("trickling bodies hold no queue slot and are cut off with 408 when they stall", async () => {
    const server = await startInProcess(modelPath(fixtures!, "speech_tokenizer_v1"), ["--max_queue", "2", "--body_idle_ms", "1500", "--body_min_bps", "0", "--feature_workers", "0"]);
    try {
      const slow = Array.from({ length: 6 }, () => rawRequest(server.url, trickleHead(100_000)));
      await waitFor("the slow uploads to start", () => server.http.inProgress === 6);
      const normal = await post(`${server.url}/v1/tokenize`, wav());
      assert.equal(normal.status, 200, JSON.stringify(normal.body));
      const answers = await Promise.all(slow.map((s) => s.answer));
      for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 408 .*body_too_slow/s);
    } finally {
      await server.shutdown();
    }
  });

  test("headers that never finish are cut off", async () => {
    const server = await startInProcess(modelPath(fixtures!, "speech_tokenizer_v1"), ["--headers_timeout_ms", "500", "--feature_workers", "0"]);
    try {
      const started = performance.now();
      const stalled = rawRequest(server.url, "POST /v1/tokenize HTTP/1.1\r\nHost: x\r\n");
      const answer = await stalled.answer;
      assert.match(answer, /^HTTP\/1\.1 408/);
      assert.ok(performance.now() - started < 20_000);
    } finally {
      await server.shutdown();
    }
  });

  test("/readyz answers 503 while the server drains", async () => {
    const server = await startInProcess(modelPath(fixtures!, "speech_tokenizer_v1"), ["--body_idle_ms", "1500", "--body_min_bps", "0", "--feature_workers", "0"]);
    const slow = rawRequest(server.url, trickleHead(100_000)); // keeps the drain waiting
    await waitFor("the slow upload to start", () => server.http.inProgress === 1);
    const stopped = server.shutdown();
    const ready = await get(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.error.code, "shutting_down");
    await slow.answer;
    await stopped;
  });
});

/** Feeds `text` to a fresh nesting watcher in pieces of `piece` bytes; the error's message, or null. */
function nestingProblem(text: string, maxDepth: number, piece: number): string | null {
  const feed = watchJsonNesting("body", maxDepth);
  const bytes = Buffer.from(text, "utf8");
  try {
    for (let at = 0; at < bytes.length; at += piece) feed(bytes.subarray(at, at + piece));
    return null;
  } catch (error) {
    assert.ok(error instanceof JsonTooDeepError);
    assert.ok(error instanceof InvalidInputError);
    return error.message;
  }
}

test("the nesting watcher counts brackets outside strings only, wherever the pieces split", () => {
  for (const piece of [1, 2, 3, 1000]) {
    assert.equal(nestingProblem('{"code": [[1, 2], [3, 4]], "scale": 1}', 3, piece), null);
    assert.match(nestingProblem("[[[[1]]]]", 3, piece)!, /^body: JSON nests deeper than 3 levels \(byte 3 opens level 4\)/);
    // Brackets in strings, escaped quotes and non-ASCII text do not count.
    assert.equal(nestingProblem('{"key": "[[[[\\"[[{{ é 日本 ]]]", "code": [[1]]}', 3, piece), null);
    assert.match(nestingProblem('{"key": "\\\\", "code": [[[1]]]}', 3, piece)!, /byte 24 opens level 4/);
    // Closers past the top do not buy depth for later openers.
    assert.match(nestingProblem("]]]]][[[[", 3, piece)!, /byte 8 opens level 4/);
  }
});

/**
 * Sends `total` bytes of `[` in 64 KiB pieces, pausing between them, until the server answers;
 * chunked (no Content-Length), so that only what arrives can tell the server what the body is.
 */
function streamBrackets(url: string, total: number): { answer: Promise<{ status: number; body: string; sentBeforeAnswer: number }>; sent: () => number } {
  const piece = Buffer.alloc(64 * 1024, "[");
  let sent = 0;
  let answered = false;
  const req = httpRequest(url, { method: "POST", headers: { "content-type": "application/json" } });
  const answer = new Promise<{ status: number; body: string; sentBeforeAnswer: number }>((resolve, reject) => {
    req.on("response", (res) => {
      answered = true;
      const sentBeforeAnswer = sent;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body, sentBeforeAnswer });
        req.destroy();
      });
    });
    // The server hangs up on the rest once it has answered; an error before any answer fails the test.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
  });
  const pump = () => {
    if (answered || req.destroyed) return;
    if (sent >= total) return void req.end();
    const size = Math.min(piece.length, total - sent);
    sent += size;
    req.write(piece.subarray(0, size), () => setTimeout(pump, 5));
  };
  pump();
  return { answer, sent: () => sent };
}

describe("serve: detokenize bodies are bounded before they are parsed", { skip: speechTokenizerDir === null ? "../shared/fixtures/speechtokenizer not found" : false }, () => {
  const model = () => join(speechTokenizerDir!, "hubert_avg_tiny");

  test("a deeply nested code value is a 400 naming the nesting, not a 500", async () => {
    const server = await startInProcess(model(), ["--feature_workers", "0"]);
    try {
      const depth = 1_000_000; // 2 MB of brackets, balanced: valid JSON, within the size limit
      const body = `{"code": ${"[".repeat(depth)}0${"]".repeat(depth)}}`;
      const answer = await post(`${server.url}/v1/detokenize`, body);
      assert.equal(answer.status, 400, JSON.stringify(answer.body).slice(0, 300));
      assert.equal(answer.body.error.code, "bad_request");
      assert.match(answer.body.error.message, /request body: JSON nests deeper than 8 levels/);
      // The service goes on answering.
      assert.equal((await get(`${server.url}/healthz`)).status, 200);
    } finally {
      await server.shutdown();
    }
  });

  test("a body larger than codes for the longest audio is a 413 saying why, announced or streamed", async () => {
    // 8 rows × 50 frames a second × 1 s: a body past the codes' room is refused though --max_body_mb allows it.
    const server = await startInProcess(model(), ["--feature_workers", "0", "--max_audio_s", "1"]);
    try {
      const padded = `{"code": [[1, 2]]${" ".repeat(400_000)}}`; // valid JSON, 0.4 MB of it blank
      const announced = await post(`${server.url}/v1/detokenize`, padded);
      assert.equal(announced.status, 413, JSON.stringify(announced.body).slice(0, 300));
      assert.equal(announced.body.error.code, "body_too_large");
      assert.match(announced.body.error.message, /Content-Length 400018 exceeds the limit of \d+ bytes .*at most 8 rows of codes for 1 s of audio \(--max_audio_s\)/);
      const streamed = await postChunked(`${server.url}/v1/detokenize`, 1_000_000);
      assert.equal(streamed.status, 413, streamed.body);
      assert.match(JSON.parse(streamed.body).error.message, /the request body exceeds the limit .*at most 8 rows of codes/);
      // A body within the room still decodes.
      assert.equal((await post(`${server.url}/v1/detokenize`, JSON.stringify({ code: Array.from({ length: 8 }, () => [1, 2, 3]) }))).status, 200);
    } finally {
      await server.shutdown();
    }
  });

  test("while 30 MB of [ is being sent, /healthz answers and the upload is refused at its first bytes", async () => {
    const server = await startInProcess(model(), ["--feature_workers", "0"]);
    try {
      const total = 30 * 2 ** 20;
      const upload = streamBrackets(`${server.url}/v1/detokenize`, total);
      await waitFor("the upload to start", () => upload.sent() > 0);
      const health = await get(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(health.body.status, "alive");
      const answer = await upload.answer;
      assert.equal(answer.status, 400, answer.body.slice(0, 300));
      assert.match(JSON.parse(answer.body).error.message, /JSON nests deeper than 8 levels \(byte 8 opens level 9\)/);
      assert.ok(answer.sentBeforeAnswer < total, `answered only after all ${total} bytes were sent`);
    } finally {
      await server.shutdown();
    }
  });
});
