/**
 * Graph pieces shared by every model version, each emitting standard ONNX operators through a
 * GraphBuilder. Tensor names are strings; the shape of each is given in a comment.
 * B = batch, T = mel frames, T1/T2 = frames after conv1/conv2, D = width, H = heads, K = head dim.
 */
import { attr, DataType, type GraphBuilder } from "../../onnx/builder.js";
import { quantizeColumns } from "./int8.js";
import { unfoldTaps, unfoldedKernel } from "./unfoldedConv.js";
import type { ConvWeights, LayerNormWeights, LinearWeights } from "./weights.js";

/** Scalar int64 size of `axis` of tensor `x`. */
export function dimSize(g: GraphBuilder, x: string, axis: number): string {
  const shape = g.node("Shape", [x]); // [rank] int64
  return g.node("Gather", [shape, g.scalarInt64(axis)], { axis: attr.int(0) }); // [] int64
}

/** Boolean [B, T]: position t < length[b], from int64 lengths [B] and a scalar int64 size T. */
export function lengthMask(g: GraphBuilder, lengths: string, size: string): string {
  const positions = g.node("Range", [g.scalarInt64(0), size, g.scalarInt64(1)]); // [T] int64
  const row = g.node("Unsqueeze", [positions, g.int64s([0])]); // [1, T]
  const column = g.node("Unsqueeze", [lengths, g.int64s([1])]); // [B, 1]
  return g.node("Less", [row, column]); // [B, T] bool
}

/** Output length of a kernel-3, padding-1 convolution: (L + 2 − 3) // stride + 1 (int64 [B]). */
export function convOutputLength(g: GraphBuilder, lengths: string, stride: number): string {
  const shifted = g.node("Sub", [lengths, g.scalarInt64(1)]); // [B], L − 1 ≥ 0 for L ≥ 1
  const divided = stride === 1 ? shifted : g.node("Div", [shifted, g.scalarInt64(stride)]);
  return g.node("Add", [divided, g.scalarInt64(1)]); // [B]
}

/** Exact (erf) GELU: x · ½ · (1 + erf(x / √2)), the form onnxruntime fuses into one kernel. */
export function gelu(g: GraphBuilder, x: string): string {
  const scaled = g.node("Div", [x, g.scalarFloat(Math.SQRT2)]);
  const erf = g.node("Erf", [scaled]);
  const onePlus = g.node("Add", [erf, g.scalarFloat(1)]);
  const product = g.node("Mul", [x, onePlus]);
  return g.node("Mul", [product, g.scalarFloat(0.5)]);
}

/**
 * Conv1d (kernel 3, padding 1) over x [B, C, T] whose padded frames are zeroed by maskF [B, 1, T];
 * then GELU. `nodeName` is the release's node name (/conv1/Conv), which the importer reads back.
 */
export function maskedConvGelu(g: GraphBuilder, x: string, maskF: string, conv: ConvWeights, stride: number, nodeName: string): string {
  const masked = g.node("Mul", [x, maskF]); // [B, C, T]
  const inputs = [masked, g.initializer(`${nodeName}.weight`, conv.weight)];
  if (conv.bias) inputs.push(g.initializer(`${nodeName}.bias`, conv.bias));
  const out = g.node("Conv", inputs, {
    kernel_shape: attr.ints([conv.weight.dims[2]!]),
    pads: attr.ints([1, 1]),
    strides: attr.ints([stride]),
  }, nodeName); // [B, D, T']
  return gelu(g, out);
}

/**
 * The fast mode's maskedConvGelu for a kernel-3, padding-1 convolution, as one int8 product:
 * the three taps of every output frame side by side ([B, T', 3C], "unfolded") times the kernel
 * laid out as [3C, D], through DynamicQuantizeMatMul like the projections. Returns time-major
 * [B, T', D] (what the blocks take), where maskedConvGelu returns [B, D, T'].
 * Why: in fast mode the fp32 Conv was 8-14 % of the time once the projections ran in int8.
 */
export function unfoldedConvGelu(g: GraphBuilder, x: string, maskF: string, conv: ConvWeights, stride: number, scope: string): string {
  const kernel = conv.weight.dims[2]!;
  if (kernel !== 3) throw new Error(`${scope}: unfolded convolution expects kernel 3, got ${kernel}`);
  const timeFirst = g.node("Transpose", [g.node("Mul", [x, maskF])], { perm: attr.ints([0, 2, 1]) }); // [B, T, C]
  const padded = g.node("Pad", [timeFirst, g.int64s([0, 1, 0, 0, 1, 0])]); // [B, T + 2, C], a zero frame each end
  const inFrames = dimSize(g, x, 2); // [] = T
  const outFrames = g.node("Add", [g.node("Div", [g.node("Sub", [inFrames, g.scalarInt64(1)]), g.scalarInt64(stride)]), g.scalarInt64(1)]); // [] = T'
  const unfolded = unfoldTaps(g, padded, kernel, stride, outFrames); // [B, T', 3C], column k·C + c
  const product = linear(g, unfolded, { weight: unfoldedKernel(conv.weight), bias: conv.bias }, scope, "int8");
  return gelu(g, product); // [B, T', D]
}

/**
 * "fused": one LayerNormalization node (as the v2 release). "decomposed": mean, variance, eps,
 * sqrt, scale in …/Mul and bias in …/Add_1 (as the v1 and v3 releases); same values.
 */
export type LayerNormStyle = "fused" | "decomposed";

/** LayerNorm over the last axis, in fp32, named under `scope` (/blocks.N/attn_ln) as in the releases. */
export function layerNorm(g: GraphBuilder, x: string, ln: LayerNormWeights, scope: string, style: LayerNormStyle = "fused"): string {
  const scale = g.initializer(`${scope}.weight`, ln.scale);
  const bias = g.initializer(`${scope}.bias`, ln.bias);
  if (style === "fused") {
    return g.node("LayerNormalization", [x, scale, bias], { axis: attr.int(-1), epsilon: attr.float(ln.epsilon) }, `${scope}/LayerNormalization`);
  }
  const axes = { axes: attr.ints([-1]) };
  const centered = g.node("Sub", [x, g.node("ReduceMean", [x], axes, `${scope}/ReduceMean`)], {}, `${scope}/Sub`);
  const variance = g.node("ReduceMean", [g.node("Pow", [centered, g.scalarFloat(2)], {}, `${scope}/Pow`)], axes, `${scope}/ReduceMean_1`);
  const std = g.node("Sqrt", [g.node("Add", [variance, g.scalarFloat(ln.epsilon)], {}, `${scope}/Add`)], {}, `${scope}/Sqrt`);
  const normalized = g.node("Div", [centered, std], {}, `${scope}/Div`);
  return g.node("Add", [g.node("Mul", [normalized, scale], {}, `${scope}/Mul`), bias], {}, `${scope}/Add_1`);
}

/**
 * "exact": fp32 MatMul, as the releases. "int8": the opt-in fast mode, DynamicQuantizeMatMul
 * with per-column int8 weights (bias fused in).
 */
export type Precision = "exact" | "int8";

/** x [..., in] · W [in, out] (+ b [out]). */
export function linear(g: GraphBuilder, x: string, weights: LinearWeights, scope: string, precision: Precision = "exact"): string {
  if (precision === "int8") {
    const q = quantizeColumns(weights.weight);
    const inputs = [
      x,
      g.initializer(`${scope}.weight_int8`, q.values),
      g.initializer(`${scope}.weight_scale`, q.scales),
      g.initializer(`${scope}.weight_zero_point`, q.zeroPoints),
    ];
    if (weights.bias) inputs.push(g.initializer(`${scope}.bias`, weights.bias));
    return g.nodeOutputs("DynamicQuantizeMatMul", inputs, 1, {}, `${scope}/MatMul`, "com.microsoft")[0]!;
  }
  const product = g.node("MatMul", [x, g.initializer(`${scope}.weight`, weights.weight)], {}, `${scope}/MatMul`);
  if (!weights.bias) return product;
  return g.node("Add", [product, g.initializer(`${scope}.bias`, weights.bias)], {}, `${scope}/Add`);
}

/** Float copy of a boolean mask. */
export function toFloat(g: GraphBuilder, mask: string): string {
  return g.node("Cast", [mask], { to: attr.int(DataType.FLOAT) });
}
