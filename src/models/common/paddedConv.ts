/**
 * SEANet's SConv1d and SConvTranspose1d (non-causal, or causal as EnCodec's 24 kHz model) over batches whose rows have their own
 * lengths. Upstream pads the whole batch at its longest row, so a shorter row would see other
 * values than when alone; here every row is padded at ITS OWN length (reflect, plus the "extra"
 * right padding that makes the last window full): the batch shifted by the left pad, then each
 * row's pad positions written from its own frames.
 * Frames of a row past its length are never read, so whatever they hold cannot leak.
 * B = batch, C = channels, T = frames, Tp = padded frames.
 */
import { attr, DataType, type GraphBuilder } from "../../onnx/builder.js";
import { asFloat32, float32Tensor, type TensorData } from "../../onnx/tensor.js";
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

/**
 * SConv1d's padding: total, left, and the right pad before `extra`. Non-causal splits the total
 * (the larger half on the left); causal puts all of it on the left (still reflect-padded upstream,
 * so a causal row's left pad mirrors its first frames).
 */
export function convPadding(kernel: number, stride: number, dilation: number, causal = false): { total: number; left: number; right: number } {
  const total = (kernel - 1) * dilation - (stride - 1);
  const right = causal ? 0 : Math.floor(total / 2);
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

/** Each row's padding: its padded length int64 [B] and L' − 1 int64 [B, 1]. */
interface RowPadding {
  paddedLengths: string;
  lastExtended: string;
}

function rowPadding(g: GraphBuilder, lengths: string, kernel: number, stride: number, dilation: number, causal: boolean): RowPadding {
  const { total, left, right } = convPadding(kernel, stride, dilation, causal);
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
  const lastExtended = g.node("Unsqueeze", [g.node("Sub", [extended, g.scalarInt64(1)]), g.int64s([1])]); // [B, 1] = L' − 1
  return { paddedLengths, lastExtended };
}

/**
 * Which input frame of its row feeds each padded position `positions` int64 [B, K] (padded
 * coordinates): gather indices int64 [B, K] (clamped to [0, T)) and a float mask [B, K], 0 where
 * pad1d reads its zero extension (rows not longer than the pad).
 */
function reflectAt(g: GraphBuilder, positions: string, lengths: string, frames: string, left: number, pad: RowPadding): { indices: string; valid: string } {
  const mirrored = g.node("Abs", [g.node("Sub", [positions, g.scalarInt64(left)])]); // [B, K]: i = j − left, reflected at the left edge
  const beyond = g.node("Greater", [mirrored, pad.lastExtended]); // [B, K]
  const reflected = g.node("Where", [beyond, g.node("Sub", [g.node("Mul", [pad.lastExtended, g.scalarInt64(2)]), mirrored]), mirrored]); // [B, K]
  const rowLengths = g.node("Unsqueeze", [lengths, g.int64s([1])]); // [B, 1]
  const real = g.node("And", [g.node("Less", [reflected, rowLengths]), g.node("GreaterOrEqual", [reflected, g.scalarInt64(0)])]); // [B, K]
  const lastFrame = g.node("Sub", [frames, g.scalarInt64(1)]); // []
  const indices = g.node("Min", [g.node("Max", [reflected, g.scalarInt64(0)]), lastFrame]); // [B, K] in [0, T)
  return { indices, valid: toFloat(g, real) };
}

/**
 * The conv outputs of each row that read any pad position: its first ⌈left / s⌉ and last
 * ⌈(right + s − 1) / s⌉ windows (its right pad is right + extra ≤ right + s − 1 frames), as output frames int64 [B, W] clamped into [0, T'_b) (a short row's windows repeat;
 * a window counted twice is the same window, so it gets the same value twice).
 */
function boundaryWindows(g: GraphBuilder, outLengths: string, left: number, right: number, stride: number): { windows: string; count: number } {
  const leading = Math.ceil(left / stride);
  const trailing = Math.ceil((right + stride - 1) / stride);
  const last = g.node("Unsqueeze", [g.node("Sub", [outLengths, g.scalarInt64(1)]), g.int64s([1])]); // [B, 1] = T'_b − 1
  const parts: string[] = [];
  if (leading > 0) parts.push(g.node("Min", [g.int64s(Array.from({ length: leading }, (_, j) => j), [1, leading]), last])); // [B, leading]
  if (trailing > 0) {
    const fromEnd = g.int64s(Array.from({ length: trailing }, (_, j) => j - trailing + 1), [1, trailing]); // [1, trailing]: −(n−1) … 0
    parts.push(g.node("Max", [g.node("Add", [last, fromEnd]), g.scalarInt64(0)])); // [B, trailing]
  }
  const windows = parts.length === 1 ? parts[0]! : g.node("Concat", parts, { axis: attr.int(1) }); // [B, W]
  return { windows, count: leading + trailing };
}

/**
 * SConv1d over rows padded at their own lengths, without a padded copy of the batch: one Conv
 * with onnxruntime's own zero padding (left, and right + s − 1: enough for any row's right pad)
 * gets every window that reads only a row's real frames right; the windows that read pad
 * positions (a few at each end of each row) are computed again from their taps, gathered from
 * the row's own frames as pad1d places them (reflectAt), and written over (ScatterElements).
 * A padded copy cost two passes over [B, C, T] per conv (Pad, then the scatter into it), which
 * was 9 % of a 24 kHz EnCodec encode. Every output is the same dot product over the same taps,
 * so it is the value the padded copy gave. Frames of a row past its own output length hold
 * whatever the zero-padded conv put there: nothing real reads them.
 * Returns y [B, out, T'] and each row's output frames int64 [B].
 */
function paddedRowsConv(g: GraphBuilder, input: Rows, conv: ConvParams, stride: number, dilation: number, causal: boolean, scope: string): Rows {
  const [outChannels, channels, kernel] = conv.weight.dims as [number, number, number];
  const { left, right } = convPadding(kernel, stride, dilation, causal);
  const pad = rowPadding(g, input.lengths, kernel, stride, dilation, causal);
  const effective = (kernel - 1) * dilation + 1;
  const weights = convWeights(g, conv, scope);
  const zeroPadded = plainConv(g, input.x, weights, kernel, { stride, dilation, pads: [left, right + stride - 1] }, `${scope}/Conv`); // [B, out, T']
  const outLengths = g.node("Add", [g.node("Div", [g.node("Sub", [pad.paddedLengths, g.scalarInt64(effective)]), g.scalarInt64(stride)]), g.scalarInt64(1)]); // [B] = T'_b
  const { windows, count } = boundaryWindows(g, outLengths, left, right, stride); // [B, W]
  if (count === 0) return { x: zeroPadded, lengths: outLengths };
  // Tap i of window t reads padded position t·s + i·d.
  const taps = g.int64s(Array.from({ length: kernel }, (_, i) => i * dilation), [1, 1, kernel]); // [1, 1, k]
  const starts = g.node("Unsqueeze", [g.node("Mul", [windows, g.scalarInt64(stride)]), g.int64s([2])]); // [B, W, 1]
  const positions = g.node("Reshape", [g.node("Add", [starts, taps]), g.int64s([0, count * kernel])]); // [B, W·k]
  const { indices, valid } = reflectAt(g, positions, input.lengths, dimSize(g, input.x, 2), left, pad);
  const batch = g.node("Unsqueeze", [dimSize(g, input.x, 0), g.int64s([0])]); // [1] = [B]
  const sources = g.node("Expand", [g.node("Unsqueeze", [indices, g.int64s([1])]), g.node("Concat", [batch, g.int64s([channels, count * kernel])], { axis: attr.int(0) })]); // [B, C, W·k]
  const gathered = g.node("Mul", [g.node("GatherElements", [input.x, sources], { axis: attr.int(2) }), g.node("Unsqueeze", [valid, g.int64s([1])])]); // [B, C, W·k]
  // Windows laid side by side: a conv with stride k takes each window's k taps once.
  const redone = plainConv(g, gathered, weights, kernel, { stride: kernel }, `${scope}/boundary`); // [B, out, W]
  const targets = g.node("Expand", [g.node("Unsqueeze", [windows, g.int64s([1])]), g.node("Concat", [batch, g.int64s([outChannels, count])], { axis: attr.int(0) })]); // [B, out, W]
  const y = g.node("ScatterElements", [zeroPadded, targets, redone], { axis: attr.int(2) }); // [B, out, T']
  // Named dims: onnxruntime then writes the windows over the conv's output in place instead of copying [B, out, T'] first.
  const dims = [`${scope}.rows`, outChannels, `${scope}.frames`];
  g.declareShape(zeroPadded, DataType.FLOAT, dims);
  g.declareShape(y, DataType.FLOAT, dims);
  return { x: y, lengths: outLengths };
}

/** A conv's weight and (if it has one) bias as initializers named after `scope`: the Conv inputs after x. */
function convWeights(g: GraphBuilder, conv: ConvParams, scope: string): string[] {
  return [g.initializer(`${scope}.weight`, conv.weight), ...(conv.bias ? [g.initializer(`${scope}.bias`, conv.bias)] : [])];
}

/** Conv1d over x [B, C, T] with `weights` (convWeights) and onnxruntime's own zero `pads` (left, right; none by default) → [B, out, T']. */
function plainConv(g: GraphBuilder, x: string, weights: string[], kernel: number, options: { stride?: number; dilation?: number; pads?: [number, number] }, name: string): string {
  return g.node("Conv", [x, ...weights], {
    kernel_shape: attr.ints([kernel]),
    strides: attr.ints([options.stride ?? 1]),
    dilations: attr.ints([options.dilation ?? 1]),
    ...(options.pads ? { pads: attr.ints(options.pads) } : {}),
  }, name);
}

/**
 * SConv1d (reflect; non-causal unless `causal`): each row as if padded at its own length
 * (paddedRowsConv). Returns y [B, out, T'] and the rows' output lengths int64 [B].
 */
export function paddedConv1d(
  g: GraphBuilder,
  input: Rows,
  conv: ConvParams,
  options: { stride?: number; dilation?: number; causal?: boolean },
  scope: string,
): Rows {
  const stride = options.stride ?? 1;
  const dilation = options.dilation ?? 1;
  const kernel = conv.weight.dims[2]!;
  if ((kernel - 1) * dilation === 0 && stride === 1) return { x: plainConv(g, input.x, convWeights(g, conv, scope), kernel, {}, `${scope}/Conv`), lengths: input.lengths }; // 1×1: nothing to pad
  return paddedRowsConv(g, input, conv, stride, dilation, options.causal ?? false, scope); // [B, out, T']
}

/** ConvTranspose1d without padding: x [B, in, T] → [B, out, (T − 1)·r + k]. */
function plainConvTranspose(g: GraphBuilder, x: string, conv: ConvParams, stride: number, scope: string): string {
  return g.node("ConvTranspose", [x, ...convWeights(g, conv, scope)], { kernel_shape: attr.ints([conv.weight.dims[2]!]), strides: attr.ints([stride]) }, `${scope}/ConvTranspose`);
}

/**
 * The same ConvTranspose1d for kernel 2r, as a Conv1d of kernel 2 with out·r channels, which
 * onnxruntime runs several times faster than its ConvTranspose on the CPU: output sample
 * r·s + j (s ∈ [0, T], j < r) is W[:, o, j]·x[s] + W[:, o, j + r]·x[s − 1] (x zero outside
 * [0, T)), so with x padded by one zero frame each side, the kernel-2 conv's channel o·r + j takes
 * W[:, o, j + r] at its first tap and W[:, o, j] at its second; its [B, out·r, T + 1] output,
 * interleaved, is [B, out, (T + 1)·r] = (T − 1)·r + k. The same products, summed in another
 * order: equal to float32 rounding.
 */
function polyphaseConvTranspose(g: GraphBuilder, x: string, conv: ConvParams, stride: number, scope: string): string {
  const [inChannels, outChannels] = conv.weight.dims as [number, number, number];
  const r = stride;
  const w = asFloat32(conv.weight); // [in, out, 2r]
  const phases = new Float32Array(outChannels * r * inChannels * 2); // [out·r, in, 2]
  for (let o = 0; o < outChannels; o++) {
    for (let j = 0; j < r; j++) {
      for (let i = 0; i < inChannels; i++) {
        const at = ((o * r + j) * inChannels + i) * 2;
        phases[at] = w[(i * outChannels + o) * 2 * r + j + r]!;
        phases[at + 1] = w[(i * outChannels + o) * 2 * r + j]!;
      }
    }
  }
  const inputs = [x, g.initializer(`${scope}.weight`, float32Tensor([outChannels * r, inChannels, 2], phases))];
  if (conv.bias) {
    const bias = asFloat32(conv.bias); // [out]
    inputs.push(g.initializer(`${scope}.bias`, float32Tensor([outChannels * r], Float32Array.from({ length: outChannels * r }, (_, c) => bias[Math.floor(c / r)]!))));
  }
  // The zero frame each side is the Conv's own padding (no padded copy of x).
  const y = g.node("Conv", inputs, { kernel_shape: attr.ints([2]), pads: attr.ints([1, 1]) }, `${scope}/Conv`); // [B, out·r, T + 1]
  const split = g.node("Reshape", [y, g.int64s([0, outChannels, r, -1])]); // [B, out, r, T + 1]
  const interleaved = g.node("Transpose", [split], { perm: attr.ints([0, 1, 3, 2]) }); // [B, out, T + 1, r]
  return g.node("Reshape", [interleaved, g.int64s([0, outChannels, -1])]); // [B, out, (T + 1)·r]
}

/**
 * SConvTranspose1d (kernel 2r, stride r): frames past each row's length are zeroed first (frame
 * T_b would otherwise add into the row's last r samples), then the transposed conv, then SEANet's
 * trim of r − r//2 samples on the left and r//2 on the right (causal, trim_right_ratio 1: all r on
 * the right): T frames → T · r samples.
 * `beforeTrim` (optional) transforms the untrimmed output, given with each row's untrimmed length
 * ((T_b − 1)·r + k): FunCodec normalises there, before the trim, as upstream does.
 * `polyphase` runs it as a kernel-2 Conv (polyphaseConvTranspose), faster, equal to rounding.
 */
export function trimmedConvTranspose1d(
  g: GraphBuilder,
  input: Rows,
  conv: ConvParams,
  stride: number,
  scope: string,
  beforeTrim?: (full: Rows) => string,
  causal = false,
  polyphase = false,
): Rows {
  const kernel = conv.weight.dims[2]!;
  const frames = dimSize(g, input.x, 2); // [] = T
  const mask = g.node("Unsqueeze", [toFloat(g, lengthMask(g, input.lengths, frames)), g.int64s([1])]); // [B, 1, T]
  const masked = g.node("Mul", [input.x, mask]); // [B, C, T]
  const full = polyphase && kernel === 2 * stride
    ? polyphaseConvTranspose(g, masked, conv, stride, scope)
    : plainConvTranspose(g, masked, conv, stride, scope); // [B, out, (T − 1)·r + k]
  const total = kernel - stride;
  const right = causal ? total : Math.floor(total / 2);
  const left = total - right;
  // A norm after the conv (FunCodec's time_group_norm) sees the untrimmed (T_b − 1)·r + k samples of each row, as upstream.
  const fullLengths = g.node("Add", [g.node("Mul", [g.node("Sub", [input.lengths, g.scalarInt64(1)]), g.scalarInt64(stride)]), g.scalarInt64(kernel)]); // [B]
  const normed = beforeTrim ? beforeTrim({ x: full, lengths: fullLengths }) : full; // [B, out, (T − 1)·r + k]
  const end = g.node("Sub", [dimSize(g, normed, 2), g.scalarInt64(right)]); // []
  const y = g.node("Slice", [normed, g.int64s([left]), g.node("Unsqueeze", [end, g.int64s([0])]), g.int64s([2])]); // [B, out, (T − 1)·r + k − total]
  const lengths = g.node("Add", [g.node("Mul", [g.node("Sub", [input.lengths, g.scalarInt64(1)]), g.scalarInt64(stride)]), g.scalarInt64(kernel - total)]); // [B]
  return { x: y, lengths };
}
