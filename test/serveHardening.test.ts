/**
 * The service under slow and hostile clients: bodies still arriving hold no queue slot, stalled
 * bodies and headers are cut off, /readyz answers 503 while draining, ambiguous queries are 400,
 * and `serve` takes the hub flags and --mode.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { InvalidInputError } from "../src/errors.js";
import { parseServeOptions } from "../src/cli/serveCommand.js";
import { watchPace } from "../src/serve/bodyPace.js";
import { rawPcmSpec } from "../src/serve/rawPcm.js";
import { modelPath } from "./support/conformance.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { get, post, startInProcess, waitFor } from "./support/serveClient.js";

const fixtures = fixturesDir();

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
