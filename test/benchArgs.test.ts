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
