/**
 * The fast mode's unfolded int8 convolution against onnxruntime's fp32 Conv. With integer inputs
 * spanning exactly [-128, 127] (activation scale 1) and integer weights whose every output column
 * reaches ±127 (weight scale 1), the int8 product is exact, so both must agree to the last bit:
 * any mistake in the taps, the stride, the edge padding, the mask or the weight layout shows.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { attr, DataType, GraphBuilder } from "../src/onnx/builder.js";
import { float32Tensor } from "../src/onnx/tensor.js";
import { encodeModel } from "../src/onnx/write.js";
import { maskedConvGelu, unfoldedConvGelu } from "../src/models/common/layers.js";

const [CHANNELS, OUT, KERNEL] = [4, 3, 3];

/** Deterministic integers in [low, high]. */
function integers(count: number, low: number, high: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return low + (state % (high - low + 1));
  });
}

async function bothConvolutions(stride: number, batch: number, frames: number, lengths: number[]) {
  const weight = integers(OUT * CHANNELS * KERNEL, -127, 127, 7); // [D, C, 3]
  for (let o = 0; o < OUT; o++) weight[o * CHANNELS * KERNEL + o] = o % 2 === 0 ? 127 : -127; // each column's max |w| is 127
  const conv = { weight: float32Tensor([OUT, CHANNELS, KERNEL], weight), bias: float32Tensor([OUT], Float32Array.from([3, -5, 11])) };
  const g = new GraphBuilder();
  const x = g.input("x", DataType.FLOAT, [batch, CHANNELS, frames]); // [B, C, T]
  const mask = g.input("mask", DataType.FLOAT, [batch, 1, frames]); // [B, 1, T]
  const reference = g.node("Transpose", [maskedConvGelu(g, x, mask, conv, stride, "/ref/Conv")], { perm: attr.ints([0, 2, 1]) }); // [B, T', D]
  g.output("reference", reference, DataType.FLOAT, [batch, "t", OUT]);
  g.output("unfolded", unfoldedConvGelu(g, x, mask, conv, stride, "/int8/Conv"), DataType.FLOAT, [batch, "t", OUT]);
  const session = await ort.InferenceSession.create(encodeModel(g.build("conv")));
  const input = integers(batch * CHANNELS * frames, -128, 127, 11);
  input[0] = -128;
  input[1] = 127; // the activations span exactly [-128, 127]
  const maskData = new Float32Array(batch * frames); // [B, 1, T]
  lengths.forEach((length, b) => maskData.fill(1, b * frames, b * frames + length));
  const out = await session.run({
    x: new ort.Tensor("float32", input, [batch, CHANNELS, frames]),
    mask: new ort.Tensor("float32", maskData, [batch, 1, frames]),
  });
  await session.release();
  return { reference: out.reference!, unfolded: out.unfolded! };
}

for (const [stride, frames] of [[2, 8], [2, 7], [1, 6]] as const) {
  test(`unfolded int8 convolution equals fp32 Conv exactly (stride ${stride}, ${frames} frames, padded batch)`, async () => {
    const { reference, unfolded } = await bothConvolutions(stride, 2, frames, [frames, frames - 3]);
    assert.deepEqual(unfolded.dims, reference.dims);
    assert.equal(reference.dims[1], Math.floor((frames - 1) / stride) + 1);
    assert.deepEqual(Array.from(unfolded.data as Float32Array), Array.from(reference.data as Float32Array));
  });
}
