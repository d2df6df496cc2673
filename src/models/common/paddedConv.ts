/**
 * SEANet's non-causal SConv1d and SConvTranspose1d over batches whose rows have their own
 * lengths. Upstream pads the whole batch at its longest row, so a shorter row would see other
 * values than when alone; here every row is padded at ITS OWN length (reflect, plus the "extra"
 * right padding that makes the last window full), by gathering each row's padded positions.
 * Frames of a row past its length are never read, so whatever they hold cannot leak.
 * B = batch, C = channels, T = frames, Tp = padded frames.
 */
import { attr, DataType, type GraphBuilder } from "../../onnx/builder.js";
import type { TensorData } from "../../onnx/tensor.js";
import { dimSize, lengthMask, toFloat } from "./layers.js";

export interface ConvParams {
  /** Conv1d [out, in, k]; ConvTranspose1d [in, out, k] (weight norm already folded). */
  weight: TensorData;
  bias?: TensorData;
}

/** A batch of rows with lengths: x [B, C, T] and int64 lengths [B] (frames of each row that are real). */
export interface Rows {
  x: string;
  lengths: string;
}

/** SConv1d's padding: total, left, and the right pad before `extra`. */
export function convPadding(kernel: number, stride: number, dilation: number): { total: number; left: number; right: number } {
  const total = (kernel - 1) * dilation - (stride - 1);
  const right = Math.floor(total / 2);
  return { total, left: total - right, right };
}

/** Upstream's get_extra_padding_for_conv1d for a row of `length` frames (uses the undilated kernel, as upstream). */
export function extraPadding(length: number, kernel: number, stride: number, paddingTotal: number): number {
  const frames = (length - kernel + paddingTotal) / stride + 1;
  return (Math.ceil(frames) - 1) * stride + kernel - paddingTotal - length;
}

/** Output frames of SConv1d for an input of `length` frames (plain arithmetic, for planning and tests). */
export function convOutputFrames(length: number, kernel: number, stride: number, dilation: number): number {
  const { total } = convPadding(kernel, stride, dilation);
  const padded = length + total + extraPadding(length, kernel, stride, total);
  return Math.floor((padded - ((kernel - 1) * dilation + 1)) / stride) + 1;
}

/**
 * Per-row reflect-pad indices: for each row, which input frame feeds each padded position, and
 * whether it is a real frame (pad1d's zero-then-reflect path for rows not longer than the pad
 * reads zeros). Returns gather indices int64 [B, Tp] (clamped to [0, T)), a float mask [B, 1, Tp]
 * and each row's padded length int64 [B].
 */
function reflectIndices(
  g: GraphBuilder,
  lengths: string,
  frames: string,
  kernel: number,
  stride: number,
  dilation: number,
): { indices: string; valid: string; paddedLengths: string } {
  const { total, left, right } = convPadding(kernel, stride, dilation);
  const lengthsF = g.node("Cast", [lengths], { to: attr.int(DataType.FLOAT) }); // [B]
  // extra = (ceil((L − k + total) / s + 1) − 1) · s + k − total − L, in float like upstream (exact below 2^24).
  const windows = g.node("Ceil", [g.node("Add", [g.node("Div", [g.node("Add", [lengthsF, g.scalarFloat(total - kernel)]), g.scalarFloat(stride)]), g.scalarFloat(1)])]); // [B]
  const windowsI = g.node("Cast", [windows], { to: attr.int(DataType.INT64) }); // [B]
  // Padded length L + total + extra = (windows − 1) · s + k.
  const paddedLengths = g.node("Add", [g.node("Mul", [g.node("Sub", [windowsI, g.scalarInt64(1)]), g.scalarInt64(stride)]), g.scalarInt64(kernel)]); // [B]
  const rightPads = g.node("Sub", [g.node("Sub", [paddedLengths, lengths]), g.scalarInt64(left)]); // [B] = right + extra
  // pad1d: rows with L ≤ max(left, right') are first extended with zeros to max_pad + 1 frames.
  const maxPad = g.node("Max", [rightPads, g.scalarInt64(Math.max(left, right))]); // [B]
  const extended = g.node("Max", [lengths, g.node("Add", [maxPad, g.scalarInt64(1)])]); // [B] = L'
  const span = g.node("ReduceMax", [paddedLengths], { keepdims: attr.int(0) }); // [] = Tp
  const positions = g.node("Range", [g.scalarInt64(-left), g.node("Sub", [span, g.scalarInt64(left)]), g.scalarInt64(1)]); // [Tp], i = j − left
  const i = g.node("Unsqueeze", [positions, g.int64s([0])]); // [1, Tp]
  const lastExtended = g.node("Unsqueeze", [g.node("Sub", [extended, g.scalarInt64(1)]), g.int64s([1])]); // [B, 1] = L' − 1
  const mirrored = g.node("Abs", [i]); // [1, Tp]: reflect at the left edge
  const beyond = g.node("Greater", [mirrored, lastExtended]); // [B, Tp]
  const reflected = g.node("Where", [beyond, g.node("Sub", [g.node("Mul", [lastExtended, g.scalarInt64(2)]), mirrored]), mirrored]); // [B, Tp]
  const rowLengths = g.node("Unsqueeze", [lengths, g.int64s([1])]); // [B, 1]
  const real = g.node("And", [g.node("Less", [reflected, rowLengths]), g.node("GreaterOrEqual", [reflected, g.scalarInt64(0)])]); // [B, Tp]
  const lastFrame = g.node("Sub", [frames, g.scalarInt64(1)]); // []
  const indices = g.node("Min", [g.node("Max", [reflected, g.scalarInt64(0)]), lastFrame]); // [B, Tp] in [0, T)
  const valid = g.node("Unsqueeze", [toFloat(g, real), g.int64s([1])]); // [B, 1, Tp]
  return { indices, valid, paddedLengths };
}

/** Conv1d without padding over x [B, C, T] → [B, out, T']. */
function plainConv(g: GraphBuilder, x: string, conv: ConvParams, scope: string, stride: number, dilation: number): string {
  const inputs = [x, g.initializer(`${scope}.weight`, conv.weight)];
  if (conv.bias) inputs.push(g.initializer(`${scope}.bias`, conv.bias));
  return g.node("Conv", inputs, {
    kernel_shape: attr.ints([conv.weight.dims[2]!]),
    strides: attr.ints([stride]),
    dilations: attr.ints([dilation]),
  }, `${scope}/Conv`);
}

/**
 * SConv1d (non-causal, reflect): each row padded at its own length, then Conv1d without padding.
 * Returns y [B, out, T'] and the rows' output lengths int64 [B].
 */
export function paddedConv1d(
  g: GraphBuilder,
  input: Rows,
  conv: ConvParams,
  options: { stride?: number; dilation?: number },
  scope: string,
): Rows {
  const stride = options.stride ?? 1;
  const dilation = options.dilation ?? 1;
  const kernel = conv.weight.dims[2]!;
  if ((kernel - 1) * dilation === 0 && stride === 1) return { x: plainConv(g, input.x, conv, scope, 1, 1), lengths: input.lengths }; // 1×1: nothing to pad
  const frames = dimSize(g, input.x, 2); // [] = T
  const { indices, valid, paddedLengths } = reflectIndices(g, input.lengths, frames, kernel, stride, dilation);
  // Gather whole frames: x as [B·T, C] rows, row b·T + index of each padded position. Index
  // tensors stay [B, Tp] (a GatherElements would need them expanded to [B, C, Tp] int64).
  const rows = g.node("Reshape", [g.node("Transpose", [input.x], { perm: attr.ints([0, 2, 1]) }), g.int64s([-1, conv.weight.dims[1]!])]); // [B·T, C]
  const batch = dimSize(g, input.x, 0); // [] = B
  const rowStarts = g.node("Mul", [g.node("Range", [g.scalarInt64(0), batch, g.scalarInt64(1)]), frames]); // [B]
  const flat = g.node("Add", [indices, g.node("Unsqueeze", [rowStarts, g.int64s([1])])]); // [B, Tp]
  const gathered = g.node("Transpose", [g.node("Gather", [rows, flat], { axis: attr.int(0) })], { perm: attr.ints([0, 2, 1]) }); // [B, C, Tp]
  const padded = g.node("Mul", [gathered, valid]); // [B, C, Tp], zeros where pad1d reads its zero extension
  const y = plainConv(g, padded, conv, scope, stride, dilation); // [B, out, T']
  const effective = (kernel - 1) * dilation + 1;
  const lengths = g.node("Add", [g.node("Div", [g.node("Sub", [paddedLengths, g.scalarInt64(effective)]), g.scalarInt64(stride)]), g.scalarInt64(1)]); // [B]
  return { x: y, lengths };
}

/**
 * SConvTranspose1d (non-causal, kernel 2r, stride r): frames past each row's length are zeroed
 * first (frame T_b would otherwise add into the row's last r samples), then the transposed conv,
 * then SEANet's trim of r − r//2 samples on the left and r//2 on the right: T frames → T · r samples.
 */
export function trimmedConvTranspose1d(g: GraphBuilder, input: Rows, conv: ConvParams, stride: number, scope: string): Rows {
  const kernel = conv.weight.dims[2]!;
  const frames = dimSize(g, input.x, 2); // [] = T
  const mask = g.node("Unsqueeze", [toFloat(g, lengthMask(g, input.lengths, frames)), g.int64s([1])]); // [B, 1, T]
  const masked = g.node("Mul", [input.x, mask]); // [B, C, T]
  const inputs = [masked, g.initializer(`${scope}.weight`, conv.weight)];
  if (conv.bias) inputs.push(g.initializer(`${scope}.bias`, conv.bias));
  const full = g.node("ConvTranspose", inputs, { kernel_shape: attr.ints([kernel]), strides: attr.ints([stride]) }, `${scope}/ConvTranspose`); // [B, out, (T − 1)·r + k]
  const total = kernel - stride;
  const right = Math.floor(total / 2);
  const left = total - right;
  const end = g.node("Sub", [dimSize(g, full, 2), g.scalarInt64(right)]); // []
  const y = g.node("Slice", [full, g.int64s([left]), g.node("Unsqueeze", [end, g.int64s([0])]), g.int64s([2])]); // [B, out, (T − 1)·r + k − total]
  const lengths = g.node("Add", [g.node("Mul", [g.node("Sub", [input.lengths, g.scalarInt64(1)]), g.scalarInt64(stride)]), g.scalarInt64(kernel - total)]); // [B]
  return { x: y, lengths };
}
