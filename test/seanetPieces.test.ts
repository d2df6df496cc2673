/**
 * The family-neutral SEANet pieces against plain TypeScript references: per-row reflect padding
 * (upstream's pad1d, including its zero-then-reflect path for rows shorter than the pad) seen
 * through a one-hot convolution and through random weights against each row padded alone, and
 * the ONNX LSTM against a PyTorch-order LSTM on rows of different lengths (the reverse direction
 * must start at each row's own end).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { attr, DataType, GraphBuilder } from "../src/onnx/builder.js";
import { float32Tensor } from "../src/onnx/tensor.js";
import { encodeModel } from "../src/onnx/write.js";
import { openSession, ort } from "../src/runtime/session.js";
import { convPadding, extraPadding, paddedConv1d, type ConvParams } from "../src/models/common/paddedConv.js";
import { stackedLstm, type LstmLayer } from "../src/models/common/lstm.js";

function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Upstream pad1d(x, (left, right), "reflect"): reflect, after zero-extending inputs not longer than the pad. */
function pad1d(x: Float32Array, left: number, right: number): Float32Array {
  const maxPad = Math.max(left, right);
  const extra = x.length <= maxPad ? maxPad - x.length + 1 : 0;
  const extended = new Float32Array(x.length + extra);
  extended.set(x);
  const n = extended.length;
  const padded = Array.from({ length: left + n + right }, (_, j) => {
    const i = j - left;
    return extended[i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i]!;
  });
  return Float32Array.from(padded.slice(0, padded.length - extra));
}

/** paddedConv1d over rows x [B, C, T] with their lengths, as one batch: y [B, out, width] and each row's output frames. */
async function runPaddedConv(x: Float32Array, lengths: readonly number[], conv: ConvParams, options: { stride: number; dilation: number; causal: boolean }) {
  const [outChannels, inChannels] = conv.weight.dims as [number, number, number];
  const frames = Math.max(...lengths);
  const g = new GraphBuilder();
  const input = g.input("x", DataType.FLOAT, ["B", inChannels, "T"]);
  const rowLengths = g.input("lengths", DataType.INT64, ["B"]);
  const out = paddedConv1d(g, { x: input, lengths: rowLengths }, conv, options, "conv");
  g.output("y", out.x, DataType.FLOAT, ["B", outChannels, "T2"]);
  g.output("y_lengths", out.lengths, DataType.INT64, ["B"]);
  const session = await openSession(encodeModel(g.build("rows")), {}, "rows");
  const result = await session.run({
    x: new ort.Tensor("float32", x, [lengths.length, inChannels, frames]),
    lengths: new ort.Tensor("int64", BigInt64Array.from(lengths, BigInt), [lengths.length]),
  });
  await session.release();
  return { y: result["y"]!.data as Float32Array, width: result["y"]!.dims[2]!, frames: Array.from(result["y_lengths"]!.data as BigInt64Array, Number) };
}

/** How the cases below name a conv's geometry in failure messages. */
function geometry(kernel: number, stride: number, dilation: number, causal: boolean): string {
  return `k${kernel} s${stride} d${dilation}${causal ? " causal" : ""}`;
}

test("paddedConv1d pads every row at its own length exactly as pad1d, causal or not (one-hot kernel taps)", async () => {
  const random = generator(7);
  const shapes = [[7, 1, 1], [3, 1, 2], [16, 8, 1], [4, 2, 1], [10, 5, 1]] as const;
  for (const [kernel, stride, dilation, causal] of [...shapes.map((s) => [...s, false] as const), ...shapes.map((s) => [...s, true] as const)]) {
    const lengths = [37, 1, 5, 2, 23, 3];
    const frames = Math.max(...lengths);
    const x = new Float32Array(lengths.length * frames).map(() => random() * 2 - 1); // [B, 1, T]; junk past each row's end
    const weight = new Float32Array(kernel * kernel); // [k, 1, k]: output channel j reads tap j
    for (let j = 0; j < kernel; j++) weight[j * kernel + j] = 1;
    const { y, width, frames: outFrames } = await runPaddedConv(x, lengths, { weight: float32Tensor([kernel, 1, kernel], weight) }, { stride, dilation, causal });
    const { total, left, right } = convPadding(kernel, stride, dilation, causal);
    lengths.forEach((length, b) => {
      const padded = pad1d(x.subarray(b * frames, b * frames + length), left, right + extraPadding(length, kernel, stride, total));
      const expectedFrames = Math.floor((padded.length - (kernel - 1) * dilation - 1) / stride) + 1;
      assert.equal(outFrames[b], expectedFrames, `${geometry(kernel, stride, dilation, causal)} row ${b}: length`);
      for (let t = 0; t < expectedFrames; t++) {
        for (let j = 0; j < kernel; j++) {
          assert.equal(y[(b * kernel + j) * width + t], padded[t * stride + j * dilation], `${geometry(kernel, stride, dilation, causal)} row ${b} frame ${t} tap ${j}`);
        }
      }
    });
  }
});

test("paddedConv1d gives each row of a batch the conv of that row alone padded by pad1d, to float32 rounding (random weights and bias)", async () => {
  const random = generator(13);
  const [inChannels, outChannels] = [5, 6];
  const lengths = [41, 2, 17, 9, 1, 33];
  const frames = Math.max(...lengths);
  const x = new Float32Array(lengths.length * inChannels * frames).map(() => random() * 2 - 1); // [B, C, T]; junk past each row's end
  for (const [kernel, stride, dilation, causal] of [[7, 1, 1, false], [3, 1, 3, true], [8, 4, 1, true], [10, 5, 1, false], [4, 2, 1, false]] as const) {
    const weight = float32Tensor([outChannels, inChannels, kernel], new Float32Array(outChannels * inChannels * kernel).map(() => random() - 0.5));
    const bias = float32Tensor([outChannels], new Float32Array(outChannels).map(() => random() - 0.5));
    const { y, width } = await runPaddedConv(x, lengths, { weight, bias }, { stride, dilation, causal });
    // The reference: one row, padded here, through a Conv with no padding of its own.
    const plain = new GraphBuilder();
    const paddedInput = plain.input("x", DataType.FLOAT, [1, inChannels, "T"]);
    const convInputs = [paddedInput, plain.initializer("w", weight), plain.initializer("b", bias)];
    plain.output("y", plain.node("Conv", convInputs, { kernel_shape: attr.ints([kernel]), strides: attr.ints([stride]), dilations: attr.ints([dilation]) }), DataType.FLOAT, [1, outChannels, "T2"]);
    const alone = await openSession(encodeModel(plain.build("alone")), {}, "alone");
    const { total, left, right } = convPadding(kernel, stride, dilation, causal);
    for (const [b, length] of lengths.entries()) {
      const channels = Array.from({ length: inChannels }, (_, c) => pad1d(x.subarray((b * inChannels + c) * frames, (b * inChannels + c) * frames + length), left, right + extraPadding(length, kernel, stride, total)));
      const paddedLength = channels[0]!.length;
      const rowInput = new Float32Array(inChannels * paddedLength);
      channels.forEach((values, c) => rowInput.set(values, c * paddedLength));
      const expected = (await alone.run({ x: new ort.Tensor("float32", rowInput, [1, inChannels, paddedLength]) }))["y"]!;
      const outFrames = expected.dims[2]!;
      for (let o = 0; o < outChannels; o++) {
        for (let t = 0; t < outFrames; t++) {
          // Not bit for bit: onnxruntime's Conv rounds its sums differently for different input shapes (a row alone vs in a batch).
          const [actual, wanted] = [y[(b * outChannels + o) * width + t]!, (expected.data as Float32Array)[o * outFrames + t]!];
          assert.ok(Math.abs(actual - wanted) <= 1e-6, `${geometry(kernel, stride, dilation, causal)} row ${b} channel ${o} frame ${t}: ${actual} vs ${wanted}`);
        }
      }
    }
    await alone.release();
  }
});

/** PyTorch's LSTM (gates i, f, g, o; both biases) over one row x [T, C] → [T, H], forward or reversed. */
function referenceLstm(x: Float32Array[], d: { wih: Float32Array; whh: Float32Array; bih: Float32Array; bhh: Float32Array }, hidden: number, reverse: boolean): Float32Array[] {
  const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
  let h = new Float64Array(hidden);
  const c = new Float64Array(hidden);
  const out: Float32Array[] = new Array(x.length);
  const order = x.map((_, t) => t);
  if (reverse) order.reverse();
  for (const t of order) {
    const gates = new Float64Array(4 * hidden);
    for (let r = 0; r < 4 * hidden; r++) {
      let sum = d.bih[r]! + d.bhh[r]!;
      x[t]!.forEach((v, k) => (sum += d.wih[r * x[t]!.length + k]! * v));
      h.forEach((v, k) => (sum += d.whh[r * hidden + k]! * v));
      gates[r] = sum;
    }
    const next = new Float64Array(hidden);
    for (let k = 0; k < hidden; k++) {
      const [i, f, g, o] = [sigmoid(gates[k]!), sigmoid(gates[hidden + k]!), Math.tanh(gates[2 * hidden + k]!), sigmoid(gates[3 * hidden + k]!)];
      c[k] = f * c[k]! + i * g;
      next[k] = o * Math.tanh(c[k]!);
    }
    h = next;
    out[t] = Float32Array.from(h);
  }
  return out;
}

test("stackedLstm (bidirectional, 2 layers) equals a PyTorch-order reference on each row up to its own length", async () => {
  const random = generator(11);
  const [channels, hidden, frames] = [3, 4, 9];
  const lengths = [9, 4, 1];
  const uniform = (n: number): Float32Array => new Float32Array(n).map(() => random() - 0.5);
  const layers = [channels, 2 * hidden].map((width) => [0, 1].map(() => ({ wih: uniform(4 * hidden * width), whh: uniform(4 * hidden * hidden), bih: uniform(4 * hidden), bhh: uniform(4 * hidden) })));
  const onnxLayers: LstmLayer[] = layers.map((layer, l) => layer.map((d) => ({
    weightIh: float32Tensor([4 * hidden, l === 0 ? channels : 2 * hidden], d.wih),
    weightHh: float32Tensor([4 * hidden, hidden], d.whh),
    biasIh: float32Tensor([4 * hidden], d.bih),
    biasHh: float32Tensor([4 * hidden], d.bhh),
  })));
  const x = uniform(frames * lengths.length * channels); // [T, B, C]
  const g = new GraphBuilder();
  const input = g.input("x", DataType.FLOAT, ["T", "B", channels]);
  const rowLengths = g.input("lengths", DataType.INT64, ["B"]);
  g.output("y", stackedLstm(g, input, rowLengths, onnxLayers, "lstm"), DataType.FLOAT, ["T", "B", 2 * hidden]);
  const session = await openSession(encodeModel(g.build("lstm")), {}, "lstm");
  const y = (await session.run({
    x: new ort.Tensor("float32", x, [frames, lengths.length, channels]),
    lengths: new ort.Tensor("int64", BigInt64Array.from(lengths, BigInt), [lengths.length]),
  }))["y"]!.data as Float32Array;
  await session.release();
  lengths.forEach((length, b) => {
    let row = Array.from({ length }, (_, t) => x.slice((t * lengths.length + b) * channels, (t * lengths.length + b + 1) * channels));
    for (const layer of layers) {
      const forward = referenceLstm(row, layer[0]!, hidden, false);
      const backward = referenceLstm(row, layer[1]!, hidden, true);
      row = forward.map((f, t) => Float32Array.from([...f, ...backward[t]!]));
    }
    row.forEach((expected, t) => expected.forEach((v, k) => {
      const actual = y[(t * lengths.length + b) * 2 * hidden + k]!;
      assert.ok(Math.abs(actual - v) < 1e-5, `row ${b} frame ${t} unit ${k}: ${actual} vs ${v}`);
    }));
  });
});
