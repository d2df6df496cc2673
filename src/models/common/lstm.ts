/**
 * PyTorch nn.LSTM (seq-first, stacked, optionally bidirectional) as ONNX LSTM nodes, and SEANet's
 * SLSTM around it. `sequence_lens` makes each row stop at its own length and the reverse
 * direction start at the row's own last frame, so a row gives what it gives alone.
 * T = frames, B = batch, C = input width, H = hidden width, D = directions.
 */
import { attr, DataType, type GraphBuilder } from "../../onnx/builder.js";
import { asFloat32, float32Tensor, type TensorData } from "../../onnx/tensor.js";

/** One direction of one layer, PyTorch's tensors: weight_ih [4H, C], weight_hh [4H, H], biases [4H]. */
export interface LstmDirection {
  weightIh: TensorData;
  weightHh: TensorData;
  biasIh: TensorData;
  biasHh: TensorData;
}

/** One layer: the forward direction, and the reverse one when bidirectional. */
export type LstmLayer = readonly LstmDirection[];

/** PyTorch stacks gates i, f, g, o; ONNX expects i, o, f, c (c = PyTorch's g). */
const ONNX_FROM_TORCH = [0, 3, 1, 2];

/**
 * Gate blocks of rows [4H, W] reordered from PyTorch's to ONNX's order, written into `out` at
 * `offset` (straight into the layer's tensor: a released model's LSTMs are over 100 MB, and every
 * fresh buffer costs its page faults at load).
 */
function reorderGatesInto(values: Float32Array, hidden: number, width: number, out: Float32Array, offset: number): void {
  const block = hidden * width;
  ONNX_FROM_TORCH.forEach((source, target) => out.set(values.subarray(source * block, (source + 1) * block), offset + target * block));
}

/** The ONNX W [D, 4H, C], R [D, 4H, H], B [D, 8H] of one layer. */
function layerTensors(layer: LstmLayer, hidden: number): { w: TensorData; r: TensorData; b: TensorData } {
  const width = layer[0]!.weightIh.dims[1]!;
  const directions = layer.length;
  const w = new Float32Array(directions * 4 * hidden * width);
  const r = new Float32Array(directions * 4 * hidden * hidden);
  const b = new Float32Array(directions * 8 * hidden);
  layer.forEach((d, i) => {
    reorderGatesInto(asFloat32(d.weightIh), hidden, width, w, i * 4 * hidden * width);
    reorderGatesInto(asFloat32(d.weightHh), hidden, hidden, r, i * 4 * hidden * hidden);
    reorderGatesInto(asFloat32(d.biasIh), hidden, 1, b, i * 8 * hidden);
    reorderGatesInto(asFloat32(d.biasHh), hidden, 1, b, i * 8 * hidden + 4 * hidden);
  });
  return {
    w: float32Tensor([directions, 4 * hidden, width], w),
    r: float32Tensor([directions, 4 * hidden, hidden], r),
    b: float32Tensor([directions, 8 * hidden], b),
  };
}

/**
 * Stacked LSTM over x [T, B, C] with int64 lengths [B]: y [T, B, D·H], forward then reverse
 * halves as PyTorch concatenates them. Frames past a row's length come out zero.
 */
export function stackedLstm(g: GraphBuilder, x: string, lengths: string, layers: readonly LstmLayer[], scope: string): string {
  const sequenceLens = g.node("Cast", [lengths], { to: attr.int(DataType.INT32) }); // [B] int32
  let y = x;
  layers.forEach((layer, index) => {
    const hidden = layer[0]!.weightHh.dims[1]!;
    const { w, r, b } = layerTensors(layer, hidden);
    const name = `${scope}.l${index}`;
    const out = g.node("LSTM", [y, g.initializer(`${name}.W`, w), g.initializer(`${name}.R`, r), g.initializer(`${name}.B`, b), sequenceLens], {
      hidden_size: attr.int(hidden),
      direction: attr.string(layer.length === 2 ? "bidirectional" : "forward"),
    }, `${name}/LSTM`); // [T, D, B, H]
    const timeBatch = g.node("Transpose", [out], { perm: attr.ints([0, 2, 1, 3]) }); // [T, B, D, H]
    y = g.node("Reshape", [timeBatch, g.int64s([0, 0, -1])]); // [T, B, D·H]
  });
  return y;
}

/**
 * SEANet's SLSTM on conv layout x [B, C, T]: LSTM over time, then the skip y + x (for a
 * bidirectional LSTM y + [x, x] along channels, so the output has 2C channels). Returns [B, D·C, T].
 */
export function slstm(g: GraphBuilder, x: string, lengths: string, layers: readonly LstmLayer[], scope: string): string {
  const timeFirst = g.node("Transpose", [x], { perm: attr.ints([2, 0, 1]) }); // [T, B, C]
  const y = stackedLstm(g, timeFirst, lengths, layers, scope); // [T, B, D·C]
  const skip = layers[0]!.length === 2 ? g.node("Concat", [timeFirst, timeFirst], { axis: attr.int(2) }) : timeFirst; // [T, B, D·C]
  const sum = g.node("Add", [y, skip]); // [T, B, D·C]
  return g.node("Transpose", [sum], { perm: attr.ints([1, 2, 0]) }); // [B, D·C, T]
}
