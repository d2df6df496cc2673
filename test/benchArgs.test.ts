/** The benchmark's command line: the device every variant runs on. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BenchUsageError, parseBenchArgs } from "../bench/args.js";

test("bench --device: cpu by default; cuda:N keeps its ordinal; webgpu; anything else is a usage error", () => {
  const plain = parseBenchArgs([]);
  assert.ok(plain !== "help");
  assert.deepEqual([plain.runtime.device, plain.deviceFlag], ["cpu", "cpu"]);
  const cuda = parseBenchArgs(["--device", "cuda:1"]);
  assert.ok(cuda !== "help");
  assert.deepEqual(cuda.runtime, { device: "cuda", deviceId: 1 });
  const webgpu = parseBenchArgs(["--device", "webgpu", "--quick"]);
  assert.ok(webgpu !== "help");
  assert.equal(webgpu.runtime.device, "webgpu");
  assert.throws(() => parseBenchArgs(["--device", "tpu"]), (error: unknown) => error instanceof BenchUsageError && /tpu/.test(error.message));
});

test("bench --versions takes speechtokenizer beside the S3 versions; --upstream-speechtokenizer needs it and a checkout", () => {
  const mixed = parseBenchArgs(["--versions", "speechtokenizer,v2"]);
  assert.ok(mixed !== "help");
  assert.deepEqual([mixed.versions, mixed.families, mixed.order], [["v2"], ["speechtokenizer"], ["speechtokenizer", "v2"]]);
  assert.equal(mixed.upstreamSpeechTokenizer, null);
  const all = parseBenchArgs([]);
  assert.ok(all !== "help" && all.families.includes("speechtokenizer") && all.versions.length > 0);
  assert.throws(() => parseBenchArgs(["--versions", "v2", "--upstream-speechtokenizer", "."]),
    (error: unknown) => error instanceof BenchUsageError && /add speechtokenizer/.test(error.message));
  assert.throws(() => parseBenchArgs(["--versions", "speechtokenizer", "--upstream-speechtokenizer", "/nonexistent/upstream"]),
    (error: unknown) => error instanceof BenchUsageError && /nonexistent\/upstream/.test(error.message));
  assert.throws(() => parseBenchArgs(["--versions", "speechtokenizers"]), (error: unknown) => error instanceof BenchUsageError && /speechtokenizers/.test(error.message));
});
