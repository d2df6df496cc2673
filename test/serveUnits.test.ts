/**
 * The pieces of the service without HTTP: raw-PCM parameters, the bind rule, bearer tokens, the
 * command line, and TokenizerService as a library class (fixture models; skipped without them).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseServeOptions } from "../src/cli/serveCommand.js";
import { AudioDecodeError, AudioTooShortError, InvalidInputError, UsageError } from "../src/errors.js";
import { QueueFullError, RequestCancelledError } from "../src/pipeline/dynamicBatcher.js";
import { BearerAuth } from "../src/serve/auth.js";
import { checkBindSafety, isLoopback } from "../src/serve/bind.js";
import { AudioTooLongError, DeadlineExceededError, UnsupportedAudioFormatError } from "../src/serve/errors.js";
import { toHttpError } from "../src/serve/httpError.js";
import { TokenizerHttpServer } from "../src/serve/httpServer.js";
import { decodeRawPcm, rawPcmSpec } from "../src/serve/rawPcm.js";
import { TokenizerService } from "../src/serve/service.js";
import { S3Tokenizer } from "../src/s3Tokenizer.js";
import { modelPath, referenceTokens } from "./support/conformance.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";

const fixtures = fixturesDir();

describe("serve: raw PCM parameters", () => {
  test("no query means an audio file; sample_rate with format means raw PCM", () => {
    assert.equal(rawPcmSpec(new URLSearchParams("")), null);
    assert.deepEqual(rawPcmSpec(new URLSearchParams("sample_rate=22050&format=pcm16")), { sampleRate: 22050, format: "pcm16" });
    assert.deepEqual(rawPcmSpec(new URLSearchParams("sample_rate=16000&format=f32")), { sampleRate: 16000, format: "f32" });
  });

  test("mistakes are InvalidInputError", () => {
    for (const query of ["format=f32", "sample_rate=16k", "sample_rate=0", "sample_rate=9999999", "sample_rate=16000&format=s24", "rate=16000"]) {
      assert.throws(() => rawPcmSpec(new URLSearchParams(query)), InvalidInputError, query);
    }
  });

  test("samples are decoded little-endian, pcm16 scaled by 1/32768; damaged bodies refused", () => {
    const pcm = new Uint8Array([0x00, 0x80, 0xff, 0x7f, 0x00, 0x00]);
    assert.deepEqual(Array.from(decodeRawPcm(pcm, { sampleRate: 16000, format: "pcm16" }, "b")), [-1, 32767 / 32768, 0]);
    assert.throws(() => decodeRawPcm(pcm.subarray(0, 5), { sampleRate: 16000, format: "pcm16" }, "b"), AudioDecodeError);
    const nan = new Uint8Array(new Float32Array([0.5, Number.NaN]).buffer);
    assert.throws(() => decodeRawPcm(nan, { sampleRate: 16000, format: "f32" }, "b"), /sample 1 is NaN/);
  });
});

describe("serve: where it may listen", () => {
  test("loopback addresses", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"]) assert.ok(isLoopback(host), host);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "example.com", "192.168.1.2"]) assert.ok(!isLoopback(host), host);
  });

  test("a non-loopback address needs a token or --insecure", () => {
    assert.throws(() => checkBindSafety("0.0.0.0", false, false), UsageError);
    checkBindSafety("0.0.0.0", true, false);
    checkBindSafety("0.0.0.0", false, true);
    checkBindSafety("127.0.0.1", false, false);
  });
});

describe("serve: bearer tokens", () => {
  test("only the exact token passes", () => {
    const auth = new BearerAuth("abc123");
    assert.ok(auth.check("Bearer abc123"));
    assert.ok(auth.check("bearer abc123"));
    for (const header of [undefined, "", "abc123", "Bearer abc1234", "Bearer abc12", "Basic abc123", "Bearer"]) {
      assert.ok(!auth.check(header), String(header));
    }
  });

  test("the token file is trimmed; empty or unreadable files are usage errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "s3tok-token-"));
    writeFileSync(join(dir, "ok"), "  tok3n\n");
    assert.ok(BearerAuth.fromFile(join(dir, "ok")).check("Bearer tok3n"));
    writeFileSync(join(dir, "empty"), "\n");
    assert.throws(() => BearerAuth.fromFile(join(dir, "empty")), UsageError);
    assert.throws(() => BearerAuth.fromFile(join(dir, "missing")), UsageError);
  });
});

describe("serve: command line", () => {
  test("snake and kebab case, defaults", () => {
    const a = parseServeOptions(["--model", "m", "--max_wait_ms", "50", "--max-body-mb", "2", "--port", "0"]);
    assert.equal(a.maxWaitMs, 50);
    assert.equal(a.maxBodyBytes, 2 * 2 ** 20);
    assert.equal(a.port, 0);
    assert.equal(a.host, "127.0.0.1");
    assert.equal(a.deadlineMs, 60_000);
    assert.equal(a.maxBatchFrames, undefined, "absent: the tokenizer applies the device's default");
    assert.equal(parseServeOptions(["--model", "m", "--max_batch_frames", "6000"]).maxBatchFrames, 6000);
    assert.equal(a.insecure, false);
  });

  test("bad values are usage errors", () => {
    for (const argv of [[], ["--model", "m", "--port", "70000"], ["--model", "m", "--max_queue", "0"], ["--model", "m", "--max_audio_s", "-1"], ["--model", "m", "--nope"]]) {
      assert.throws(() => parseServeOptions(argv), UsageError, JSON.stringify(argv));
    }
  });
});

describe("serve: status codes of typed errors", () => {
  test("one table", () => {
    assert.equal(toHttpError(new UnsupportedAudioFormatError("b", "x")).status, 415);
    assert.equal(toHttpError(new AudioDecodeError("b", "x")).status, 400);
    assert.equal(toHttpError(new AudioTooShortError("b", 1, 201)).status, 400);
    assert.equal(toHttpError(new AudioTooLongError("b", 30, 20)).status, 413);
    assert.equal(toHttpError(new QueueFullError(2)).status, 503);
    assert.equal(toHttpError(new QueueFullError(2)).headers["retry-after"], "1");
    assert.equal(toHttpError(new DeadlineExceededError(5)).status, 504);
    assert.equal(toHttpError(new Error("boom")).status, 500);
  });
});

describe("serve: TokenizerService", { skip: fixtures === null ? skipReason : false }, () => {
  const V2 = "speech_tokenizer_v2_25hz";
  const audio = (name: string) => new Uint8Array(readFileSync(join(fixtures!, "audio", name)));

  for (const workers of [0, 2]) {
    test(`tokenizeBytes gives the reference tokens (${workers} feature workers), typed errors from the workers`, async () => {
      const tokenizer = await S3Tokenizer.load(modelPath(fixtures!, V2));
      const service = new TokenizerService(tokenizer, { featureWorkers: workers, maxAudioSeconds: 5 });
      try {
        const reference = referenceTokens(fixtures!, V2).single;
        const [a, b] = await Promise.all([service.tokenizeBytes(audio("aishell_0121.wav")), service.tokenizeBytes(audio("aishell_0122.wav"))]);
        assert.deepEqual(Array.from(a.codes), reference["aishell_0121_wav"]);
        assert.deepEqual(Array.from(b.codes), reference["aishell_0122_wav"]);
        assert.equal(a.audioSeconds, 67263 / 16000);
        // Compressed audio stops decoding at the limit (7.6 s of FLAC, 5 s allowed).
        await assert.rejects(service.tokenizeBytes(audio("en_22k.flac")), (e: unknown) => e instanceof AudioTooLongError && /longer than 5 s/.test(e.message));
        await assert.rejects(service.tokenizeBytes(new TextEncoder().encode("plain text")), UnsupportedAudioFormatError);
        await assert.rejects(service.tokenizeBytes(audio("aishell_0121.wav").subarray(0, 100)), AudioDecodeError);
        // The caller's bytes are untouched (copied, not moved to the worker).
        const bytes = audio("aishell_0121.wav");
        await service.tokenizeBytes(bytes);
        assert.equal(bytes.length, 134570);
      } finally {
        await service.close();
        await tokenizer.dispose();
      }
    });
  }

  test("an aborted call rejects with the signal's reason and its work is dropped", async () => {
    const service = await TokenizerService.load(modelPath(fixtures!, V2), { maxWaitMs: 500, featureWorkers: 1 });
    const drops: string[] = [];
    service.onDrop((stage) => drops.push(stage));
    try {
      const controller = new AbortController();
      const call = service.tokenizeBytes(audio("aishell_0121.wav"), { signal: controller.signal });
      while (service.batcher.queueDepth === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort(new DeadlineExceededError(1));
      await assert.rejects(call, DeadlineExceededError);
      await service.idle();
      assert.deepEqual(drops, ["queued"]);
      assert.equal(service.batcher.groups, 0);
      const already = new AbortController();
      already.abort();
      await assert.rejects(service.tokenizeBytes(audio("aishell_0121.wav"), { signal: already.signal }), RequestCancelledError);
    } finally {
      await service.close();
    }
  });
});

describe("serve: keep-alive after a blocked event loop", () => {
  test("a request that waited in the kernel while the loop was blocked is served, not reset", async () => {
    // Inference blocks the event loop (onnxruntime-node runs a session from a setImmediate); a
    // keep-alive timer that expires meanwhile must not close a connection whose next request is
    // already waiting. No model needed: /healthz answers.
    const server = new TokenizerHttpServer({
      host: "127.0.0.1", port: 0, maxBodyBytes: 1024, deadlineMs: 1000, maxQueue: 1, auth: null, modelName: "none", keepAliveTimeoutMs: 100,
    });
    const { port } = await server.listen();
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("error", () => undefined);
    const answers = () => received.match(/HTTP\/1\.1 \d+/g) ?? [];
    const get = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    try {
      socket.write(get);
      await waitUntil(() => answers().length === 1);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the server's idle timer is running
      // The next request reaches the kernel, then the loop is blocked past the idle timeout (Node
      // adds 1 s to it) from a setImmediate: the next turn's timers run before its poll reads it.
      await new Promise<void>((resolve) => setImmediate(() => {
        socket.write(get);
        const end = Date.now() + 1500;
        while (Date.now() < end);
        resolve();
      }));
      await Promise.race([waitUntil(() => answers().length === 2), closed]);
      assert.deepEqual(answers(), ["HTTP/1.1 200", "HTTP/1.1 200"], received);
    } finally {
      socket.destroy();
      await server.shutdown();
    }
  });
});

/** Polls `condition`; gives up (returns) after `timeoutMs`, leaving the assertion to say what is wrong. */
async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5));
}
