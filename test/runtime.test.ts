/** Devices and sessions. */
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { DeviceUnavailableError } from "../src/errors.js";
import { DataType, GraphBuilder } from "../src/onnx/builder.js";
import { encodeModel } from "../src/onnx/write.js";
import { cudaInstalled, deviceOrdinal, openSession, parseDevice, selectDevice, sessionOptions } from "../src/runtime/session.js";

function tinyModel(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input("x", DataType.FLOAT, ["n"]);
  g.output("y", g.node("Relu", [x]), DataType.FLOAT, ["n"]);
  return encodeModel(g.build("tiny"));
}

test("device names", () => {
  assert.equal(parseDevice("cpu"), "cpu");
  assert.equal(parseDevice("cuda"), "cuda");
  assert.equal(parseDevice("cuda:1"), "cuda");
  assert.equal(deviceOrdinal("cuda:1"), 1);
  assert.equal(parseDevice("webgpu"), "webgpu");
  assert.throws(() => parseDevice("tpu"), DeviceUnavailableError);
  assert.deepEqual(selectDevice("cuda:2"), { device: "cuda", deviceId: 2 });
  assert.deepEqual(selectDevice("webgpu"), { device: "webgpu" });
  assert.throws(() => selectDevice("tpu"), DeviceUnavailableError);
});

test("a CPU session without a thread count gets one per hardware thread; a chosen count and GPU sessions are left alone", () => {
  // onnxruntime's own default ran single-threaded on a 2-vCPU machine, so it is never left to it on the CPU.
  assert.equal(sessionOptions({}).intraOpNumThreads, availableParallelism());
  assert.equal(sessionOptions({ device: "cpu" }).intraOpNumThreads, availableParallelism());
  assert.equal(sessionOptions({ intraOpThreads: 1 }).intraOpNumThreads, 1);
  assert.equal("intraOpNumThreads" in sessionOptions({ device: "cuda" }), false);
  assert.equal("intraOpNumThreads" in sessionOptions({ device: "webgpu" }), false);
});

test("cuda without onnxruntime's CUDA provider is a clear DeviceUnavailableError", { skip: cudaInstalled() ? "CUDA provider installed" : false }, async () => {
  await assert.rejects(openSession(tinyModel(), { device: "cuda" }, "tiny"), (error: unknown) =>
    error instanceof DeviceUnavailableError && /CUDA/.test(error.message));
});

test("webgpu either runs the graph or fails with DeviceUnavailableError (no adapter here)", async () => {
  try {
    const session = await openSession(tinyModel(), { device: "webgpu" }, "tiny");
    const { ort } = await import("../src/runtime/session.js");
    const out = await session.run({ x: new ort.Tensor("float32", Float32Array.from([-1, 2]), [2]) });
    assert.deepEqual(Array.from(out["y"]!.data as Float32Array), [0, 2]);
    await session.release();
  } catch (error) {
    assert.ok(error instanceof DeviceUnavailableError, String(error));
    assert.match(error.message, /webgpu/);
  }
});

test("a built graph runs on the CPU", async () => {
  const session = await openSession(tinyModel(), { device: "cpu", intraOpThreads: 1 }, "tiny");
  const { ort } = await import("../src/runtime/session.js");
  const out = await session.run({ x: new ort.Tensor("float32", Float32Array.from([-1, 2]), [2]) });
  assert.deepEqual(Array.from(out["y"]!.data as Float32Array), [0, 2]);
  await session.release();
});
